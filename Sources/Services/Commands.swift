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
    /// Writes `value` under `key`. With a `fence` (a lock's fencing token) the store refuses the write
    /// when it has already accepted a higher token for this key, and remembers the token otherwise.
    case put(key: String, value: String, fence: Int? = nil)
    case delete(key: String)
    /// Sets `new` only if the key currently holds `expected`.
    case compareAndSwap(key: String, expected: String, new: String)

    public var key: String {
        switch self {
        case .put(let key, _, _), .delete(let key), .compareAndSwap(let key, _, _): key
        }
    }
}

/// An operation on the lock service (leases with fencing tokens).
public enum LockOperation: Codable, Sendable, Equatable {
    /// Takes `lock` for `client` for `ttlMs` of service time, renews it if the client holds it, or
    /// queues the client (first come, first served) behind the holder.
    case acquire(lock: String, client: UInt64, ttlMs: Int)
    /// The holder lets go (the first waiter gets it), or a waiter leaves the queue.
    case release(lock: String, client: UInt64)
}

/// An operation on the election service (etcd's Campaign / Resign).
public enum ElectionOperation: Codable, Sendable, Equatable {
    /// Joins the candidates for `name` with `value`; leads at once if nobody leads.
    case campaign(name: String, client: UInt64, value: String, ttlMs: Int)
    /// The leader steps down (the next candidate leads), or a candidate leaves the queue.
    case resign(name: String, client: UInt64)
}

/// What one command does.
///
/// The JSON is flat — the inner operation's own object (`{"put":{…}}`, `{"acquire":{…}}`,
/// `{"clock":{"nowMs":…}}`) — so KV commands encode exactly as before the lock and election services
/// existed, and old log entries still decode.
public enum ServiceOperation: Sendable, Equatable {
    case kv(KVOperation)
    case lock(LockOperation)
    case election(ElectionOperation)
    /// Extends every lease `client` has — lock holder, lock waiter, leader, candidate — by that lease's
    /// own ttl from the current service time.
    case renew(client: UInt64)
    /// Advances service time to max(current, `nowMs`), then expires leases. Proposed by the leader.
    case clock(nowMs: Int)
}

extension ServiceOperation: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected exactly one operation"))
        }
        switch key.stringValue {
        case "put", "delete", "compareAndSwap":
            self = .kv(try KVOperation(from: decoder))
        case "acquire", "release":
            self = .lock(try LockOperation(from: decoder))
        case "campaign", "resign":
            self = .election(try ElectionOperation(from: decoder))
        case "renew":
            let fields = try container.nestedContainer(keyedBy: Key.self, forKey: key)
            self = .renew(client: try fields.decode(UInt64.self, forKey: Key("client")))
        case "clock":
            let fields = try container.nestedContainer(keyedBy: Key.self, forKey: key)
            self = .clock(nowMs: try fields.decode(Int.self, forKey: Key("nowMs")))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown operation \(key.stringValue)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .kv(let operation): try operation.encode(to: encoder)
        case .lock(let operation): try operation.encode(to: encoder)
        case .election(let operation): try operation.encode(to: encoder)
        case .renew(let client):
            var container = encoder.container(keyedBy: Key.self)
            var fields = container.nestedContainer(keyedBy: Key.self, forKey: Key("renew"))
            try fields.encode(client, forKey: Key("client"))
        case .clock(let nowMs):
            var container = encoder.container(keyedBy: Key.self)
            var fields = container.nestedContainer(keyedBy: Key.self, forKey: Key("clock"))
            try fields.encode(nowMs, forKey: Key("nowMs"))
        }
    }
}

/// A command as it sits in the replicated log.
public struct ServiceCommand: Codable, Sendable, Equatable {
    /// For exactly-once application; clock entries have none.
    public var session: ClientSession?
    public var operation: ServiceOperation

    public init(session: ClientSession?, operation: ServiceOperation) {
        self.session = session
        self.operation = operation
    }

    /// A key-value command (the form every KV caller used before the other services existed).
    public init(session: ClientSession?, operation: KVOperation) {
        self.init(session: session, operation: .kv(operation))
    }

    /// The bytes stored in a log entry (JSON with sorted keys, so every replica encodes alike).
    public func encoded() -> [UInt8] {
        if let fast = CommandCodec.encode(self) { return fast }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding these plain value types cannot fail.
        return (try? Array(encoder.encode(self))) ?? []
    }

    /// Decodes a log entry's bytes; nil when they are not a command (never a crash).
    public init?(encoded bytes: [UInt8]) {
        if let fast = CommandCodec.decode(bytes) {
            self = fast
            return
        }
        guard let command = try? JSONDecoder().decode(ServiceCommand.self, from: Data(bytes)) else {
            return nil
        }
        self = command
    }

    /// A short rendering for log views: `put x=1`, `del x`, `cas x 1→2`, `put x=1 fence 3`,
    /// `acquire L c7 5000ms`, `release L c7`, `campaign E c7=v 5000ms`, `resign E c7`, `renew c7`,
    /// `clock 12000`.
    /// The client the operation names (locks, elections, renewals), so a display can show its name.
    public var namedClient: UInt64? {
        switch operation {
        case .lock(.acquire(_, let client, _)), .lock(.release(_, let client)),
             .election(.campaign(_, let client, _, _)), .election(.resign(_, let client)), .renew(let client):
            client
        case .kv, .clock:
            nil
        }
    }

