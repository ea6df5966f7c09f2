#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a `TerminalSession` that is blocked in `waitForKeys(timeoutMs:)`, from any thread (for example
/// when the cluster model changed and the screen needs repainting).
///
/// A waker stays safe to use after the session stopped: it then does nothing.
public struct TerminalWaker: Sendable {
    let pipe: WakePipe

    /// Makes the session's current or next `waitForKeys` return early. Never blocks.
    public func wake() {
        pipe.signal()
    }
}

/// A non-blocking self-pipe. The session thread polls and drains the read end; any thread may write a
/// byte to the write end.
///
/// `@unchecked Sendable` because the two descriptors are only read, written and closed while holding
/// `lock`, so a `signal()` racing with `close()` can never write to a closed (and possibly reused)
/// descriptor. `readFD` is additionally read without the lock by the session thread in `poll`, and only
/// that same thread ever closes it.
final class WakePipe: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var writeFD: Int32
    private(set) var readFD: Int32

    init() throws(TerminalError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TerminalError.systemCall("pipe", errno) }
        for fd in fds {
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
        lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        close()
        pthread_mutex_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    /// Writes one byte (a full pipe already means "wake up", so EAGAIN is ignored).
    func signal() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard writeFD >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe. Returns whether anything was in it.
    @discardableResult
    func drain() -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard readFD >= 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count > 0 {
                any = true
                continue
            }
            if count < 0, errno == EINTR { continue }
            return any
        }
    }

    func close() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if readFD >= 0 {
            _ = systemClose(readFD)
            readFD = -1
        }
        if writeFD >= 0 {
            _ = systemClose(writeFD)
            writeFD = -1
        }
    }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #elseif canImport(Musl)
    Musl.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
