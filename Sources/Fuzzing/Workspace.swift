import Foundation
import NodeRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private temporary directory for a WAL target's files, removed when the run ends.
struct Workspace: Sendable {
    let path: String

    /// A path under the temporary directory, unique to this process and instance; nothing is
    /// created until `create`.
    init(prefix: String) {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/clusterdeck-fuzz-\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    func create() throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private var logPath: String { path + "/" + WriteAheadLog.logFileName }
    private var snapshotPath: String { path + "/" + WriteAheadLog.snapshotFileName }

    /// Replaces the directory's files with the input's.
    func store(_ input: WALTarget.Input) throws {
        try Self.writeFile(input.log, to: logPath)
        if let snapshot = input.snapshot {
            try Self.writeFile(snapshot, to: snapshotPath)
        } else if unlink(snapshotPath) != 0, errno != ENOENT {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// The log file's size now.
    func logSize() -> Int? {
        var status = stat()
        guard stat(logPath, &status) == 0 else { return nil }
        return Int(status.st_size)
    }

    /// The bytes of a file, or nil when it is absent.
    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    /// Writes `bytes` as the whole of the file at `path` with plain system calls (a million
    /// inputs: Foundation's atomic write would double the file operations).
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            guard result > 0 else {
                if result < 0, errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            written += result
        }
    }
}
