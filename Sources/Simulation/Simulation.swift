import Checker
import HeapModule
import Raft
import Replica
import Services

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
    /// Client operations in the checked history, and the lock grants among them.
    public var clientOperations = 0
    public var lockGrants = 0
    /// Primary/backup: writes acknowledged to clients, and those the final state lacks.
    public var acknowledgedWrites = 0
    public var lostWrites = 0

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
        clientOperations += other.clientOperations
        lockGrants += other.lockGrants
        acknowledgedWrites += other.acknowledgedWrites
        lostWrites += other.lostWrites
    }
}

/// One seeded run: the node loop every real node runs (`ReplicaDriver`: a replication core, the
/// services, client answers, the Ready ordering) on a virtual clock and a virtual, faulty network,
/// driven by seeded clients. The protocol's properties (`Invariants`: Raft's, or primary/backup's)
/// are checked after every step; for Raft, the services' (KV linearizability, lock safety,
/// exactly-once) on the clients' history when the run ends.
struct Simulation<Invariants: ProtocolInvariants> {
    typealias Core = Invariants.Core

    public let options: SimulationOptions
    var random: SeededRandom
    var nowMs = 0
    private var queue = Heap<Scheduled>()
    private var sequence = 0
    var nodes: [SimulatedNode<Core>]
    private var network: LinkTable
    var invariants: Invariants
    private var trace = Trace()
    var stats = SimulationStats()
    private var violation: Violation?
    var faultsActive = true
    var clients: [SimulatedClient]
    /// Every finished client operation, in completion order.
    var history: [HistoryOperation] = []
    private var markerSerial: UInt64 = 0
    /// Set in the liveness phase once a leader answered the marker write.
    var markerCommitted = false

    /// A client waits this long for an answer before it asks another node.
    static var clientTimeoutMs : Int { 300 }
    /// A client gives an operation up (outcome `unknown` for a write) after this long.
    static var clientGiveUpMs : Int { 2_500 }
    /// Request ids of the liveness marker use this client number.
    static var markerClient : Int { 0xFFFE }

    /// - Parameters:
    ///   - options: the seed's run.
    ///   - traceLines: how many of the last events the result keeps as readable lines.
    public init(options: SimulationOptions, traceLines: Int = 60) {
        self.options = options
        trace = Trace(capacity: max(1, traceLines))
        random = SeededRandom(seed: options.seed ^ 0x5EED_5EED_5EED_5EED)
        var rates: [Double] = []
        for _ in 0..<options.nodeCount {
            rates.append(1 + Double.random(in: -options.clockDrift...options.clockDrift, using: &random))
        }
        nodes = rates.enumerated().map { SimulatedNode(id: $0.offset + 1, clockRate: $0.element) }
        network = LinkTable(nodeCount: options.nodeCount)
        invariants = Invariants(options: options)
        clients = (0..<options.clientCount).map { SimulatedClient(index: $0, leaderHint: 1) }
    }

