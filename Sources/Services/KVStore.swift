import Foundation
import Raft

/// The replicated key-value store: a deterministic state machine applied to committed entries, with
/// client sessions so that a retried write applies once.
public struct KVStore: Sendable, Equatable {
    /// How many client sessions are remembered; the least recently active is forgotten first.
    public static let maximumSessions = 1024

    private struct SessionRecord: Codable, Sendable, Equatable {
        var sequence: UInt64
        var result: CommandResult
        var lastIndex: LogIndex
    }

    private var values: [String: String] = [:]
    private var sessions: [UInt64: SessionRecord] = [:]
    public private(set) var appliedIndex: LogIndex = 0

    public init() {}

    /// The value of `key`, as of `appliedIndex`.
    public func value(of key: String) -> String? { values[key] }

    public var count: Int { values.count }

    /// Up to `limit` pairs in key order, for displays.
    public func pairs(limit: Int = Int.max) -> [(key: String, value: String)] {
        values.keys.sorted().prefix(limit).map { ($0, values[$0] ?? "") }
    }

    /// Applies one committed entry. Returns nil for entries that carry no command (leader no-ops).
    @discardableResult
    public mutating func apply(_ entry: Entry) -> CommandResult? {
        appliedIndex = entry.index
        guard entry.kind == .command else { return nil }
        guard let command = ServiceCommand(encoded: entry.data) else { return .malformed }
        return apply(command, at: entry.index)
    }

    /// Applies a decoded command at `index`, once per client session and sequence.
    public mutating func apply(_ command: ServiceCommand, at index: LogIndex) -> CommandResult {
        appliedIndex = max(appliedIndex, index)
        guard let session = command.session else { return execute(command.operation) }
        if let record = sessions[session.clientID], session.sequence <= record.sequence {
            return session.sequence == record.sequence ? record.result : .staleSequence
        }
        let result = execute(command.operation)
        sessions[session.clientID] = SessionRecord(sequence: session.sequence, result: result, lastIndex: index)
        evictSessionsOverLimit()
        return result
    }

    private mutating func execute(_ operation: KVOperation) -> CommandResult {
        switch operation {
        case .put(let key, let value):
            let previous = values.updateValue(value, forKey: key)
            return .applied(previous: previous)
        case .delete(let key):
            return .applied(previous: values.removeValue(forKey: key))
        case .compareAndSwap(let key, let expected, let new):
            guard values[key] == expected else { return .compareFailed(current: values[key]) }
            values[key] = new
            return .applied(previous: expected)
        }
    }

    /// Forgets the session that was active longest ago; ties broken by client id, so every replica
    /// forgets the same one.
    private mutating func evictSessionsOverLimit() {
        while sessions.count > Self.maximumSessions {
            let oldest = sessions.min { ($0.value.lastIndex, $0.key) < ($1.value.lastIndex, $1.key) }
            guard let oldest else { return }
            sessions[oldest.key] = nil
        }
    }

    // MARK: Snapshots

    private struct SnapshotBody: Codable {
        var appliedIndex: LogIndex
        var values: [String: String]
        /// An array sorted by client id: JSON encodes non-string dictionary keys in hash order.
        var sessions: [SessionEntry]
    }

    private struct SessionEntry: Codable {
        var clientID: UInt64
        var record: SessionRecord
    }

    /// The whole state, encoded deterministically (sorted keys), so equal states give equal bytes.
    public func snapshotData() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let sessionList = sessions.keys.sorted().map { SessionEntry(clientID: $0, record: sessions[$0]!) }
        let body = SnapshotBody(appliedIndex: appliedIndex, values: values, sessions: sessionList)
        return (try? Array(encoder.encode(body))) ?? []
    }

    /// Restores a state from `snapshotData()`.
    public init(snapshotData data: [UInt8]) throws {
        let body = try JSONDecoder().decode(SnapshotBody.self, from: Data(data))
        appliedIndex = body.appliedIndex
        values = body.values
        sessions = Dictionary(body.sessions.map { ($0.clientID, $0.record) }, uniquingKeysWith: { $1 })
    }
}
