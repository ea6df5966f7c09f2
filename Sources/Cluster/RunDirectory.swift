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

    /// Creates a fresh run directory.
    public static func create() throws -> RunDirectory {
        let root = Self.root
        try makePrivateDirectory(root)
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

    /// The last non-empty line a node wrote to its log, to explain why it died.
    public func lastLogLine(node id: Int) -> String? {
        guard let text = try? String(contentsOfFile: logPath(node: id), encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last.map(String.init)
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
