import CommandLanguage
import Foundation
import NIOCore
import NIOPosix
import Raft
import NodeRuntime
import Wire

/// The console's engine: a thin coordinator that owns the parts, each doing one job — the node
/// processes (`NodeSupervisor`), the network between them (`Fabric`), the clients and their
/// protocol (`Clients`, driven from `ClusterEngine+Clients.swift`), the command table
/// (`CommandRouter`), the history (`HistoryLog`) and the journal (`Journal`) — and passes events
/// and frames between them. Every method runs on `loop`; the public `LocalCluster` reaches it
/// through `NIOLoopBound`.
final class ClusterEngine {
    let loop: any EventLoop
    /// Runs the engine's fire-and-forget timers (cluster-time timers: a client request's expiry
    /// is one per request) without a promise each.
    let deferral: Deferral
    let options: ClusterOptions
    let run: RunDirectory
    /// The run's one clock source: every time the parts are handed comes from here.
    let clock: RunClock
    /// The nodes: processes, or in-process nodes of the simulated cluster.
    let supervisor: any NodeHost
    var fabric: Fabric<ByteBuffer>
    var clients: Clients
    private var subscribers: [@Sendable (ClusterEvent) -> Void] = []
    let history: HistoryLog
    /// The promises of client operations in progress, by attempt id (the `Clients` value holds no
    /// futures).
    var clientPromises: [UInt64: EventLoopPromise<ClientOutcome>] = [:]
    private(set) var isShutDown = false
    /// Client time: stops while frozen.
    var clusterClock = ClusterClock()
    /// Client timers that came due while frozen.
    var timersWaitingForThaw: [ClusterTimer] = []
    /// The timer that delivers the fabric's delayed messages, and the run time it is due at.
    private var deliveryTimer: (due: Duration, task: Scheduled<Void>)?
    private var journal: Journal?
    /// Added to the run's clock for journal times: a simulated run rebuilt after going back in time
    /// journals on the session's clock, which never runs backwards.
    private var journalOffset: Double = 0
    /// The journal while a seek forward jumps the clock (`suspendJournal`).
    private var suspendedJournal: Journal?

    /// - Parameters:
    ///   - clock: the run's clock source (the wall clock unless a test hands in another).
    ///   - inProcess: run the nodes in this process, on `loop` (the simulated cluster), instead of as
    ///     node processes.
    init(loop: any EventLoop, options: ClusterOptions, run: RunDirectory, clock: RunClock = .wall(),
         inProcess: Bool = false) {
        self.loop = loop
        deferral = Deferral(loop)
        self.options = options
        self.run = run
        self.clock = clock
        supervisor = inProcess ? InProcessHost(loop: loop, options: options)
            : NodeSupervisor(loop: loop, options: options, run: run)
        fabric = Fabric(nodeCount: options.nodeCount, seed: options.seed)
        clients = Clients(seed: options.seed, deadlineMs: options.clientDeadlineMs,
                          attemptTimeoutMs: options.attemptTimeoutMs)
        history = HistoryLog(path: options.historyPath ?? run.historyPath, memoryLimit: options.historyMemoryLimit)
        journal = options.journalPath.flatMap { Journal(path: $0, rotateBytes: options.journalRotateBytes) }
        supervisor.delegate = self
        journal?.begin(nodes: options.nodeCount, summary: summary())
    }

    var nodeCount: Int { supervisor.nodeCount }

    func node(_ id: NodeID) -> NodeProcess { supervisor.node(id) }

    /// The nodes' settings, as `set` and `pace` left them.
    var timing: Timing { supervisor.settings.timing }
    var preVote: Bool { supervisor.settings.preVote }
    var checkQuorum: Bool { supervisor.settings.checkQuorum }
    var fsync: Bool { supervisor.settings.fsync }

    /// Seconds since the run began.
    var elapsedSeconds: Double { clock.now.seconds }

    /// Starts every node; frozen first when the options say so (each node is told as it connects,
    /// before its first election timeout).
    func startNodes() {
        if options.startsFrozen { _ = execute(.freeze) }
        for id in 1...nodeCount { supervisor.startNode(id) }
    }

