import Raft
import Replica
import Services

/// A broken promise: which invariant, and what happened, in words.
typealias Breach = (invariant: Violation.Invariant, detail: String)

/// The promises one replication protocol makes, checked while a seed runs: the simulation tells it
/// what the nodes do (roles, sends, writes to disk, applies, answers) and it names the first
/// promise broken. Raft's are Figure 3's; primary/backup's are few, and lost writes are counted,
/// not failed. Each protocol also builds its core from a seed's options.
protocol ProtocolInvariants {
    associatedtype Core: ReplicationCore

    init(options: SimulationOptions)
    /// The core of node `id`, restored from `disk`, with its timeouts drawn from `seed`.
    static func makeCore(id: NodeID, options: SimulationOptions, seed: UInt64, restoring disk: PersistentState)
        throws -> Core
    /// Whether the clients' history must be linearizable and exactly-once (Raft promises it).
    static var checksClientHistory: Bool { get }
    /// The highest index applied anywhere (for the summary).
    var highestCommitted: LogIndex { get }

    /// Node `id` (re)started on `disk`.
    mutating func booted(_ id: NodeID, disk: PersistentState)
    /// Node `id`'s role or term changed; `core` is what it is now.
    mutating func roleChanged(_ id: NodeID, core: Core) -> Breach?
    /// A message left a node.
    mutating func sent(_ message: Message)
    /// Node `id` made `entries` durable (`disk` already holds them).
    mutating func persisted(_ entries: [Entry], by id: NodeID, disk: PersistentState) -> Breach?
    /// Node `id`, in `term` and leading or not, applied a snapshot and then entries.
    mutating func applied(snapshot: Snapshot?, entries: [Entry], by id: NodeID, term: Term, leading: Bool) -> Breach?
    /// Node `id` took a snapshot of its own services.
    mutating func snapshotTaken(_ snapshot: Snapshot, by id: NodeID) -> Breach?
    /// A client request reached a node.
    mutating func asked(_ request: ClientRequest)
    /// A linearizable read was confirmed at `index`.
    mutating func readConfirmed(_ requestID: UInt64, at index: LogIndex, on id: NodeID) -> Breach?
    /// Node `id`, in `term`, answered a client.
    mutating func answered(_ reply: ClientReply, by id: NodeID, term: Term)
    /// Acknowledged writes, and those of them the final state lacks; nil when the protocol
    /// promises none are lost (Raft: that is what its other invariants check).
    func lostWrites() -> (lost: Int, acknowledged: Int)?
}

extension PersistentState {
    /// The term of the durable entry at `index` (the snapshot's at its index); nil when not held.
    func durableTerm(at index: LogIndex) -> Term? {
        if index == 0 { return 0 }
        if let snapshot, snapshot.position.index == index { return snapshot.position.term }
        guard let first = entries.first, index >= first.index, index - first.index < entries.count else { return nil }
        return entries[index - first.index].term
    }
}

// MARK: - Raft

/// Raft's Figure 3 (with the safety checker), and ReadIndex reads.
struct RaftInvariants: ProtocolInvariants {
    private var checker = SafetyChecker()
    /// Each node's running hash of what its services applied, through `appliedIndex[id - 1]`.
    private var appliedHash: [UInt64]
    private var appliedIndex: [LogIndex]
    /// Linearizable reads in flight: request id → highest committed index when the node got it.
    private var committedWhenAsked: [UInt64: LogIndex] = [:]

    init(options: SimulationOptions) {
        appliedHash = Array(repeating: SafetyChecker.emptyHash, count: options.nodeCount)
        appliedIndex = Array(repeating: 0, count: options.nodeCount)
    }

    static func makeCore(id: NodeID, options: SimulationOptions, seed: UInt64, restoring disk: PersistentState)
        throws -> RaftNode {
        var config = Config(id: id, members: Array(1...options.nodeCount))
        config.heartbeatTicks = options.heartbeatTicks
        config.electionTicks = options.electionTicks
        config.preVote = options.preVote
        config.checkQuorum = options.checkQuorum
        config.maxEntriesPerAppend = options.maxEntriesPerAppend
        config.randomSeed = seed
        config.bugs = options.bugs
        return try RaftNode(config: config, restoring: disk)
    }

    static var checksClientHistory: Bool { true }
    var highestCommitted: LogIndex { checker.highestCommitted }

    mutating func booted(_ id: NodeID, disk: PersistentState) {
        let snapshotIndex = disk.snapshot?.position.index ?? 0
        appliedIndex[id - 1] = snapshotIndex
        appliedHash[id - 1] = checker.appliedHash(through: snapshotIndex)
    }

    mutating func roleChanged(_ id: NodeID, core: RaftNode) -> Breach? {
        guard core.role == .leader, let problem = checker.leaderElected(id, term: core.term, log: core) else {
            return nil
        }
        return (problem.contains("both leaders") ? .electionSafety : .leaderCompleteness, problem)
    }

    mutating func sent(_ message: Message) {}

    /// Log matching, on what the node just made durable (its predecessor terms from its disk).
    mutating func persisted(_ entries: [Entry], by id: NodeID, disk: PersistentState) -> Breach? {
        for entry in entries {
            let previousTerm = disk.durableTerm(at: entry.index - 1) ?? -1
            if let problem = checker.entryWritten(entry, previousTerm: previousTerm, by: id) {
                return (.logMatching, problem)
            }
        }
        return nil
    }

    /// State machine safety: what each node applies (and so has committed) is the same history.
    mutating func applied(snapshot: Snapshot?, entries: [Entry], by id: NodeID, term: Term, leading: Bool) -> Breach? {
        if let snapshot {
            guard snapshot.position.index <= checker.highestApplied else {
                return (.stateMachineSafety, "n\(id) installed a snapshot through \(snapshot.position.index), "
                    + "beyond what any node applied")
            }
            appliedIndex[id - 1] = snapshot.position.index
            appliedHash[id - 1] = checker.appliedHash(through: snapshot.position.index)
        }
        for entry in entries {
            if let problem = checker.committed(index: entry.index, entryTerm: entry.term, by: id, nodeTerm: term) {
                return (.stateMachineSafety, problem)
            }
            appliedHash[id - 1] = SafetyChecker.chain(appliedHash[id - 1], entry)
            appliedIndex[id - 1] = entry.index
            if let problem = checker.applied(index: entry.index, hash: appliedHash[id - 1], by: id) {
                return (.stateMachineSafety, problem)
            }
        }
        return nil
    }

    mutating func snapshotTaken(_ snapshot: Snapshot, by id: NodeID) -> Breach? {
        checker.snapshotTaken(snapshot, by: id).map { (.serviceDeterminism, $0) }
    }

    mutating func asked(_ request: ClientRequest) {
        if case .read = request.operation { committedWhenAsked[request.requestID] = checker.highestCommitted }
    }

    /// A confirmed read must see every write committed before it was asked.
    mutating func readConfirmed(_ requestID: UInt64, at index: LogIndex, on id: NodeID) -> Breach? {
        guard let committed = committedWhenAsked.removeValue(forKey: requestID), index < committed else { return nil }
        return (.linearizableRead, "n\(id) confirmed read \(requestID) at index \(index), "
            + "but \(committed) was committed before it was asked")
    }

    mutating func answered(_ reply: ClientReply, by id: NodeID, term: Term) {}

    func lostWrites() -> (lost: Int, acknowledged: Int)? { nil }
}