    /// Runs the fault phase, then the liveness phase, stopping at the first violation; then checks
    /// the clients' history.
    public mutating func run() -> SeedResult {
        for id in 1...options.nodeCount { start(node: id) }
        schedule(.partitionChange, afterMs: gap(mean: options.partitionEveryMs))
        schedule(.crash, afterMs: gap(mean: options.crashEveryMs))
        for client in clients.indices {
            schedule(.clientWake(client: client), afterMs: gap(mean: options.proposeEveryMs))
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
        if violation == nil && Invariants.checksClientHistory { checkHistory() }
        if let (lost, acknowledged) = invariants.lostWrites() {
            stats.lostWrites = lost
            stats.acknowledgedWrites = acknowledged
        }
        stats.virtualMs = nowMs
        stats.highestCommitted = invariants.highestCommitted
        return SeedResult(seed: options.seed, options: options, violation: violation,
                          traceHash: trace.hash, traceTail: trace.tail(), stats: stats)
    }

    // MARK: Events

    enum Event {
        case tick(node: NodeID, incarnation: Int)
        case flush(node: NodeID, incarnation: Int)
        case deliver(Message)
        case partitionChange
        case crash
        case restart(node: NodeID)
        case endFaults
        case proposeMarker
        case clientWake(client: Int)
        case clientTimeout(client: Int, serial: UInt64, attempt: Int)
        case clientResend(client: Int, serial: UInt64, attempt: Int)
        case requestArrives(node: NodeID, ClientRequest)
        case replyArrives(ClientReply)
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

    mutating func schedule(_ event: Event, afterMs delay: Int) {
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
        case .restart(let id): if !nodes[id - 1].isRunning { start(node: id) }
        case .endFaults: endFaults()
        case .proposeMarker: proposeMarker()
        case .clientWake(let client): wake(client)
        case .clientTimeout(let client, let serial, let attempt): timeOut(client, serial: serial, attempt: attempt)
        case .clientResend(let client, let serial, let attempt): resend(client, serial: serial, attempt: attempt)
        case .requestArrives(let id, let request): arrive(request, at: id)
        case .replyArrives(let reply): answer(reply)
        }
    }

    // MARK: Nodes

    private mutating func start(node id: NodeID) {
        let settings = ReplicaSettings(tickMs: options.tickMs, heartbeatTicks: options.heartbeatTicks,
                                       snapshotEvery: options.snapshotEvery, bugs: options.bugs)
        let core: Core
        do {
            core = try Invariants.makeCore(id: id, options: options, seed: random.next(),
                                           restoring: nodes[id - 1].disk)
        } catch {
            preconditionFailure("bug: simulation built an invalid node: \(error)")
        }
        nodes[id - 1].boot(core: core, settings: settings)
        invariants.booted(id, disk: nodes[id - 1].disk)
        if nowMs > 0 { record(.restart(node: id)) }
        let incarnation = nodes[id - 1].incarnation
        let firstTickMs = Int.random(in: 1...options.tickMs, using: &random)
        schedule(.tick(node: id, incarnation: incarnation), afterMs: firstTickMs)
        scheduleFlushIfNeeded(id)
    }

    private mutating func tick(node id: NodeID, incarnation: Int) {
        guard nodes[id - 1].incarnation == incarnation, nodes[id - 1].isRunning else { return }
        observe(id) { $0.tick() }
        schedule(.tick(node: id, incarnation: incarnation),
                 afterMs: nodes[id - 1].nextTickDelayMs(tickMs: options.tickMs))
    }

    /// Runs `change` on a live node's loop, then checks what it became and schedules its flush.
    /// The loop is changed in place: a copy would make every array inside it copy on write.
    mutating func observe(_ id: NodeID, _ change: (inout ReplicaDriver<Core>) -> Void) {
        let changed = nodes[id - 1].withReplica { replica in
            let before = (replica.core.roleName, replica.core.term)
            change(&replica)
            return (replica.core.roleName, replica.core.term) != before
        }
        if changed == true { roleChanged(id) }
        scheduleFlushIfNeeded(id)
    }

    private mutating func roleChanged(_ id: NodeID) {
        guard let core = nodes[id - 1].replica?.core else { return }
        record(.roleChange(node: id, role: core.roleName, term: core.term))
        if core.isLeader { stats.elections += 1 }
        if let breach = invariants.roleChanged(id, core: core) { fail(breach.invariant, breach.detail) }
    }

    private mutating func scheduleFlushIfNeeded(_ id: NodeID) {
        guard !nodes[id - 1].flushScheduled, nodes[id - 1].withReplica({ $0.hasWork }) == true else { return }
        nodes[id - 1].flushScheduled = true
        let incarnation = nodes[id - 1].incarnation
        schedule(.flush(node: id, incarnation: incarnation), afterMs: Int.random(in: 0...2, using: &random))
    }

    /// The node's I/O step: the loop's actions, done in the order it gives them (what the node
    /// process does with its WAL and socket).
    private mutating func flush(node id: NodeID, incarnation: Int) {
        guard nodes[id - 1].incarnation == incarnation, nodes[id - 1].isRunning else { return }
        nodes[id - 1].flushScheduled = false
        guard let effects = nodes[id - 1].withReplica({ $0.process() }) else { return }
        for action in effects.actions {
            perform(action, on: id)
            guard violation == nil, nodes[id - 1].incarnation == incarnation else { return }
        }
        scheduleFlushIfNeeded(id)
    }

    private mutating func perform(_ action: ReplicaAction, on id: NodeID) {
        switch action {
        case .sendEarly(let messages), .send(let messages):
            for message in messages { send(message) }
        case .persist(let batch, let sync):
            if sync && faultsActive && chance(options.crashDuringSyncRate) {
                // Killed during the fsync: this batch and everything after it are lost (a
                // leader's early appends are already on their way).
                return crash(id, during: "fsync")
            }
            nodes[id - 1].persist(batch)
            if let breach = invariants.persisted(batch.entries, by: id, disk: nodes[id - 1].disk) {
                fail(breach.invariant, breach.detail)
            }
        case .storeSnapshot(let snapshot):
            nodes[id - 1].store(snapshot)
            if let breach = invariants.snapshotTaken(snapshot, by: id) { fail(breach.invariant, breach.detail) }
        case .reply(let reply):
            if let term = nodes[id - 1].replica?.core.term { invariants.answered(reply, by: id, term: term) }
            route(reply)
        case .event:
            break
        case .applied(let snapshot, let entries):
            checkApplied(snapshot: snapshot, entries: entries, on: id)
        case .readConfirmed(let requestID, let index):
            stats.readsConfirmed += 1
            if let breach = invariants.readConfirmed(requestID, at: index, on: id) {
                fail(breach.invariant, breach.detail)
            }
        }
    }

    /// What a node applied, checked by the protocol's invariants.
    private mutating func checkApplied(snapshot: Snapshot?, entries: [Entry], on id: NodeID) {
        if let snapshot {
            stats.snapshotInstalls += 1
            record(.snapshotInstalled(node: id, index: snapshot.position.index))
        }
        guard let (term, leading) = nodes[id - 1].withReplica({ ($0.core.term, $0.core.isLeader) }) else { return }
        if let breach = invariants.applied(snapshot: snapshot, entries: entries, by: id, term: term, leading: leading) {
            return fail(breach.invariant, breach.detail)
        }
        if let last = entries.last { record(.commit(node: id, index: last.index)) }
    }

    // MARK: Network

    private mutating func send(_ message: Message) {
        invariants.sent(message)
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
    mutating func delay() -> Int {
        guard faultsActive else { return options.delayMsMin }
        return Int.random(in: options.delayMsMin...options.delayMsMax, using: &random)
    }

    private mutating func deliver(_ message: Message) {
        guard nodes[message.to - 1].isRunning else { return drop(message, "receiver down") }
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
        if nodes[id - 1].isRunning { crash(id, during: nil) }
        schedule(.crash, afterMs: gap(mean: options.crashEveryMs))
    }

    private mutating func crash(_ id: NodeID, during: String?) {
        stats.crashes += 1
        nodes[id - 1].crash()
        record(.crash(node: id, during: during))
        schedule(.restart(node: id), afterMs: [20, 200, 1_500].randomElement(using: &random)!)
    }

    // MARK: Liveness

    private mutating func endFaults() {
        faultsActive = false
        network.healAll()
        record(.phase("faults stop; liveness phase"))
        for id in 1...options.nodeCount where !nodes[id - 1].isRunning {
            start(node: id)
        }
        proposeMarker()
    }

    /// Offers a marker write to every leader until one answers it (it committed and applied).
    private mutating func proposeMarker() {
        guard !markerCommitted else { return }
        schedule(.proposeMarker, afterMs: 100)
        markerSerial += 1
        let request = ClientRequest(requestID: Self.requestID(client: Self.markerClient, serial: markerSerial, attempt: 0),
                                    session: nil, operation: .write(.put(key: "liveness", value: "marker")))
        for id in 1...options.nodeCount where nodes[id - 1].withReplica({ $0.core.isLeader }) == true {
            record(.client("marker offered to n\(id)"))
            observe(id) { $0.receive(request) }
        }
    }

    // MARK: Helpers

    mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1, using: &random) < probability
    }

    /// A random gap with the given mean, so faults neither bunch up nor keep a fixed rhythm.
    mutating func gap(mean: Int) -> Int {
        Int.random(in: 1...(2 * mean), using: &random)
    }

    mutating func record(_ event: TraceEvent) {
        trace.record(event, atMs: nowMs)
    }

    mutating func fail(_ invariant: Violation.Invariant, _ detail: String, atMs timeMs: Int? = nil) {
        guard violation == nil else { return }
        violation = Violation(invariant: invariant, detail: detail, timeMs: timeMs ?? nowMs)
    }
}
