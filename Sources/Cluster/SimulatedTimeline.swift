import CommandLanguage
import NIOCore
import Synchronization

/// A simulated cluster with time travel (`back`, `seek`): it records every input that changes the
/// cluster — the nodes' start and the commands — with the virtual instant it ran at. Going
/// back rebuilds the cluster from the seed and puts the inputs back at their instants, as fast as
/// the CPU allows, up to the moment asked for: the panes, timeline, events, locks and history are
/// the cluster's own, recomputed, never stored pictures. The inputs after that moment stay
/// scheduled — the recorded future plays on as time moves — until a new input forks the run: the
/// recorded future is dropped (said once, and journaled with its time).
///
/// The journal goes on across rebuilds on the session's clock (it never runs backwards): each
/// move is an `action` line followed by every node's view as of the moment reached.
///
/// Cost: no checkpoints — a move back re-runs the simulation from 0 (`bench` numbers in the
/// README); memory is the inputs (a few dozen bytes each) and one instant per delivered message.
public final class SimulatedTimeline: ClusterBackend, Sendable {
    private struct Recorded: Sendable {
        var instant: NIODeadline
        var input: TimelineInput
    }

    /// The latest events, as many as the console's panes keep of each kind.
    private struct RecentEvents {
        var messages: [ClusterEvent] = []
        var others: [ClusterEvent] = []
        static let capacity = 200

        mutating func add(_ event: ClusterEvent) {
            if case .message = event { Self.append(event, to: &messages) } else { Self.append(event, to: &others) }
        }

        private static func append(_ event: ClusterEvent, to list: inout [ClusterEvent]) {
            list.append(event)
            if list.count > 2 * capacity { list.removeFirst(list.count - capacity) }
        }

        var all: [ClusterEvent] { Array(others.suffix(Self.capacity)) + Array(messages.suffix(Self.capacity)) }
    }

    private struct State: Sendable {
        var inner: LocalCluster
        /// Which inner cluster's events count (an old one's stragglers do not).
        var generation = 0
        var inputs: [Recorded] = []
        /// The recorded future's inputs, scheduled on the inner cluster.
        var pending: [(instant: NIODeadline, scheduled: Scheduled<Void>)] = []
        /// The furthest instant this timeline reached.
        var end = NIODeadline.uptimeNanoseconds(0)
        var forks: [NIODeadline] = []
        /// When messages were delivered, and the moments that matter (role changes, faults,
        /// commands), as far as this timeline has seen them (`observedThrough`).
        var deliveries: [NIODeadline] = []
        var moments: [NIODeadline] = []
        var observedThrough = NIODeadline.uptimeNanoseconds(0)
        var recent = RecentEvents()
        var subscribers: [@Sendable (ClusterEvent) -> Void] = []
        /// True while a move rebuilds the cluster: events are not passed on, and commands wait.
        var moving = false
    }

    private let options: ClusterOptions
    private let state: Mutex<State>

    /// A recorded simulated cluster with `options` (which must ask for the simulation).
    public static func make(options: ClusterOptions) async throws -> SimulatedTimeline {
        precondition(options.simulation != nil, "bug: a timeline needs the simulated cluster")
        let timeline = SimulatedTimeline(options: options, inner: try await LocalCluster.make(options: options))
        await timeline.watch(timeline.inner, generation: 0)
        return timeline
    }

    private init(options: ClusterOptions, inner: LocalCluster) {
        self.options = options
        state = Mutex(State(inner: inner))
    }

    private var inner: LocalCluster { state.withLock { $0.inner } }

    public var kind: EngineKind { .simulation }
    public var nodeCount: Int { options.nodeCount }
    public var seed: UInt64 { options.seed }
    public var isJournaled: Bool { options.journalPath != nil }

    // MARK: Running

    public func start() async throws {
        _ = await record(.startNodes)
        inner.startPacing()
        try await inner.listen(serving: self)
    }

    public func execute(_ command: Command, announcing: Bool) async -> CommandOutput {
        switch command {
        case .back(let count): return await back(count)
        case .seek(let target): return await seek(target)
        default: break
        }
        guard state.withLock({ !$0.moving }) else {
            return .error("the cluster is moving in time; try again in a moment")
        }
        guard Self.changesCluster(command) else { return await inner.execute(command, announcing: announcing) }
        let fork = forkIfBehind()
        let output = await record(.command(command, announcing: announcing))
        guard let fork else { return output }
        await inner.note(fork)
        return CommandOutput(lines: [fork] + output.lines, ok: output.ok, read: output.read)
    }

    public func refusal(of command: Command) -> String? {
        switch command {
        case .back, .seek: nil
        default: inner.refusal(of: command)
        }
    }

