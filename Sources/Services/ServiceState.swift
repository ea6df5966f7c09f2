import Foundation
import Raft

/// Everything the services replicate — the key-value store with its fences, the lock service, the
/// election service and service time — as one deterministic state machine applied to committed
/// entries, with client sessions so that a retried command applies once.
///
/// Time enters only through `clock` commands: no clock is read and nothing is random, so every replica
/// that applies the same entries reaches the same state.
public struct ServiceState: Sendable, Equatable {
    /// How many client sessions are remembered; the least recently active is forgotten first.
    public static let maximumSessions = 1024

    private struct SessionRecord: Codable, Sendable, Equatable {
        var sequence: UInt64
        var result: CommandResult
        var lastIndex: LogIndex
    }

    private var values: [String: String] = [:]
    /// The highest fencing token each key has accepted.
    private var fences: [String: Int] = [:]
    private var sessions: [UInt64: SessionRecord] = [:]
    private var lockTable = LockTable()
    private var electionTable = ElectionTable()
    public private(set) var limits: ServiceLimits
    public private(set) var appliedIndex: LogIndex = 0
    /// Service time in milliseconds: the largest `clock` seen, never going backwards.
    public private(set) var nowMs = 0
    /// The `session-forgets` bug knob: a retried command runs again instead of returning the result
    /// its first run recorded. Not part of the replicated state (snapshots leave it out): the node
    /// that runs with the knob sets it.
    public var forgetsRetries = false

    public init(limits: ServiceLimits = ServiceLimits()) {
        self.limits = limits
    }

    // MARK: Queries (read from any replica, as of `appliedIndex`)

    /// The value of `key`, as of `appliedIndex`.
    public func value(of key: String) -> String? { values[key] }

    public var count: Int { values.count }

    /// Up to `limit` pairs in key order, for displays.
    public func pairs(limit: Int = Int.max) -> [(key: String, value: String)] {
        smallestKeys(limit).map { ($0, values[$0] ?? "") }
    }

    /// The `limit` smallest keys in order. Panes ask for a few of thousands on every state report:
    /// keeping the few smallest seen beats sorting them all.
    private func smallestKeys(_ limit: Int) -> [String] {
        guard limit > 0 else { return [] }
        guard limit < values.count else { return values.keys.sorted() }
        var smallest: [String] = []
        smallest.reserveCapacity(limit + 1)
        for key in values.keys { smallest.insertKeepingSmallest(key, limit: limit) }
        return smallest
    }

    /// The highest fencing token `key` has accepted.
    public func fence(of key: String) -> Int? { fences[key] }

    /// Every lock record in name order (free ones too, with their last token).
    public func locks() -> [LockInfo] { lockTable.info(now: nowMs) }

    /// True while a lock is held or awaited, or an election has a leader: service time matters then.
    public var hasLeases: Bool {
        !electionTable.elections.isEmpty || lockTable.locks.values.contains { !$0.isFree }
    }

    /// Who holds `lock`, with which token, until when (service time).
    public func holder(of lock: String) -> (client: UInt64, token: Int, expiresAtMs: Int)? {
        guard let record = lockTable.locks[lock], let holder = record.holder else { return nil }
        return (holder.client, record.lastToken, holder.expiresAtMs)
    }

    /// Every election with a leader, in name order.
    public func elections() -> [ElectionInfo] { electionTable.info(now: nowMs) }

    /// Who leads `name` (etcd's Leader / Observe).
    public func leader(of name: String) -> (client: UInt64, value: String, revision: LogIndex)? {
        guard let election = electionTable.elections[name] else { return nil }
        return (election.leader.lease.client, election.leader.value, election.revision)
    }

    // MARK: Applying

    /// Applies one committed entry. Returns nil for entries that carry no command (leader no-ops).
    @discardableResult
    public mutating func apply(_ entry: Entry) -> CommandResult? {
        appliedIndex = entry.index
        guard entry.kind == .command else { return nil }
        guard let command = ServiceCommand(encoded: entry.data) else { return .malformed }
        return apply(command, at: entry.index)
    }

    /// Applies a decoded command at `index`, once per client session and sequence.
    @discardableResult
    public mutating func apply(_ command: ServiceCommand, at index: LogIndex) -> CommandResult {
        appliedIndex = max(appliedIndex, index)
        guard let session = command.session else { return execute(command.operation, at: index) }
        if !forgetsRetries, let record = sessions[session.clientID], session.sequence <= record.sequence {
            return session.sequence == record.sequence ? record.result : .staleSequence
        }
        let result = execute(command.operation, at: index)
        sessions[session.clientID] = SessionRecord(sequence: session.sequence, result: result, lastIndex: index)
        evictSessionsOverLimit()
        return result
    }

