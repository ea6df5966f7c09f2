/// Why the write-ahead log could not do what was asked.
public enum WALError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed; `message` is the errno text.
    case io(path: String, operation: String, message: String)
    /// The file holds bytes that are not a valid record although valid records follow them (or
    /// `snapshot.bin` is damaged). Recovering past them would silently lose acknowledged state, so
    /// the node must not start until an operator looks.
    case corrupt(path: String, offset: Int, reason: String)
    /// A record would be larger than recovery accepts (`WriteAheadLog.maximumPayloadBytes`).
    case recordTooLarge(bytes: Int, limit: Int)
    /// A batch that does not continue the stored log: a bug in the caller, refused before writing.
    case invalidBatch(reason: String)
    /// Another live process holds the log directory.
    case locked(path: String)
    /// An earlier write or fsync failed. After a failed fsync the kernel may have dropped the dirty
    /// pages, so the only safe way on is to reopen the log and recover from what is on disk.
    case unusable(reason: String)
    /// `close()` was called.
    case closed

    public var description: String {
        switch self {
        case .io(let path, let operation, let message):
            return "write-ahead log: \(operation) \(path) failed: \(message)"
        case .corrupt(let path, let offset, let reason):
            return "write-ahead log: \(path) is corrupt at byte offset \(offset): \(reason)"
        case .recordTooLarge(let bytes, let limit):
            return "write-ahead log: a record of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .invalidBatch(let reason):
            return "write-ahead log: refused batch: \(reason)"
        case .locked(let path):
            return "write-ahead log: \(path) is in use by another process"
        case .unusable(let reason):
            return "write-ahead log: unusable after an earlier failure (\(reason)); reopen it"
        case .closed:
            return "write-ahead log: already closed"
        }
    }
}
