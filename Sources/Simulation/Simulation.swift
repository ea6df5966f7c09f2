import HeapModule
import Raft

/// The outcome of one seed.
public struct SeedResult: Sendable {
    public var seed: UInt64
    public var options: SimulationOptions
    public var violation: Violation?
    /// Hash of every event, in order: equal across processes for one seed.
    public var traceHash: UInt64
    /// The last events before the end (or the violation), readable.
    public var traceTail: [String]
    public var stats: SimulationStats
}

/// Counters a seed reports, for summaries and for tests that need a fault to have happened.
public struct SimulationStats: Sendable {
    public var messagesDelivered = 0
    public var messagesDropped = 0
    public var crashes = 0
    public var partitions = 0
    public var elections = 0
    public var snapshotInstalls = 0
    public var proposals = 0
    public var highestCommitted = 0
    public var readsConfirmed = 0
    public var virtualMs = 0

    public init() {}

    /// Adds another seed's counters to these (highest committed and virtual time are summed too).
    public mutating func add(_ other: SimulationStats) {
        messagesDelivered += other.messagesDelivered
        messagesDropped += other.messagesDropped
        crashes += other.crashes
        partitions += other.partitions
        elections += other.elections
        snapshotInstalls += other.snapshotInstalls
        proposals += other.proposals
        highestCommitted += other.highestCommitted
        readsConfirmed += other.readsConfirmed
        virtualMs += other.virtualMs
    }
}

/// One seeded run: the real `RaftNode` core on a virtual clock and a virtual, faulty network, checked
/// after every step.
public struct Simulation {
    public let options: SimulationOptions
    private var random: SeededRandom
    private var nowMs = 0
    private var queue = Heap<Scheduled>()
    private var sequence = 0
    private var nodes: [SimulatedNode]
    private var network: LinkTable
    private var checker = SafetyChecker()
    private var trace = Trace()
    private var stats = SimulationStats()
    private var violation: Violation?
    private var faultsActive = true
    private var clientLeaderHint: [NodeID]
    /// Reads waiting for confirmation: id → highest committed index when the read was asked.
    private var pendingReads: [UInt64: LogIndex] = [:]
    private var nextReadID: UInt64 = 1
    /// Set in the liveness phase once the marker proposal is committed.
    private var marker: (node: NodeID, position: LogPosition)?
    private var markerCommitted = false

    /// - Parameters:
    ///   - options: the seed's run.
    ///   - traceLines: how many of the last events the result keeps as readable lines.
    public init(options: SimulationOptions, traceLines: Int = 60) {
        self.options = options
        trace = Trace(capacity: max(1, traceLines))
        random = SeededRandom(seed: options.seed ^ 0x5EED_5EED_5EED_5EED)
        let ids = Array(1...options.nodeCount)
        nodes = ids.map { SimulatedNode(id: $0) }
        network = LinkTable(nodeCount: options.nodeCount)
        clientLeaderHint = Array(repeating: 1, count: options.clientCount)
    }

    /// Runs the fault phase, then the liveness phase, stopping at the first violation.
    public mutating func run() -> SeedResult {
        for id in 1...options.nodeCount { start(node: id) }
        schedule(.partitionChange, afterMs: gap(mean: options.partitionEveryMs))
        schedule(.crash, afterMs: gap(mean: options.crashEveryMs))
        for client in 0..<options.clientCount {
            schedule(.clientRequest(client: client), afterMs: gap(mean: options.proposeEveryMs))
        }
        schedule(.endFaults, afterMs: options.faultPhaseMs)
        let deadline = options.faultPhaseMs + options.livenessBoundMs
        while violation == nil, !markerCommitted, let next = queue.popMin() {
            if next.timeMs > deadline { break }
            nowMs = next.timeMs
            handle(next.event)
        }
        if violation == nil && !markerCommitted {
            fail(.liveness, "no proposal committed within \(options.livenessBoundMs) ms after faults stopped")
        }
        stats.virtualMs = nowMs
        stats.highestCommitted = checker.highestCommitted
        return SeedResult(seed: options.seed, options: options, violation: violation,
                          traceHash: trace.hash, traceTail: trace.tail(), stats: stats)
    }

    // MARK: Events

