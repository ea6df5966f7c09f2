import Foundation

/// The per-run directory (mode 0700) holding node sockets, data directories, logs and the console's
/// control socket. Kept short: Unix socket paths are limited to about 107 bytes.
public struct RunDirectory: Sendable {
    public let path: String

    /// The parent of every run directory of this user.
    public static var root: String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return "\(base)/clusterdeck-\(getuid())"
    }

    /// Creates a fresh run directory, first removing those left by consoles that were killed.
    public static func create() throws -> RunDirectory {
        let root = Self.root
        try makePrivateDirectory(root)
        sweepAbandoned(in: root)
        let name = "\(getpid())-\(UInt32.random(in: 0...UInt32.max) % 100_000)"
        let path = "\(root)/\(name)"
        try makePrivateDirectory(path)
        return RunDirectory(path: path)
    }

    public init(path: String) {
        self.path = path
    }

    public func socketPath(node id: Int) -> String { "\(path)/n\(id).sock" }
    public func dataDirectory(node id: Int) -> String { "\(path)/n\(id)" }
    public func logPath(node id: Int) -> String { "\(path)/n\(id).log" }
    public var consoleSocketPath: String { "\(path)/console.sock" }
    public var historyPath: String { "\(path)/history.jsonl" }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The line of a node's log that best explains why it died: the last fatal error the Swift runtime
    /// printed (a crash is followed by stack frames), else the last line. Reads only the log's tail.
    public func lastLogLine(node id: Int) -> String? {
        guard let file = FileHandle(forReadingAtPath: logPath(node: id)) else { return nil }
        defer { try? file.close() }
        let size = (try? file.seekToEnd()) ?? 0
        try? file.seek(toOffset: size > 16_384 ? size - 16_384 : 0)
        let text = String(decoding: (try? file.readToEnd()) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let fatal = lines.last { $0.contains("Fatal error") || $0.hasPrefix("error:") }
        return (fatal ?? lines.last).map { String($0.prefix(200)) }
    }

    /// Removes run directories (`PID-N`) whose console is gone: a console killed with SIGKILL cannot
    /// clean up after itself, and its nodes died with it (parent-death signal). A planted symlink is
    /// removed as a link; what it points to is never touched. Returns the paths removed.
    @discardableResult
    public static func sweepAbandoned(in root: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var removed: [String] = []
        for name in names {
            let parts = name.split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, Int(parts[1]) != nil,
                  !isConsoleRunning(pid) else { continue }
            let path = "\(root)/\(name)"
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Whether `pid` is alive and is a clusterdeck process (pids are reused).
    static func isConsoleRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: commandLine, as: UTF8.self).lowercased().contains("clusterdeck")
    }

    /// Creates `path` with mode 0700, or checks that an existing one is a real directory we own with
    /// that mode: a planted symlink or a directory others can write into is refused.
    static func makePrivateDirectory(_ path: String) throws {
        if mkdir(path, 0o700) == 0 { return }
        guard errno == EEXIST else { throw RunDirectoryError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw RunDirectoryError(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw RunDirectoryError(path: path, reason: "exists and is not a directory (a symlink?)")
        }
        guard info.st_uid == getuid() else {
            throw RunDirectoryError(path: path, reason: "belongs to another user")
        }
        if info.st_mode & 0o077 != 0 { chmod(path, 0o700) }
    }
}

/// A run directory could not be made safely.
public struct RunDirectoryError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "run directory \(path): \(reason)" }
}