    public func refusal(of need: DeckNeed) -> String? { inner.refusal(of: need) }

    public func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) async {
        state.withLock { $0.subscribers.append(handler) }
    }

    /// Notes and captions are the lesson's, not the cluster's: they are not recorded (a recorded
    /// future replaying would show an old step's caption again) and do not fork.
    public func note(_ text: String) async {
        await inner.note(text)
    }

    public func narrate(_ narration: Narration) async {
        await inner.narrate(narration)
    }

    public func views() async -> [NodeView] { await inner.views() }

    public func summary() async -> ClusterSummary {
        let cluster = inner
        var summary = await cluster.summary()
        let now = cluster.virtualLoop?.now ?? .uptimeNanoseconds(0)
        summary.travel = state.withLock { state in
            state.end = max(state.end, now)
            return TimeTravelSummary(nowSeconds: Self.seconds(now), endSeconds: Self.seconds(state.end),
                                     forkSeconds: state.forks.map(Self.seconds))
        }
        return summary
    }

    public func history() async -> [HistoryRecord] { await inner.history() }
    public func secondsSinceStart() async -> Double { await inner.secondsSinceStart() }
    public func sideBySide(_ lanes: [@Sendable () async -> Void]) async { await inner.sideBySide(lanes) }
    public func idle(milliseconds: Int) async { await inner.idle(milliseconds: milliseconds) }
    public func digest() async -> [String] { await inner.digest() }

    public func fresh(nodes: Int, frozen: Bool) async throws -> any ClusterBackend {
        var options = options
        options.nodeCount = nodes
        options.startsFrozen = frozen
        return try await Self.make(options: options)
    }

    public func shutdown() async { await inner.shutdown() }
    public func shutdownNow() { inner.shutdownNow() }

    // MARK: Recording

    /// What is recorded (and forks a run that went back): everything but views, waits that only
    /// watch, and time travel itself.
    static func changesCluster(_ command: Command) -> Bool {
        switch command {
        case .status, .log, .locks, .clients, .check, .help, .quit, .heartbeats, .back, .seek, .waitLeader,
             .sleep:
            false
        case .asClient(_, let inner): changesCluster(inner)
        default: true
        }
    }

    /// Runs `input` on the cluster once this instant is over, recording the instant.
    private func record(_ input: TimelineInput) async -> CommandOutput {
        await inner.runRecorded(input) { [self] instant in
            state.withLock { state in
                state.inputs.append(Recorded(instant: instant, input: input))
                if case .command = input { state.moments.append(instant) }
            }
        }
    }

    /// Forks the run when it went back and a recorded future lies ahead: drops that future (its
    /// inputs, and what this timeline saw of it) and returns the line that says so.
    private func forkIfBehind() -> String? {
        guard let now = inner.virtualLoop?.now else { return nil }
        return state.withLock { state -> String? in
            state.end = max(state.end, state.observedThrough)
            guard now < state.end else { return nil }
            let end = state.end
            for (_, scheduled) in state.pending { scheduled.cancel() }
            state.pending = []
            state.inputs.removeAll { $0.instant > now }
            state.deliveries.removeAll { $0 > now }
            state.moments.removeAll { $0 > now }
            state.observedThrough = min(state.observedThrough, now)
            state.end = now
            state.forks.append(now)
            return "fork at \(Rewind.seconds(Self.seconds(now))): the recorded future (to "
                + "\(Rewind.seconds(Self.seconds(end)))) is dropped"
        }
    }

    /// Passes `cluster`'s events on (unless a move is rebuilding it) and notes deliveries and the
    /// moments that matter.
    private func watch(_ cluster: LocalCluster, generation: Int) async {
        let loop = cluster.virtualLoop
        await cluster.subscribe { [self] event in
            let instant = loop?.now ?? .uptimeNanoseconds(0)
            let subscribers = state.withLock { state -> [@Sendable (ClusterEvent) -> Void] in
                guard state.generation == generation else { return [] }
                state.recent.add(event)
                if instant >= state.observedThrough {
                    state.observedThrough = instant
                    if Self.isDelivery(event) { state.deliveries.append(instant) }
                    if Self.matters(event) { state.moments.append(instant) }
                }
                return state.moving ? [] : state.subscribers
            }
            for subscriber in subscribers { subscriber(event) }
        }
    }

    private static func isDelivery(_ event: ClusterEvent) -> Bool {
        if case .message(let record) = event { record.fate == .delivered } else { false }
    }

    /// Role changes and faults: where `seek next` and `seek prev` stop.
    private static func matters(_ event: ClusterEvent) -> Bool {
        switch event {
        case .node(_, let event): event.kind == .role
        case .action, .nodeStopped: true
        default: false
        }
    }

    // MARK: Moving

    private func back(_ count: Int) async -> CommandOutput {
        guard let now = inner.virtualLoop?.now else { return .error("not a simulated cluster") }
        let target = state.withLock { state -> NIODeadline? in
            let delivered = state.deliveries.filter { $0 <= now }
            guard delivered.count >= count else { return nil }
            return delivered[delivered.count - count] - .nanoseconds(1)
        }
        guard let target else {
            return .error("back \(count): the run has not delivered \(count) messages yet")
        }
        return await move(to: target, from: now, asked: "back \(count)")
    }

    private func seek(_ seekTarget: SeekTarget) async -> CommandOutput {
        guard let now = inner.virtualLoop?.now else { return .error("not a simulated cluster") }
        let end = state.withLock { state in
            state.end = max(state.end, now)
            return state.end
        }
        let zero = NIODeadline.uptimeNanoseconds(0)
        let target: NIODeadline
        let asked = Command.seek(seekTarget).description
        switch seekTarget {
        case .at(let ms): target = zero + .milliseconds(Int64(ms))
        case .by(let ms):
            let nanoseconds = Int64(now.uptimeNanoseconds) + Int64(ms) * 1_000_000
            guard nanoseconds >= 0 else { return .error("\(asked): the run begins at 0 s; nothing changed") }
            target = .uptimeNanoseconds(UInt64(nanoseconds))
        case .end: target = end
        case .event(let forward):
            let moments = state.withLock { $0.moments }.sorted()
            let step = TimeAmount.milliseconds(50)
            let found = forward ? moments.first { $0 > now + step } : moments.last { $0 < now - step }
            guard let found else {
                return .error("\(asked): no \(forward ? "later" : "earlier") moment that matters; nothing changed")
            }
            target = found
        }
        guard target <= end else {
            return .error("\(asked): past the recorded end (\(Rewind.seconds(Self.seconds(end)))); "
                + "nothing changed (time moves on by itself, or with sleep)")
        }
        return await move(to: target, from: now, asked: asked)
    }

    /// Goes to `target`: forward within the recorded future by running the clock on; back by
    /// rebuilding the cluster from the seed and the record.
    private func move(to target: NIODeadline, from now: NIODeadline, asked: String) async -> CommandOutput {
        guard state.withLock({ state in
            guard !state.moving else { return false }
            state.moving = true
            return true
        }) else { return .error("\(asked): already moving in time") }
        defer { state.withLock { $0.moving = false } }
        if target >= now {
            await inner.jump(to: target)
            inner.startPacing()
        } else {
            do {
                try await rebuild(to: target)
            } catch {
                return .error("\(asked): could not rebuild the run (\(error)); nothing changed")
            }
        }
        let rewind = Rewind(fromSeconds: Self.seconds(now), toSeconds: Self.seconds(target),
                            recent: state.withLock { $0.recent.all })
        await inner.note(rewind.text)
        let subscribers = state.withLock { $0.subscribers }
        for subscriber in subscribers { subscriber(.rewound(rewind)) }
        return CommandOutput(lines: ["\(asked): at \(Rewind.seconds(rewind.toSeconds)) of "
            + "\(Rewind.seconds(state.withLock { Self.seconds($0.end) }))"])
    }

    /// A new cluster from the seed, every recorded input scheduled at its instant, run to `target`;
    /// the old one stops; the journal goes on from the old one's clock.
    private func rebuild(to target: NIODeadline) async throws {
        let old = inner
        let journalSeconds = await old.journalSeconds()
        var fresh = options
        fresh.journalPath = nil
        let cluster = try await LocalCluster.make(options: fresh)
        let generation = state.withLock { state in
            state.generation += 1
            state.recent = RecentEvents()
            return state.generation
        }
        await watch(cluster, generation: generation)
        let inputs = state.withLock { $0.inputs }
        let pending = inputs.compactMap { recorded in
            cluster.schedule(recorded.input, at: recorded.instant).map { (recorded.instant, $0) }
        }
        cluster.fastForward(to: target)
        state.withLock { state in
            state.inner = cluster
            state.pending = pending.filter { $0.0 > target }
        }
        await old.shutdown()
        if let path = options.journalPath {
            await cluster.continueJournal(at: path, journalSeconds: journalSeconds)
        }
        cluster.startPacing()
        try await cluster.listen(serving: self)
    }

    private static func seconds(_ instant: NIODeadline) -> Double {
        Double(instant.uptimeNanoseconds) / 1_000_000_000
    }
}
