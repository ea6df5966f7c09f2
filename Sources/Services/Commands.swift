import Foundation
import Raft

/// Who sent a write, for exactly-once application: a client id and that client's sequence number.
/// A retried write carries the same pair, so it is applied once.
public struct ClientSession: Codable, Sendable, Hashable {
    public var clientID: UInt64
    public var sequence: UInt64

    public init(clientID: UInt64, sequence: UInt64) {
        self.clientID = clientID
        self.sequence = sequence
    }
}

/// A change to the key-value store.
public enum KVOperation: Codable, Sendable, Equatable {
    case put(key: String, value: String)
    case delete(key: String)
    /// Sets `new` only if the key currently holds `expected`.
    case compareAndSwap(key: String, expected: String, new: String)

    public var key: String {
        switch self {
        case .put(let key, _), .delete(let key), .compareAndSwap(let key, _, _): key
        }
    }
}

/// A command as it sits in the replicated log.
public struct ServiceCommand: Codable, Sendable, Equatable {
    public var session: ClientSession?
    public var operation: KVOperation

    public init(session: ClientSession?, operation: KVOperation) {
        self.session = session
        self.operation = operation
    }

    /// The bytes stored in a log entry (JSON with sorted keys, so every replica encodes alike).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding these plain value types cannot fail.
        return (try? Array(encoder.encode(self))) ?? []
    }

    /// Decodes a log entry's bytes; nil when they are not a command (never a crash).
    public init?(encoded bytes: [UInt8]) {
        guard let command = try? JSONDecoder().decode(ServiceCommand.self, from: Data(bytes)) else {
            return nil
        }
        self = command
    }
}

/// What applying a command produced.
public enum CommandResult: Codable, Sendable, Equatable {
    /// Applied; `previous` is the value the key held before.
    case applied(previous: String?)
    /// A compare-and-swap whose expectation did not hold; `current` is what the key holds.
    case compareFailed(current: String?)
    /// A retry of a sequence older than the client's latest: its result is no longer kept.
    case staleSequence
    /// The entry's bytes were not a command.
    case malformed
}
