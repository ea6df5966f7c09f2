import CommandLanguage

/// The one API every front end uses — the console, the lesson player, the drill, the journal and
/// `ctl` — whatever runs behind it: local node processes, the simulated cluster, etcd members.
///
/// Calls are safe from any task. A back end publishes what happens as `ClusterEvent`s to its
/// subscribers and answers for its state with views and a summary; commands go in as the command
/// language's typed `Command`s, never as text.
public protocol ClusterBackend: AnyObject, Sendable {
    /// What runs behind this API, for messages that say why a command does not apply.
    var kind: EngineKind { get }
    /// How many nodes the cluster has.
    var nodeCount: Int { get }
    /// The seed every random choice of the run draws from (printed, so a run can be repeated).
    var seed: UInt64 { get }
    /// Whether a journal is written (the digest is then printed at exit, for `replay` to reach).
    var isJournaled: Bool { get }

    /// Starts every node.
    func start() async throws
    /// Runs one command and returns what it printed.
    /// - Parameter announcing: false for a check that polls: its client results stay out of the
    ///   event log.
    func execute(_ command: Command, announcing: Bool) async -> CommandOutput
    /// Nil when this back end carries out `command`; else why not, in one line.
    func refusal(of command: Command) -> String?
    /// Nil when this back end meets a deck's `need`; else why not, in one line.
    func refusal(of need: DeckNeed) -> String?

    /// Calls `handler` for every event from now on (on the back end's own thread: hand off quickly).
    func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) async
    /// Tells the event log (and the journal) something in words: a lesson's check that held.
    func note(_ text: String) async
    /// Tells the event log and the journal that a lesson shows a caption.
    func narrate(_ narration: Narration) async

    /// Every node as a front end shows it now.
    func views() async -> [NodeView]
    /// The cluster-wide facts: network, freeze, pace, settings.
    func summary() async -> ClusterSummary
    /// Every client operation so far, in the order they completed.
    func history() async -> [HistoryRecord]
    /// Seconds since the run began: the clock of the history and the journal.
    func secondsSinceStart() async -> Double
    /// Runs `lanes` — callers that act on the cluster side by side, like a drill's clients and its
    /// nemesis — and returns when all have finished. Concurrently on real processes; on a virtual
    /// clock they take turns in a fixed order, so the run replays exactly.
    func sideBySide(_ lanes: [@Sendable () async -> Void]) async
    /// Lets `milliseconds` of the cluster's time pass before returning: wall time on real processes;
    /// on a virtual clock, the time a front end waits is what moves it, so a lesson's polls and
    /// time limits land on the same virtual instants in every run.
    func idle(milliseconds: Int) async
    /// The digest of the cluster's state now (what a replay of the journal must reach).
    func digest() async -> [String]

    /// A new back end of the same kind and options but `nodes` nodes (started frozen when asked),
    /// not yet started: the console's `start N`.
    func fresh(nodes: Int, frozen: Bool) async throws -> any ClusterBackend
    /// Stops every node and releases what the run holds. Safe to call more than once.
    func shutdown() async
    /// The same, synchronously, for signal handlers and exit paths.
    func shutdownNow()
}

extension ClusterBackend {
    /// Polls `attempt` every 50 ms of the cluster's time until it gives a value or `limitMs` of that
    /// time have passed (then nil); stops early when the task is cancelled.
    public func poll<Value>(forMs limitMs: Int, _ attempt: () async -> Value?) async -> Value? {
        let deadline = await secondsSinceStart() + Double(limitMs) / 1000
        while true {
            if let value = await attempt() { return value }
            if Task.isCancelled { return nil }
            if await secondsSinceStart() >= deadline { return nil }
            await idle(milliseconds: 50)
        }
    }

    /// The run's seed and how to repeat it: a simulated cluster replays exactly; node processes
    /// repeat the console's own random choices (the operating system schedules the rest).
    public var seedNote: String {
        kind == .simulation
            ? "seed \(seed): --simulate \(seed) replays this run exactly"
            : "seed \(seed): --seed \(seed) repeats this run's random choices"
    }

    /// Runs one command, announcing its client results.
    public func execute(_ command: Command) async -> CommandOutput {
        await execute(command, announcing: true)
    }

    /// The first line of `script` this back end cannot carry out, with why; nil when it can run
    /// all of it. A deck is refused with this before anything starts.
    public func firstRefusal(in script: [ScenarioLine]) -> (line: ScenarioLine, reason: String)? {
        for line in script {
            if case .need(let need) = line.step, let reason = refusal(of: need) { return (line, reason) }
            for command in line.step.commands {
                if let reason = refusal(of: command) { return (line, reason) }
            }
        }
        return nil
    }

    /// Shuts the cluster down; with a journal, first hands `print` the digest of the final state,
    /// which `clusterdeck replay FILE --headless` reproduces from the journal.
    public func finish(printing print: (String) -> Void) async {
        if isJournaled {
            for line in await digest() { print(line) }
        }
        await shutdown()
    }
}

extension EngineKind {
    /// How messages name it: "the local-process cluster".
    public var phrase: String {
        switch self {
        case .processes: "the local-process cluster"
        case .simulation: "the simulated cluster"
        case .etcd: "the etcd cluster"
        }
    }
}
