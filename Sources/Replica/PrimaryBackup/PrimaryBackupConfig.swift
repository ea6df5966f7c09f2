import Raft

/// When a primary answers a write.
public enum Acknowledgement: Sendable, Equatable {
    /// As soon as the primary has applied it (Redis, MySQL's default): replicas copy it later, so a
    /// failover may promote a replica that never had it.
    case async
    /// Once `replicas` replicas hold it (MySQL's semi-synchronous replication). With no such answer
    /// within `fallbackTicks`, the primary stops waiting and answers as `async` until enough
    /// replicas have caught up again (MySQL's `rpl_semi_sync_master_timeout`); nil waits for ever.
    case semiSync(replicas: Int, fallbackTicks: Int?)
}

/// How one primary/backup node behaves. Times are in ticks; the host decides how long a tick is.
public struct PrimaryBackupConfig: Sendable {
    /// This node.
    public var id: NodeID
    /// Every node, this one included; a quorum of their monitors promotes a new primary.
    public var members: [NodeID]
    /// Ticks between a primary's heartbeats (and its resends of an unanswered stream).
    public var heartbeatTicks = 1
    /// A monitor declares the primary down when it has not heard from it for this many ticks (each
    /// node waits a random [down, 2 × down) before it asks to be promoted, so two seldom ask at once).
    public var downTicks = 10
    public var acknowledgement: Acknowledgement = .async
    /// Most entries one stream message carries.
    public var maxEntriesPerAppend = 256
    /// Seed for the down timeout's randomness (the only randomness in the core).
    public var randomSeed: UInt64 = 0
    /// Deliberate mistakes (`accept-stale-epoch` is this core's).
    public var bugs: Set<BugKnob> = []

    public init(id: NodeID, members: [NodeID]) {
        self.id = id
        self.members = members
    }

    /// Checks the limits the core relies on.
    public func validate() throws(ConfigError) {
        guard members.contains(id), Set(members).count == members.count else {
            throw ConfigError(description: "node \(id) must be among the members \(members), once")
        }
        guard heartbeatTicks >= 1, downTicks > heartbeatTicks, maxEntriesPerAppend >= 1 else {
            throw ConfigError(description: "heartbeat ≥ 1 tick, down timeout longer than it, appends ≥ 1 entry")
        }
        if case .semiSync(let replicas, let fallback) = acknowledgement {
            guard (1...max(1, members.count - 1)).contains(replicas), members.count > 1 else {
                throw ConfigError(description: "semi-sync needs 1…\(members.count - 1) replicas, not \(replicas)")
            }
            guard (fallback ?? 1) >= 1 else { throw ConfigError(description: "semi-sync fallback below 1 tick") }
        }
    }

    var quorum: Int { members.count / 2 + 1 }
}

/// A primary's view of one replica.
public struct ReplicaProgress: Sendable, Equatable {
    /// The highest offset the replica is known to hold (its lag is the primary's last offset minus it).
    public var match: LogIndex = 0
    /// The next offset to send.
    public var next: LogIndex
    /// True once the replica's stream is known to be a prefix of the primary's.
    public var confirmed = false
    /// True while a full copy is on its way.
    public var copying = false
    /// Ticks the message in flight has waited for its answer; nil when none is in flight.
    var waitingTicks: Int?

    init(next: LogIndex) {
        self.next = next
    }
}
