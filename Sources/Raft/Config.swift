/// Deliberate mistakes that can be switched on in the core, to show what each Raft rule prevents and to
/// prove that the simulation's checks notice when a rule is broken. All are off by default.
public enum BugKnob: String, CaseIterable, Sendable {
    /// Commits an entry from an older term by counting its replicas (the paper's Figure 8 hazard).
    case commitOldTerm = "commit-old-term"
    /// Grants a vote even after voting for another candidate in the same term.
    case voteTwice = "vote-twice"
    /// Grants votes without checking that the candidate's log is at least as up to date.
    case skipLogCheck = "skip-log-check"
    /// Does not make `votedFor` durable, so a restarted node may vote again in the same term.
    case forgetVoteOnRestart = "forget-vote-on-restart"
    /// A leader answers reads from its own commit index without confirming it still leads.
    case staleLeaderRead = "stale-leader-read"
    /// Services (acted on by the node loop, not the core): a new leader proposes service time from
    /// its own clock instead of continuing the replicated one, so leases may end at once.
    case leaseLocalClock = "lease-local-clock"
    /// Services: client sessions do not deduplicate, so a retried write applies twice.
    case sessionForgets = "session-forgets"
    /// Primary/backup only: a replica takes the stream of a primary from an older epoch (one already
    /// replaced), so what it applies is no longer its own epoch's primary's stream.
    case acceptStaleEpoch = "accept-stale-epoch"

    /// One line for `--help` and the console.
    public var summary: String {
        switch self {
        case .commitOldTerm: "leader commits older-term entries by counting replicas (Figure 8)"
        case .voteTwice: "a node may vote for two candidates in one term"
        case .skipLogCheck: "votes are granted without the log up-to-date check"
        case .forgetVoteOnRestart: "votedFor is not made durable, so a restart forgets it"
        case .staleLeaderRead: "a leader serves reads without confirming it still leads (no ReadIndex round)"
        case .leaseLocalClock: "a new leader's clock entries carry its own clock, not the replicated time"
        case .sessionForgets: "client sessions do not deduplicate: a retried write applies twice"
        case .acceptStaleEpoch: "primary/backup: a replica applies the stream of a primary from an older epoch"
        }
    }
}

/// An invalid configuration, with the reason in words.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String

    /// An error with its reason (also for the primary/backup core's config, outside this module).
    public init(description: String) {
        self.description = description
    }
}

/// How one node behaves. Times are in ticks; the runtime decides how long a tick is.
public struct Config: Sendable {
    /// This node.
    public var id: NodeID
    /// Every voting member, this node included.
    public var members: [NodeID]
    /// Ticks between heartbeats from a leader.
    public var heartbeatTicks: Int = 1
    /// Base election timeout; each election waits a random number of ticks in [base, 2 × base).
    public var electionTicks: Int = 10
    /// Ask for pre-votes before incrementing the term, so a partitioned node cannot disrupt the cluster.
    public var preVote: Bool = true
    /// A leader that has not heard from a majority within an election timeout steps down, and followers
    /// that heard from a leader within one ignore vote requests.
    public var checkQuorum: Bool = true
    /// Most entries one AppendEntries carries.
    public var maxEntriesPerAppend: Int = 64
    /// Most AppendEntries a leader keeps unacknowledged per follower while replicating.
    public var maxInflightAppends: Int = 32
    /// Seed for the election timeout randomness (the only randomness in the core).
    public var randomSeed: UInt64 = 0
    /// Deliberate mistakes to switch on.
    public var bugs: Set<BugKnob> = []

    public init(id: NodeID, members: [NodeID]) {
        self.id = id
        self.members = members
    }

    /// Checks the limits every other part of the core relies on.
    public func validate() throws(ConfigError) {
        guard members.contains(id) else {
            throw ConfigError(description: "node \(id) is not among the members \(members)")
        }
        guard Set(members).count == members.count else {
            throw ConfigError(description: "members \(members) has duplicates")
        }
        guard heartbeatTicks >= 1 else {
            throw ConfigError(description: "heartbeat must be at least one tick")
        }
        guard electionTicks > heartbeatTicks else {
            throw ConfigError(description: "election timeout must be longer than the heartbeat")
        }
        guard maxEntriesPerAppend >= 1, maxInflightAppends >= 1 else {
            throw ConfigError(description: "append size and in-flight limit must be at least 1")
        }
    }

    var quorum: Int { members.count / 2 + 1 }
}

/// A small, fast, seedable generator (SplitMix64), so that a seed replays the same elections.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