    private enum Event {
        case tick(node: NodeID, incarnation: Int)
        case flush(node: NodeID, incarnation: Int)
        case deliver(Message)
        case partitionChange
        case crash
        case restart(node: NodeID)
        case clientRequest(client: Int)
        case endFaults
        case proposeMarker
    }

    private struct Scheduled: Comparable {
        var timeMs: Int
        var sequence: Int
        var event: Event

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.timeMs, lhs.sequence) < (rhs.timeMs, rhs.sequence)
        }

        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.timeMs == rhs.timeMs && lhs.sequence == rhs.sequence
        }
    }

    private mutating func schedule(_ event: Event, afterMs delay: Int) {
        sequence += 1
        queue.insert(Scheduled(timeMs: nowMs + delay, sequence: sequence, event: event))
    }

    private mutating func handle(_ event: Event) {
        switch event {
        case .tick(let id, let incarnation): tick(node: id, incarnation: incarnation)
        case .flush(let id, let incarnation): flush(node: id, incarnation: incarnation)
        case .deliver(let message): deliver(message)
        case .partitionChange: changePartition()
        case .crash: crashRandomNode()
        case .restart(let id): if nodes[id - 1].raft == nil { start(node: id) }
        case .clientRequest(let client): clientRequest(client)
        case .endFaults: endFaults()
        case .proposeMarker: proposeMarker()
        }
    }

    // MARK: Nodes

    private mutating func start(node id: NodeID) {
        var config = Config(id: id, members: Array(1...options.nodeCount))
        config.heartbeatTicks = options.heartbeatTicks
        config.electionTicks = options.electionTicks
        config.preVote = options.preVote
        config.checkQuorum = options.checkQuorum
        config.maxEntriesPerAppend = options.maxEntriesPerAppend
        config.randomSeed = random.next()
        config.bugs = options.bugs
        nodes[id - 1].boot(config: config)
        if nowMs > 0 { record(.restart(node: id)) }
        let incarnation = nodes[id - 1].incarnation
        let firstTickMs = Int.random(in: 1...options.tickMs, using: &random)
        schedule(.tick(node: id, incarnation: incarnation), afterMs: firstTickMs)
        scheduleFlushIfNeeded(id)
    }

    private mutating func tick(node id: NodeID, incarnation: Int) {
        guard nodes[id - 1].incarnation == incarnation, nodes[id - 1].raft != nil else { return }
        observe(id) { $0.tick() }
        schedule(.tick(node: id, incarnation: incarnation), afterMs: options.tickMs)
    }

    /// Runs `change` on a live node, then checks what it became and schedules its disk flush.
    /// The node is changed in place: a copy would make every array inside it copy on write.
    private mutating func observe(_ id: NodeID, _ change: (inout RaftNode) -> Void) {
        guard let before = nodes[id - 1].raft.map({ ($0.role, $0.term) }) else { return }
        change(&nodes[id - 1].raft!)
        if (nodes[id - 1].raft!.role, nodes[id - 1].raft!.term) != before { roleChanged(id) }
        scheduleFlushIfNeeded(id)
    }

    private mutating func roleChanged(_ id: NodeID) {
        let raft = nodes[id - 1].raft!
        record(.roleChange(node: id, role: raft.role, term: raft.term))
        guard raft.role == .leader else { return }
        stats.elections += 1
        if let problem = checker.leaderElected(id, term: raft.term, log: raft) {
            let invariant: Violation.Invariant = problem.contains("both leaders")
                ? .electionSafety : .leaderCompleteness
            fail(invariant, problem)
        }
    }

    private mutating func scheduleFlushIfNeeded(_ id: NodeID) {
        guard let raft = nodes[id - 1].raft, raft.hasReady, !nodes[id - 1].flushScheduled else { return }
        nodes[id - 1].flushScheduled = true
        let incarnation = nodes[id - 1].incarnation
        schedule(.flush(node: id, incarnation: incarnation), afterMs: Int.random(in: 0...2, using: &random))
    }

    /// The node's I/O step: persist, then send, then apply, then advance (the order `Ready` demands).
    private mutating func flush(node id: NodeID, incarnation: Int) {
        guard nodes[id - 1].incarnation == incarnation, let batch = nodes[id - 1].raft?.ready()
        else { return }
        nodes[id - 1].flushScheduled = false
        checkWritten(batch.entries, by: id)
        nodes[id - 1].persist(batch)
        checkCommitted(by: id)
        for message in batch.messages { send(message) }
        apply(batch, on: id)
        nodes[id - 1].raft!.advance(batch)
        answerReads(batch, on: id)
        nodes[id - 1].compactIfDue(every: options.snapshotEvery)
        scheduleFlushIfNeeded(id)
    }

    private mutating func checkWritten(_ entries: [Entry], by id: NodeID) {
        for entry in entries {
            let previousTerm = nodes[id - 1].raft!.term(at: entry.index - 1) ?? -1
            if let problem = checker.entryWritten(entry, previousTerm: previousTerm, by: id) {
                return fail(.logMatching, problem)
            }
        }
    }

    private mutating func checkCommitted(by id: NodeID) {
        let raft = nodes[id - 1].raft!
        let from = nodes[id - 1].checkedCommit + 1
        guard raft.commitIndex >= from else { return }
        for index in from...raft.commitIndex {
            guard let entryTerm = raft.term(at: index) else { continue }
            let problem = checker.committed(index: index, entryTerm: entryTerm, by: id, nodeTerm: raft.term)
            if let problem {
                return fail(.stateMachineSafety, problem)
            }
        }
        nodes[id - 1].checkedCommit = raft.commitIndex
        record(.commit(node: id, index: raft.commitIndex))
        if let marker, marker.node == id, raft.commitIndex >= marker.position.index,
           raft.term(at: marker.position.index) == marker.position.term {
            markerCommitted = true
        }
    }

    private mutating func apply(_ batch: Ready, on id: NodeID) {
        if let snapshot = batch.snapshot {
            stats.snapshotInstalls += 1
            record(.snapshotInstalled(node: id, index: snapshot.position.index))
            guard let state = ReplicaState(snapshotData: snapshot.data) else {
                return fail(.stateMachineSafety, "n\(id) received an unreadable snapshot")
            }
            nodes[id - 1].replica = state
            if let problem = checker.applied(index: state.appliedIndex, hash: state.hash, by: id) {
                return fail(.stateMachineSafety, problem)
            }
        }
        for entry in batch.committedEntries {
            nodes[id - 1].replica.apply(entry)
            let replica = nodes[id - 1].replica
            if let problem = checker.applied(index: replica.appliedIndex, hash: replica.hash, by: id) {
                return fail(.stateMachineSafety, problem)
            }
        }
    }

    // MARK: Network

    private mutating func send(_ message: Message) {
        if faultsActive {
            if network.isCut(from: message.from, to: message.to) {
                return drop(message, "partitioned")
            }
            if chance(options.lossRate) { return drop(message, "lost") }
            if chance(options.duplicateRate) { schedule(.deliver(message), afterMs: delay()) }
        }
        schedule(.deliver(message), afterMs: delay())
    }

    private mutating func drop(_ message: Message, _ reason: String) {
        stats.messagesDropped += 1
        record(.drop(message, reason: reason))
    }

    /// While faults are on, delays vary, which reorders messages; afterwards every message takes the
    /// same time, so each link is first-in first-out like a TCP connection.
    private mutating func delay() -> Int {
        guard faultsActive else { return options.delayMsMin }
        return Int.random(in: options.delayMsMin...options.delayMsMax, using: &random)
    }

    private mutating func deliver(_ message: Message) {
        guard nodes[message.to - 1].raft != nil else { return drop(message, "receiver down") }
        if faultsActive && network.isCut(from: message.from, to: message.to) {
            return drop(message, "partitioned")
        }
        stats.messagesDelivered += 1
        record(.deliver(message))
        observe(message.to) { $0.step(message) }
    }

    private mutating func changePartition() {
        guard faultsActive else { return }
        stats.partitions += 1
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            network.healAll()
            record(.heal)
        case 1:
            let description = network.cutOneWay(using: &random)
            record(.partition(description))
        default:
            let description = network.split(using: &random)
            record(.partition(description))
        }
        schedule(.partitionChange, afterMs: gap(mean: options.partitionEveryMs))
    }

    // MARK: Crashes

    private mutating func crashRandomNode() {
        guard faultsActive else { return }
        let id = Int.random(in: 1...options.nodeCount, using: &random)
        if nodes[id - 1].raft != nil {
            stats.crashes += 1
            nodes[id - 1].crash()
            record(.crash(node: id))
            schedule(.restart(node: id), afterMs: [20, 200, 1_500].randomElement(using: &random)!)
        }
        schedule(.crash, afterMs: gap(mean: options.crashEveryMs))
    }

    // MARK: Clients

    /// A client proposes to the node it believes leads, or asks it for a linearizable read.
    private mutating func clientRequest(_ client: Int) {
        guard faultsActive else { return }
        schedule(.clientRequest(client: client), afterMs: gap(mean: options.proposeEveryMs))
        let target = clientLeaderHint[client]
        guard nodes[target - 1].raft != nil else {
            clientLeaderHint[client] = Int.random(in: 1...options.nodeCount, using: &random)
            return
        }
        if chance(0.2) { return requestRead(client: client, at: target) }
        stats.proposals += 1
        let command = UInt64(client) << 48 | UInt64(stats.proposals)
        var outcome: Result<LogPosition, ProposalError> = .failure(.notLeader(leaderHint: nil))
        observe(target) { outcome = $0.propose(withUnsafeBytes(of: command.littleEndian, Array.init)) }
        switch outcome {
        case .success(let position):
            record(.propose(node: target, index: position.index))
        case .failure(.notLeader(let hint)):
            clientLeaderHint[client] = hint ?? Int.random(in: 1...options.nodeCount, using: &random)
        }
    }

    private mutating func requestRead(client: Int, at target: NodeID) {
        let id = nextReadID
        nextReadID += 1
        var outcome: Result<Void, ProposalError> = .success(())
        observe(target) { outcome = $0.requestRead(id: id) }
        switch outcome {
        case .success:
            pendingReads[id] = checker.highestCommitted
        case .failure(.notLeader(let hint)):
            clientLeaderHint[client] = hint ?? Int.random(in: 1...options.nodeCount, using: &random)
        }
    }

    /// A confirmed read must see every write committed before it was asked.
    private mutating func answerReads(_ batch: Ready, on id: NodeID) {
        for aborted in batch.abortedReads { pendingReads[aborted] = nil }
        for read in batch.readStates {
            guard let committedWhenAsked = pendingReads.removeValue(forKey: read.requestID) else { continue }
            stats.readsConfirmed += 1
            if read.index < committedWhenAsked {
                return fail(.linearizableRead,
                            "n\(id) confirmed read \(read.requestID) at index \(read.index), "
                                + "but \(committedWhenAsked) was committed before it was asked")
            }
        }
    }

    // MARK: Liveness

    private mutating func endFaults() {
        faultsActive = false
        network.healAll()
        record(.phase("faults stop; liveness phase"))
        for id in 1...options.nodeCount where nodes[id - 1].raft == nil {
            start(node: id)
        }
        proposeMarker()
    }

    /// Offers the marker to every node until a leader accepts it; done when that leader commits it.
    private mutating func proposeMarker() {
        schedule(.proposeMarker, afterMs: 100)
        guard marker == nil || !markerStillPossible else { return }
        for id in 1...options.nodeCount where nodes[id - 1].raft?.role == .leader {
            var outcome: Result<LogPosition, ProposalError> = .failure(.notLeader(leaderHint: nil))
            observe(id) { outcome = $0.propose(Array("liveness".utf8)) }
            if case .success(let position) = outcome {
                marker = (id, position)
                record(.propose(node: id, index: position.index))
                break
            }
        }
    }

    /// The marker's leader is still leading in the marker's term.
    private var markerStillPossible: Bool {
        guard let marker, let raft = nodes[marker.node - 1].raft else { return false }
        return raft.role == .leader && raft.term == marker.position.term
    }

    // MARK: Helpers

    private mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1, using: &random) < probability
    }

    /// A random gap with the given mean, so faults neither bunch up nor keep a fixed rhythm.
    private mutating func gap(mean: Int) -> Int {
        Int.random(in: 1...(2 * mean), using: &random)
    }

    private mutating func record(_ event: TraceEvent) {
        trace.record(event, atMs: nowMs)
    }

    private mutating func fail(_ invariant: Violation.Invariant, _ detail: String) {
        guard violation == nil else { return }
        violation = Violation(invariant: invariant, detail: detail, timeMs: nowMs)
    }
}
