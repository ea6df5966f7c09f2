/// What a node shows the console: enough for a pane of the TUI. Nodes send it as their state frame
/// (Wire's `NodeStateFrame` is this type) and journals record it, so the field names are the JSON's.
public struct NodeState: Codable, Sendable, Equatable {
    /// One log entry as a pane shows it.
    public struct EntrySummary: Codable, Sendable, Equatable {
        public var index: LogIndex
        public var term: Term
        /// A short rendering: "put x=1", "noop".
        public var text: String
        /// Why applying it left the store as it was ("refused: fence below 2", "cas failed").
        public var refused: String?
        /// The client the entry names (`renew c…`), so a display can show the client's name.
        public var client: UInt64?
        /// True for lease upkeep (a clock tick or a renewal): displays fold runs of them.
        public var upkeep: Bool?

        /// Creates a summary; the optional facts default to absent (and are then left out of the JSON).
        public init(index: LogIndex, term: Term, text: String, refused: String? = nil, client: UInt64? = nil,
                    upkeep: Bool? = nil) {
            self.index = index
            self.term = term
            self.text = text
            self.refused = refused
            self.client = client
            self.upkeep = upkeep
        }
    }

    /// How a leader sends a follower entries (etcd-raft's progress states).
    public enum ReplicationMode: String, Codable, Sendable, Equatable, CaseIterable {
        /// One append at a time until the follower's match is found.
        case probe
        /// Appends pipelined behind the known match.
        case replicate
        /// A snapshot is on its way; appends wait for it.
        case snapshot
    }

    /// A leader's view of one follower.
    public struct FollowerProgress: Codable, Sendable, Equatable {
        public var node: NodeID
        public var match: LogIndex
        public var next: LogIndex
        public var mode: ReplicationMode

        /// Creates a follower's progress.
        public init(node: NodeID, match: LogIndex, next: LogIndex, mode: ReplicationMode) {
            self.node = node
            self.match = match
            self.next = next
            self.mode = mode
        }
    }

    /// One lock as the node's replica sees it.
    public struct Lock: Codable, Sendable, Equatable {
        public var name: String
        /// The holding client's id; nil when the lock is free.
        public var holder: UInt64?
        /// The holder's fencing token; for a free lock, the last token granted.
        public var token: Int
        /// How long the holder's lease still runs, from the replica's service time.
        public var leaseRemainingMs: Int?
        /// Waiting clients, next in line first.
        public var waiters: [UInt64]

        /// Creates a lock's view.
        public init(name: String, holder: UInt64?, token: Int, leaseRemainingMs: Int?, waiters: [UInt64]) {
            self.name = name
            self.holder = holder
            self.token = token
            self.leaseRemainingMs = leaseRemainingMs
            self.waiters = waiters
        }
    }

    /// One election (of the election service, not Raft's) as the node's replica sees it.
    public struct Election: Codable, Sendable, Equatable {
        public var name: String
        /// The leading client's id.
        public var leader: UInt64
        /// The value the leader proclaimed.
        public var value: String
        /// The index of the entry that made the leader leader.
        public var revision: LogIndex
        /// How long the leader's lease still runs, from the replica's service time.
        public var leaseRemainingMs: Int
        /// Candidates, next in line first.
        public var candidates: [UInt64]

        /// Creates an election's view.
        public init(name: String, leader: UInt64, value: String, revision: LogIndex, leaseRemainingMs: Int,
                    candidates: [UInt64]) {
            self.name = name
            self.leader = leader
            self.value = value
            self.revision = revision
            self.leaseRemainingMs = leaseRemainingMs
            self.candidates = candidates
        }
    }

    public var id: NodeID
    public var role: NodeRole
    public var term: Term
    public var votedFor: NodeID?
    public var leader: NodeID?
    public var commitIndex: LogIndex
    public var appliedIndex: LogIndex
    public var firstIndex: LogIndex
    public var lastIndex: LogIndex
    public var snapshotIndex: LogIndex
    /// The last few entries, oldest first.
    public var logTail: [EntrySummary]
    public var keyCount: Int
    /// A few key/value pairs in key order.
    public var sample: [String: String]
    /// Leader only: each follower's match and next index.
    public var followers: [FollowerProgress]
    /// The node's clock as text: "100ms/tick", "10ms/tick skew 2.0".
    public var pace: String
    public var frozen: Bool
    /// Locks and elections as this node's replica sees them (nil when there are none).
    public var locks: [Lock]?
    public var elections: [Election]?
    /// A (pre-)candidate's tally: who granted its campaign so far, itself first, then in the order
    /// they answered; nil for a node that is not campaigning.
    public var votes: [NodeID]?
    /// An etcd member's own facts (nil for ClusterDeck's nodes); with them, the fields etcd cannot
    /// give (vote, log bounds and tail, keys) are placeholders that displays leave out.
    public var etcd: EtcdMemberFacts?

    /// Creates a node's state; locks, elections, votes and etcd facts default to none.
    public init(id: NodeID, role: NodeRole, term: Term, votedFor: NodeID?, leader: NodeID?,
                commitIndex: LogIndex, appliedIndex: LogIndex, firstIndex: LogIndex, lastIndex: LogIndex,
                snapshotIndex: LogIndex, logTail: [EntrySummary], keyCount: Int, sample: [String: String],
                followers: [FollowerProgress], pace: String, frozen: Bool, locks: [Lock]? = nil,
                elections: [Election]? = nil, votes: [NodeID]? = nil, etcd: EtcdMemberFacts? = nil) {
        self.id = id
        self.role = role
        self.term = term
        self.votedFor = votedFor
        self.leader = leader
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.firstIndex = firstIndex
        self.lastIndex = lastIndex
        self.snapshotIndex = snapshotIndex
        self.logTail = logTail
        self.keyCount = keyCount
        self.sample = sample
        self.followers = followers
        self.pace = pace
        self.frozen = frozen
        self.locks = locks
        self.elections = elections
        self.votes = votes
        self.etcd = etcd
    }
}

extension NodeState.EntrySummary {
    /// The entry's text with its client shown by name where one is known (`renew alice` rather than
    /// `renew c1757…`), and why applying it was refused, if it was.
    /// - Parameters:
    ///   - name: the client's name for an id, nil when it has none.
    ///   - refusal: whether to add why applying it was refused.
    /// - Returns: the text to show.
    public func described(naming name: (UInt64) -> String?, refusal: Bool = true) -> String {
        var text = self.text
        if let client, let known = name(client) {
            // The standard library's `replacing` keeps ClusterAPI free of Foundation.
            text = text.replacing("c\(client)", with: known)
        }
        guard refusal, let refused else { return text }
        return "\(text) (\(refused))"
    }
}