    private mutating func execute(_ operation: ServiceOperation, at index: LogIndex) -> CommandResult {
        switch operation {
        case .kv(let operation):
            return execute(operation)
        case .clock(let time):
            nowMs = max(nowMs, time)
            expireLeases(at: index)
            return .ticked(nowMs: nowMs)
        case .renew(let client):
            expireLeases(at: index)
            return .renewed(leases: lockTable.renew(client: client, now: nowMs)
                                + electionTable.renew(client: client, now: nowMs))
        case .lock(.acquire(let lock, let client, let ttlMs)):
            if let problem = Self.problem(name: lock, ttlMs: ttlMs) { return problem }
            expireLeases(at: index)
            return lockTable.acquire(lock, client: client, ttlMs: ttlMs, now: nowMs, index: index, limits: limits)
        case .lock(.release(let lock, let client)):
            expireLeases(at: index)
            return lockTable.release(lock, client: client, now: nowMs, index: index)
        case .election(.campaign(let name, let client, let value, let ttlMs)):
            if let problem = Self.problem(name: name, ttlMs: ttlMs) { return problem }
            expireLeases(at: index)
            return electionTable.campaign(name, client: client, value: value, ttlMs: ttlMs, now: nowMs,
                                          index: index, limits: limits)
        case .election(.resign(let name, let client)):
            expireLeases(at: index)
            return electionTable.resign(name, client: client, now: nowMs, index: index)
        }
    }

    private static func problem(name: String, ttlMs: Int) -> CommandResult? {
        if name.isEmpty { return .invalid(reason: "empty name") }
        if ttlMs <= 0 { return .invalid(reason: "ttl must be positive, not \(ttlMs)") }
        return nil
    }

    private mutating func expireLeases(at index: LogIndex) {
        lockTable.expire(now: nowMs, index: index)
        electionTable.expire(now: nowMs, index: index)
    }

    private mutating func execute(_ operation: KVOperation) -> CommandResult {
        switch operation {
        case .put(let key, let value, let fence):
            if let fence {
                if let highest = fences[key], fence < highest { return .fenced(highest: highest) }
                fences[key] = fence
            }
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
        var nowMs: Int
        var fences: [String: Int]
        var locks: LockTable
        var elections: ElectionTable
        var limits: ServiceLimits

        init(appliedIndex: LogIndex, values: [String: String], sessions: [SessionEntry], nowMs: Int,
             fences: [String: Int], locks: LockTable, elections: ElectionTable, limits: ServiceLimits) {
            self.appliedIndex = appliedIndex
            self.values = values
            self.sessions = sessions
            self.nowMs = nowMs
            self.fences = fences
            self.locks = locks
            self.elections = elections
            self.limits = limits
        }

        /// Snapshots written before the lock and election services lack their fields: they restore
        /// with those services empty.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            appliedIndex = try container.decode(LogIndex.self, forKey: .appliedIndex)
            values = try container.decode([String: String].self, forKey: .values)
            sessions = try container.decode([SessionEntry].self, forKey: .sessions)
            nowMs = try container.decodeIfPresent(Int.self, forKey: .nowMs) ?? 0
            fences = try container.decodeIfPresent([String: Int].self, forKey: .fences) ?? [:]
            locks = try container.decodeIfPresent(LockTable.self, forKey: .locks) ?? LockTable()
            elections = try container.decodeIfPresent(ElectionTable.self, forKey: .elections) ?? ElectionTable()
            limits = try container.decodeIfPresent(ServiceLimits.self, forKey: .limits) ?? ServiceLimits()
        }
    }

    private struct SessionEntry: Codable {
        var clientID: UInt64
        var record: SessionRecord
    }

    /// The whole state, encoded deterministically (sorted keys; the one dictionary with non-string
    /// keys goes as a sorted array), so equal states give equal bytes.
    public func snapshotData() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let sessionList = sessions.keys.sorted().map { SessionEntry(clientID: $0, record: sessions[$0]!) }
        let body = SnapshotBody(appliedIndex: appliedIndex, values: values, sessions: sessionList, nowMs: nowMs,
                                fences: fences, locks: lockTable, elections: electionTable, limits: limits)
        return (try? Array(encoder.encode(body))) ?? []
    }

    /// Restores a state from `snapshotData()`.
    public init(snapshotData data: [UInt8]) throws {
        let body = try JSONDecoder().decode(SnapshotBody.self, from: Data(data))
        appliedIndex = body.appliedIndex
        values = body.values
        sessions = Dictionary(body.sessions.map { ($0.clientID, $0.record) }, uniquingKeysWith: { $1 })
        nowMs = body.nowMs
        fences = body.fences
        lockTable = body.locks
        electionTable = body.elections
        limits = body.limits
    }
}

extension Array where Element: Comparable {
    /// Inserts `element` into this sorted array of at most `limit` elements if it is among the
    /// `limit` smallest, dropping the largest when the array would grow past `limit`.
    public mutating func insertKeepingSmallest(_ element: Element, limit: Int) {
        guard limit > 0, count < limit || element < self[count - 1] else { return }
        insert(element, at: firstIndex { element < $0 } ?? count)
        if count > limit { removeLast() }
    }
}
