import Foundation

/// Resident memory of a process, from /proc (nil where there is none): `soak` samples the console and
/// its nodes, `bench timetravel` itself.
public enum ProcessMemory {
    public static func residentMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else {
            return nil
        }
        return kilobytes / 1024
    }
}