    /// Whether the entry only keeps leases going (a clock tick or a renewal): displays fold runs of
    /// them into one line.
    public var isLeaseUpkeep: Bool {
        switch operation {
        case .clock, .renew: true
        case .kv, .lock, .election: false
        }
    }

    public var summary: String {
        switch operation {
        case .kv(.put(let key, let value, nil)): "put \(key)=\(value)"
        case .kv(.put(let key, let value, let fence?)): "put \(key)=\(value) fence \(fence)"
        case .kv(.delete(let key)): "del \(key)"
        case .kv(.compareAndSwap(let key, let expected, let new)): "cas \(key) \(expected)→\(new)"
        case .lock(.acquire(let lock, let client, let ttlMs)): "acquire \(lock) c\(client) \(ttlMs)ms"
        case .lock(.release(let lock, let client)): "release \(lock) c\(client)"
        case .election(.campaign(let name, let client, let value, let ttlMs)):
            "campaign \(name) c\(client)=\(value) \(ttlMs)ms"
        case .election(.resign(let name, let client)): "resign \(name) c\(client)"
        case .renew(let client): "renew c\(client)"
        case .clock(let nowMs): "clock \(nowMs)"
        }
    }
}

extension CommandResult {
    /// Why applying left the store as it was, in a few words for a log view (nil: it took effect).
    public var refusal: String? {
        switch self {
        case .fenced(let highest): "refused: fence below \(highest)"
        case .compareFailed: "cas failed"
        case .tooMany: "refused: too many"
        case .invalid: "refused: invalid"
        case .malformed: "malformed"
        case .applied, .granted, .queued, .released, .elected, .candidate, .resigned, .withdrawn, .notHeld,
             .renewed, .ticked, .staleSequence:
            nil
        }
    }
}

/// What applying a command produced.
public enum CommandResult: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Applied; `previous` is the value the key held before.
    case applied(previous: String?)
    /// A compare-and-swap whose expectation did not hold; `current` is what the key holds.
    case compareFailed(current: String?)
    /// A fenced put whose token is lower than `highest`, the highest this key has accepted: refused.
    case fenced(highest: Int)
    /// The client holds the lock (newly, or renewed) with this fencing token.
    case granted(token: Int)
    /// The client waits for the lock; 1 is next in line.
    case queued(position: Int)
    /// The holder released the lock.
    case released
    /// The client leads the election; `revision` is the index of the entry that made it leader.
    case elected(revision: LogIndex)
    /// The client is a candidate; 1 is next in line.
    case candidate(position: Int)
    /// The leader resigned.
    case resigned
    /// A waiter or candidate left its queue.
    case withdrawn
    /// A release or resign from a client that neither holds (leads) nor waits.
    case notHeld
    /// A renew extended this many leases (0: the client has none — they expired).
    case renewed(leases: Int)
    /// A clock entry: service time is now `nowMs`.
    case ticked(nowMs: Int)
    /// A table is full (locks, waiters of a lock, elections, candidates of an election).
    case tooMany(limit: Int)
    /// The operation's arguments make no sense (a ttl of zero, an empty name).
    case invalid(reason: String)
    /// A retry of a sequence older than the client's latest: its result is no longer kept.
    case staleSequence
    /// The entry's bytes were not a command.
    case malformed

    /// The case's name, as history records write it (`granted`, `notHeld`, `compareFailed`).
    public var name: String {
        switch self {
        case .applied: "applied"
        case .compareFailed: "compareFailed"
        case .fenced: "fenced"
        case .granted: "granted"
        case .queued: "queued"
        case .released: "released"
        case .elected: "elected"
        case .candidate: "candidate"
        case .resigned: "resigned"
        case .withdrawn: "withdrawn"
        case .notHeld: "notHeld"
        case .renewed: "renewed"
        case .ticked: "ticked"
        case .tooMany: "tooMany"
        case .invalid: "invalid"
        case .staleSequence: "staleSequence"
        case .malformed: "malformed"
        }
    }

    public var description: String {
        switch self {
        case .applied(let previous): "applied (previous \(previous.map { "\"\($0)\"" } ?? "none"))"
        case .compareFailed(let current): "compare failed (current \(current.map { "\"\($0)\"" } ?? "none"))"
        case .fenced(let highest): "fenced: token lower than \(highest)"
        case .granted(let token): "granted, token \(token)"
        case .queued(let position): "queued at position \(position)"
        case .released: "released"
        case .elected(let revision): "elected at revision \(revision)"
        case .candidate(let position): "candidate at position \(position)"
        case .resigned: "resigned"
        case .withdrawn: "withdrawn"
        case .notHeld: "not held"
        case .renewed(let leases): "renewed \(leases) lease\(leases == 1 ? "" : "s")"
        case .ticked(let nowMs): "time \(nowMs)ms"
        case .tooMany(let limit): "too many (limit \(limit))"
        case .invalid(let reason): "invalid: \(reason)"
        case .staleSequence: "stale sequence number"
        case .malformed: "malformed command"
        }
    }
}