    /// Carries out one command of the command language (see `CommandRouter`).
    func execute(_ command: Command, announcing: Bool = true) -> EventLoopFuture<CommandOutput> {
        CommandRouter(engine: self).execute(command, announcing: announcing)
    }

    // MARK: Events

    func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) {
        subscribers.append(handler)
    }

    func publish(_ event: ClusterEvent) {
        journal?.record(event, atSeconds: elapsedSeconds + journalOffset)
        if event.mayChangeViews { journalChanges() }
        for subscriber in subscribers { subscriber(event) }
    }

    /// The journal's clock now: the run's, plus the offset of a rebuilt run.
    var journalSeconds: Double { elapsedSeconds + journalOffset }

    /// Goes on writing the journal at `path` (a rebuilt simulated run, after going back in time):
    /// appends, on the session's clock (`seconds` is the journal's time now), every node's view
    /// and the settings first, so a replay shows the cluster as it is from here.
    func continueJournal(at path: String, journalSeconds seconds: Double) {
        guard journal == nil, let appended = Journal(appendingTo: path, nodes: nodeCount,
                                                     rotateBytes: options.journalRotateBytes) else { return }
        journal = appended
        journalOffset = seconds - elapsedSeconds
        journalChanges()
    }

    /// Stops journaling while the clock jumps ahead (a seek forward), and returns the journal's time.
    func suspendJournal() -> Double {
        let seconds = journalSeconds
        suspendedJournal = journal
        journal = nil
        return seconds
    }

    /// Journals again after a jump, from the journal time it stopped at (the session's clock does
    /// not jump with the cluster's): every view that changed meanwhile first.
    func resumeJournal(atJournalSeconds seconds: Double) {
        guard let suspendedJournal else { return }
        journal = suspendedJournal
        self.suspendedJournal = nil
        journalOffset = seconds - elapsedSeconds
        journalChanges()
    }

    /// Writes the history and journal lines held back (both write in batches).
    func flushRecords() {
        history.flush()
        journal?.flush()
    }

    /// Journals node views and settings that changed (each is written once per change).
    func journalChanges() {
        guard let journal else { return }
        journal.noteChanges(views: views(), summary: summary(), atSeconds: elapsedSeconds + journalOffset)
    }

    // MARK: Frames

    func send(_ frame: Frame, to id: NodeID) {
        supervisor.send(frame, to: id)
    }

    /// One encoded frame from node `id`'s `generation`th life: peer frames go to the fabric by their
    /// routing header alone; everything else is decoded.
    func received(payload buffer: ByteBuffer, from id: NodeID, generation: Int) {
        if buffer.readableBytesView.first == FrameKind.peer.rawValue {
            guard node(id).generation == generation else { return }
            return routePeer(from: id, payload: buffer)
        }
        do {
            received(try Frame(decoding: buffer.readableBytesView), from: id, generation: generation)
        } catch {
            publish(.action("n\(id) sent a malformed frame: \(error)"))
        }
    }

    func received(_ frame: Frame, from id: NodeID, generation: Int) {
        guard node(id).generation == generation else { return }
        switch frame {
        case .state(let state):
            node(id).state = state
            journalChanges()
        case .event(let event):
            publish(.node(id, event))
        case .clientResponse(let response):
            clientAnswered(response)
        case .error(let error):
            publish(.action("n\(id) refused a frame: \(error.message)"))
        case .peer, .clientRequest, .control:
            publish(.action("n\(id) sent an unexpected \(frame.kind) frame"))
        }
    }

    func connectionClosed(node id: NodeID, generation: Int) {
        supervisor.connectionClosed(node: id, generation: generation)
    }

    // MARK: Fabric

    /// A peer message from node `from`: routed by its header, never decoded or copied here; the frame
    /// received is the frame forwarded.
    func routePeer(from id: NodeID, payload: ByteBuffer) {
        let header = try? PeerCodec.routingHeader(payload.readableBytesView.dropFirst())
        guard let header, header.from == id else {
            publish(.action("n\(id) sent a peer message with a bad header; dropped"))
            return
        }
        switch fabric.route(header, payload: payload, now: clock.now) {
        case .hold:
            record(header, .held, payload)
        case .drop(let fate):
            record(header, fate, payload)
        case .deliver(0, let copies):
            for _ in 0..<copies { deliverNow(header, payload) }
        case .deliver:
            // The fabric keeps it until it is due.
            armDeliveryTimer()
        }
    }

    /// Wakes the loop when the fabric's earliest delayed message is due.
    private func armDeliveryTimer() {
        guard let due = fabric.nextDue, !isShutDown else { return }
        if let armed = deliveryTimer, armed.due <= due { return }
        deliveryTimer?.task.cancel()
        let bound = NIOLoopBound(self, eventLoop: loop)
        let task = loop.scheduleTask(in: TimeAmount(due - clock.now)) { bound.value.deliverDue() }
        deliveryTimer = (due, task)
    }

    private func deliverDue() {
        deliveryTimer = nil
        for message in fabric.releaseDue(now: clock.now) { deliverNow(message.header, message.payload) }
        armDeliveryTimer()
    }

    func deliverNow(_ header: RoutingHeader, _ payload: ByteBuffer) {
        let fate = supervisor.deliver(payload, to: header.to)
        fabric.count(fate)
        record(header, fate, payload)
    }

    private func record(_ header: RoutingHeader, _ fate: MessageFate, _ payload: ByteBuffer) {
        guard !subscribers.isEmpty || journal != nil else { return }
        let timeMs = clock.now.wholeMilliseconds
        // Only vote answers are decoded: a few bytes, a handful of times per election.
        let answer = header.isVoteResponse
            ? PeerCodec.voteReply(Array(payload.readableBytesView.dropFirst())) : nil
        publish(.message(MessageRecord(header: header, fate: fate, timeMs: timeMs, voteAnswer: answer)))
    }

    // MARK: Views

    func summary() -> ClusterSummary {
        let counts = fabric.counts
        let dropped = counts.filter { $0.key != .delivered && $0.key != .held }.values.reduce(0, +)
        var summary = ClusterSummary(network: fabric.summary, frozen: fabric.frozen,
                                     heldMessages: fabric.held.count, timing: timing,
                                     delivered: counts[.delivered] ?? 0, dropped: dropped, preVote: preVote,
                                     checkQuorum: checkQuorum, fsync: fsync, bugs: options.bugs.map(\.rawValue))
        summary.clientNames = clients.namesByID
        if options.simulation != nil { summary.simulatedSeed = options.seed }
        return summary
    }

    func views() -> [NodeView] {
        supervisor.views()
    }

    /// The node that leads, as the views show it (`views().leader`), read from the nodes in place:
    /// every client operation asks, and building the views copied every node's state.
    var leaderID: NodeID? { supervisor.nodes.leading(status: \.status, state: \.state)?.id }

    // MARK: Shutdown

    /// Kills every node, and once every process is gone, closes the history and the journal and
    /// removes the run directory. Idempotent: a second call waits for the same end.
    func shutdown() -> EventLoopFuture<Void> {
        if let shutdownFuture { return shutdownFuture }
        isShutDown = true
        deliveryTimer?.task.cancel()
        deliveryTimer = nil
        let reaped = supervisor.shutdown()
        expireAllClientRequests()
        let bound = NIOLoopBound(self, eventLoop: loop)
        let done = reaped.map {
            let engine = bound.value
            engine.history.close()
            engine.journal?.close()
            engine.run.remove()
        }
        shutdownFuture = done
        return done
    }

    private var shutdownFuture: EventLoopFuture<Void>?
}

// MARK: - NodeSupervisorDelegate

extension ClusterEngine: NodeSupervisorDelegate {
    func connected(_ id: NodeID) {
        if fabric.frozen { send(.control(.freeze), to: id) }
    }

    func connectionHandler(node id: NodeID, generation: Int) -> ConsoleConnectionHandler {
        ConsoleConnectionHandler(engine: self, node: id, generation: generation)
    }
}
