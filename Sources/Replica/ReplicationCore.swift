import Raft

/// What the node loop needs from a replication core: inputs (tick, step, propose, read), the
/// `Ready`/`advance` hand-over, and compaction. `RaftNode` conforms; a primary/backup core will too,
/// handing out the same `Ready` batches (entries to persist, messages to send, entries to apply).
///
/// Only `ReplicaDriver` calls `ready()` and `advance(_:)`: the order in which a batch's parts are
/// done (see `Ready`) is decided there, once, for the node process and the simulator alike.
public protocol ReplicationCore {
    /// True while this node accepts proposals and linearizable reads.
    var isLeader: Bool { get }
    /// The role in words, for events (`leader`, `follower`, …).
    var roleName: String { get }
    var term: Term { get }
    /// Who this node believes leads; the hint a refused client is given.
    var leader: NodeID? { get }
    /// True when `ready()` has work to hand out.
    var hasReady: Bool { get }
    /// Where the latest snapshot (taken or installed) ends.
    var snapshotPosition: LogPosition { get }
    /// The latest snapshot the core holds.
    var snapshot: Snapshot? { get }

    /// Advances logical time by one tick.
    mutating func tick()
    /// Processes a message from a peer.
    mutating func step(_ message: Message)
    /// Places a command in the log; only a leader accepts.
    mutating func propose(_ data: [UInt8]) -> Result<LogPosition, ProposalError>
    /// Asks for a linearizable read point; answered in `Ready.readStates` or `abortedReads`.
    mutating func requestRead(id: UInt64) -> Result<Void, ProposalError>
    /// The pending work, to be done in the order `Ready` documents.
    func ready() -> Ready
    /// Confirms that `batch` was done.
    mutating func advance(_ batch: Ready)
    /// Replaces the log through `index` (applied and persisted) with the services' state `data`.
    mutating func compact(through index: LogIndex, snapshotData data: [UInt8])
    /// Lines for the event log about the core's own state that are not role or term changes (a
    /// semi-sync primary falling back to async), each handed out once.
    mutating func takeNotices() -> [String]
    /// What the core calls its term in events ("term", "epoch").
    var termWord: String { get }
}

extension ReplicationCore {
    /// Raft has nothing to report beyond its role and term.
    public mutating func takeNotices() -> [String] { [] }

    /// What the core calls its term in events ("term", "epoch").
    public var termWord: String { "term" }
}

// MARK: - RaftNode

extension RaftNode: ReplicationCore {
    public var isLeader: Bool { role == .leader }
    public var roleName: String { role.rawValue }
}

// MARK: - PrimaryBackup

extension PrimaryBackup: ReplicationCore {
    public var isLeader: Bool { role == .primary }
    public var roleName: String { role.rawValue }
    /// The epoch: of the primary this node follows or is; while asking to be promoted, the one asked for.
    public var term: Term { role == .candidate ? voteEpoch : epoch }
    public var leader: NodeID? { primary }
    public var termWord: String { "epoch" }
}
