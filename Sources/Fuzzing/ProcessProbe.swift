#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's clock and memory, read cheaply enough to sample during a run.
public enum ProcessProbe {
    /// Nanoseconds on the monotonic clock.
    public static func nowNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Nanoseconds of CPU the calling thread has used: unlike the wall clock, it does not count
    /// the time a busy machine made the thread wait for a core.
    public static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Resident memory now (`/proc/self/statm`, pages times page size); nil where /proc is absent.
    public static func residentBytes() -> Int? {
        guard let text = contents(of: "/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The most resident memory the process has had (`VmHWM`), whatever ran before.
    public static func peakResidentBytes() -> Int? {
        statusKilobytes("VmHWM:").map { $0 * 1024 }
    }

    /// The address space the process has mapped (`VmSize`).
    public static func virtualBytes() -> Int? {
        statusKilobytes("VmSize:").map { $0 * 1024 }
    }

    /// Caps the process's address space at what it maps now plus `headroomBytes`
    /// (`RLIMIT_AS`), so that a decoder that trusts a damaged length and asks for gigabytes fails
    /// at once, as a crash the crash reporter attributes to its input, rather than passing
    /// unnoticed because Linux overcommits pages nobody touches.
    /// - Returns: the limit set, or nil when it could not be set.
    public static func limitAddressSpace(headroomBytes: Int) -> Int? {
        guard let mapped = virtualBytes() else { return nil }
        let limit = mapped + headroomBytes
        var value = rlimit()
        value.rlim_cur = rlim_t(limit)
        value.rlim_max = rlim_t(limit)
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
        let resource = RLIMIT_AS
        #endif
        return setrlimit(resource, &value) == 0 ? limit : nil
    }

    private static func statusKilobytes(_ field: String) -> Int? {
        guard let text = contents(of: "/proc/self/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            let number = line.dropFirst(field.count).filter { $0.isNumber }
            return Int(number)
        }
        return nil
    }

    /// A small /proc file's text, read with plain system calls.
    private static func contents(of path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { raw in
            read(descriptor, raw.baseAddress, raw.count)
        }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
