#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers that retry on EINTR and turn errno into `WALError`.
enum Posix {
    static func failure(path: String, operation: String, code: Int32 = errno) -> WALError {
        .io(path: path, operation: operation, message: String(cString: strerror(code)))
    }

    /// Creates `path` and any missing parents with mode 0700 (only the owner may read the log).
    static func makeDirectory(_ path: String) throws(WALError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        switch code {
        case EEXIST:
            return  // If it is not a directory, opening it with O_DIRECTORY reports that.
        case ENOENT:
            guard let slash = path.lastIndex(of: "/"), slash > path.startIndex else {
                throw failure(path: path, operation: "mkdir", code: code)
            }
            try makeDirectory(String(path[..<slash]))
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw failure(path: path, operation: "mkdir")
            }
        default:
            throw failure(path: path, operation: "mkdir", code: code)
        }
    }

    static func closeFile(_ descriptor: Int32) {
        // Nothing useful to do on failure: data that matters was synced before.
        _ = close(descriptor)
    }

    static func openFile(_ path: String, flags: Int32) throws(WALError) -> Int32 {
        while true {
            let descriptor = open(path, flags | O_CLOEXEC, 0o600)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw failure(path: path, operation: "open") }
        }
    }

    /// Takes an exclusive lock so that two node processes never share one log.
    static func lock(_ descriptor: Int32, path: String) throws(WALError) {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { throw .locked(path: path) }
            throw failure(path: path, operation: "flock")
        }
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(WALError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result > 0 {
                written += result
            } else if result < 0, errno == EINTR {
                continue
            } else {
                throw failure(path: path, operation: "write", code: result == 0 ? EIO : errno)
            }
        }
    }

    static func readAll(_ descriptor: Int32, path: String) throws(WALError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let result = chunk.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress!, buffer.count, off_t(bytes.count))
            }
            if result > 0 {
                bytes.append(contentsOf: chunk[..<result])
            } else if result == 0 {
                return bytes
            } else if errno != EINTR {
                throw failure(path: path, operation: "read")
            }
        }
    }

    /// The whole file, or nil when it does not exist.
    static func readAllIfPresent(path: String) throws(WALError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw failure(path: path, operation: "open")
        }
        defer { Posix.closeFile(descriptor) }
        return try readAll(descriptor, path: path)
    }

    static func syncFile(_ descriptor: Int32, path: String) throws(WALError) {
        guard fsync(descriptor) == 0 else { throw failure(path: path, operation: "fsync") }
    }

    static func renameFile(_ source: String, to destination: String) throws(WALError) {
        guard rename(source, destination) == 0 else {
            throw failure(path: destination, operation: "rename")
        }
    }
}
