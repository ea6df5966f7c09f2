#if canImport(Glibc)
import Glibc
#endif

/// The monotonic clock, in nanoseconds (cheap enough to read twice per operation).
public enum MonotonicTime {
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    public static func seconds(since start: UInt64) -> Double {
        Double(nanoseconds() - start) / 1e9
    }
}
