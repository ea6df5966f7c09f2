/// Identifies a node in the cluster. Ids are small positive integers (1...9 in the console).
public typealias NodeID = Int

/// A Raft term: a logical clock that only moves forward.
public typealias Term = Int

/// A position in the replicated log; the first entry has index 1, index 0 means "nothing".
public typealias LogIndex = Int

/// What an entry carries.
public enum EntryKind: UInt8, Sendable, Equatable {
    /// The empty entry a new leader appends so that it can commit entries from older terms.
    case noop = 0
    /// An application command, opaque to Raft.
    case command = 1
}

/// One record of the replicated log.
public struct Entry: Sendable, Equatable {
    public var term: Term
    public var index: LogIndex
    public var kind: EntryKind
    public var data: [UInt8]

    public init(term: Term, index: LogIndex, kind: EntryKind = .command, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }
}

/// Where an entry sits in the log: its index and the term that wrote it.
public struct LogPosition: Sendable, Equatable, Hashable {
    public var term: Term
    public var index: LogIndex

    public init(term: Term, index: LogIndex) {
        self.term = term
        self.index = index
    }
}

/// The state Raft must keep on stable storage before it answers anyone (Figure 2, "Persistent state").
public struct HardState: Sendable, Equatable {
    public var term: Term
    public var votedFor: NodeID?
    /// Not required by the paper, but persisting it lets a restarted node re-apply without a leader.
    public var commit: LogIndex

    public init(term: Term = 0, votedFor: NodeID? = nil, commit: LogIndex = 0) {
        self.term = term
        self.votedFor = votedFor
        self.commit = commit
    }
}

/// A compacted prefix of the log: the services' state as of `position`.
public struct Snapshot: Sendable, Equatable {
    public var position: LogPosition
    public var data: [UInt8]

    public init(position: LogPosition, data: [UInt8]) {
        self.position = position
        self.data = data
    }
}

/// Everything a node recovers from its disk after a restart.
public struct PersistentState: Sendable, Equatable {
    public var hardState: HardState
    public var snapshot: Snapshot?
    /// Entries after the snapshot, contiguous.
    public var entries: [Entry]

    public init(hardState: HardState = HardState(), snapshot: Snapshot? = nil, entries: [Entry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }
}

/// The role a node plays, as in Figure 2 plus the pre-vote phase of the Raft thesis (§9.6).
public enum Role: String, Sendable, Equatable {
    case follower
    case preCandidate = "pre-candidate"
    case candidate
    case leader
}
