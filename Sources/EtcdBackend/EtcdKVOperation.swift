import ClusterAPI
import EtcdClient

/// One key-value command as an etcd client carries it out: which gateway call, what the history
/// records and what the command prints. Pure apart from `send`.
enum EtcdKVOperation: Sendable, Equatable {
    case put(key: String, value: String)
    /// A linearizable read (etcd's default: a ReadIndex round through the leader).
    case get(key: String)
    /// A serializable read from one member's own state (`get --stale --node N`; 1-based node).
    case staleGet(key: String, node: Int)
    case delete(key: String)
    case compareAndSet(key: String, old: String, new: String)

    /// What etcd answered, as far as the history and the output care.
    enum Answer: Sendable, Equatable {
        /// A write applied; the value the key held before (nil: absent).
        case written(previous: String?)
        /// A read's value (nil: absent).
        case read(String?)
        /// A compare-and-set whose compare failed; what the key holds (nil: absent).
        case compareFailed(current: String?)
    }

    var isWrite: Bool {
        switch self {
        case .put, .delete, .compareAndSet: true
        case .get, .staleGet: false
        }
    }

    /// The member a read must go to, when it must (0-based).
    var pinnedMember: Int? {
        if case .staleGet(_, let node) = self { return node - 1 }
        return nil
    }

    /// The history record as invoked: what was asked (the outcome is filled in later).
    func record(client: String, invoke: Double) -> HistoryRecord {
        switch self {
        case .put(let key, let value):
            HistoryRecord(process: client, f: "put", key: key, value: value, invoke: invoke, complete: nil,
                          outcome: .unknown)
        case .get(let key):
            HistoryRecord(process: client, f: "get", key: key, invoke: invoke, complete: nil, outcome: .unknown,
                          stale: false)
        case .staleGet(let key, _):
            HistoryRecord(process: client, f: "get", key: key, invoke: invoke, complete: nil, outcome: .unknown,
                          stale: true)
        case .delete(let key):
            HistoryRecord(process: client, f: "del", key: key, invoke: invoke, complete: nil, outcome: .unknown)
        case .compareAndSet(let key, let old, let new):
            HistoryRecord(process: client, f: "cas", key: key, old: old, new: new, invoke: invoke, complete: nil,
                          outcome: .unknown)
        }
    }

    /// Sends the operation on `connection`, failing after `milliseconds`.
    func send(on connection: EtcdConnection, withinMs milliseconds: Int) async throws -> Answer {
        switch self {
        case .put(let key, let value):
            let answer = try await connection.call(
                EtcdPutRequest(key: EtcdBytes(key), value: EtcdBytes(value), previousKeyValue: true),
                withinMs: milliseconds)
            return .written(previous: answer.previousKeyValue?.value.description)
        case .get(let key), .staleGet(let key, _):
            let answer = try await connection.call(
                EtcdRangeRequest(key: EtcdBytes(key), serializable: pinnedMember != nil), withinMs: milliseconds)
            return .read(answer.keyValues.first?.value.description)
        case .delete(let key):
            let answer = try await connection.call(EtcdDeleteRequest(key: EtcdBytes(key)), withinMs: milliseconds)
            return .written(previous: answer.previousKeyValues.first?.value.description)
        case .compareAndSet(let key, let old, let new):
            let answer = try await connection.call(
                EtcdCompareAndSetRequest(key: EtcdBytes(key), expected: EtcdBytes(old), value: EtcdBytes(new)),
                withinMs: milliseconds)
            return answer.succeeded ? .written(previous: old)
                : .compareFailed(current: answer.current?.value.description)
        }
    }

    /// Fills in how the operation ended.
    static func finish(_ record: inout HistoryRecord, _ answer: Answer, at seconds: Double) {
        record.complete = seconds
        switch answer {
        case .written(let previous):
            record.outcome = .ok
            record.previous = previous
        case .read(let value):
            record.outcome = .ok
            record.value = value
        case .compareFailed:
            record.outcome = .fail
            record.result = "compareFailed"
        }
    }

    /// What the command prints for an answer.
    func output(_ answer: Answer) -> CommandOutput {
        switch (self, answer) {
        case (.delete, .written(let previous)):
            CommandOutput(lines: [previous == nil ? "0 (no such key)" : "1"])
        case (_, .written):
            CommandOutput(lines: ["OK"])
        case (_, .read(let value)):
            CommandOutput(lines: [value ?? "(not found)"], read: value.map(KeyRead.value) ?? .absent)
        case (_, .compareFailed(let current)):
            CommandOutput(lines: ["cas failed: the key holds \(current.map { "\"\($0)\"" } ?? "nothing")"],
                          ok: false)
        }
    }
}

/// How one attempt at a member failed.
enum EtcdAttemptFailure: Error, Sendable, CustomStringConvertible {
    /// Nothing reached etcd's store: the connection could not open, or etcd refused before
    /// proposing ("no leader"). Another member may be tried, even for a write.
    case notSent(String)
    /// The request went out and no answer says what became of it: a write is then unknown.
    case ambiguous(String)

    /// Classifies an error from an attempt.
    static func of(_ error: any Error, connected: Bool) -> EtcdAttemptFailure {
        guard connected else { return .notSent("\(error)") }
        if case EtcdError.server(_, _, let message) = error,
           // Not "election: no leader", which is an answer about an election, not about Raft.
           message.contains("etcdserver: no leader") || message.contains("too many requests") {
            return .notSent(message)
        }
        return .ambiguous("\(error)")
    }

    /// Why, in the words of the error (etcd's own message when it answered).
    var description: String {
        switch self {
        case .notSent(let why), .ambiguous(let why): why
        }
    }
}
