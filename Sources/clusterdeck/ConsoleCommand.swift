import ArgumentParser
import Cluster
import CommandLanguage
import Console
import Foundation
import Synchronization
import Terminal
import Wire

/// Bare `clusterdeck`: the live console on a fresh local cluster.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the live console (the default): watch the cluster and break it with keys or commands."
    )

    @OptionGroup var cluster: ClusterFlags

    @Option(help: "Record what is painted as an asciicast v2 file (asciinema plays it), with markers.")
    var record: String?

    func run() async throws {
        if let record, !FileManager.default.createFile(atPath: record, contents: nil) {
            throw ValidationError("cannot create \(record)")
        }
        let local = try LocalCluster(options: try cluster.options().withRunKind(.console))
        try await local.start()
        let runner = ConsoleRunner(cluster: local, nodeCount: cluster.nodes, timing: cluster.pace.timing,
                                   recordPath: record)
        // A stop signal asks the UI loop to quit, so the terminal is restored and the nodes stopped on
        // the normal path.
        let stopper = StopSignals { _ in
            runner.inbox.withLock { box in box.deliver { $0.quitRequested = true } }?.wake()
        }
        let outcome = await runner.run()
        stopper.disarm()
        await runner.finishCluster()
        if case .failure(let error) = outcome {
            say("clusterdeck: \(error)")
            throw ExitCode(1)
        }
    }
}

/// What other threads hand the UI thread: cluster news, command results, a request to quit.
struct ConsoleInbox: Sendable {
    var events: [ClusterEvent] = []
    var views: [NodeView]?
    var summary: ClusterSummary?
    /// Results of a scenario's steps: the status line shows them.
    var results: [(output: CommandOutput, line: String)] = []
    /// Results of what the user ran: long ones open the output pane.
    var userResults: [(output: CommandOutput, line: String)] = []
    /// The cluster's size, when it changed back (a `start N` that failed).
    var nodeCount: Int?
    /// Which cluster the news are from: `start N` swaps in a new one, and news of the old one, still
    /// on their way, are dropped.
    var generation = 0
    /// The scenario's latest progress, when one plays.
    var script: ScriptProgress?
    var quitRequested = false
    var waker: TerminalWaker?
    /// A wake is on its way; more news need not write to the pipe again.
    var wakePending = false

    /// Records news and returns the waker to call, if one is needed.
    mutating func deliver(_ change: (inout ConsoleInbox) -> Void) -> TerminalWaker? {
        deliver(from: generation, change)
    }

    /// Records news of cluster `generation`, unless a newer cluster replaced it.
    mutating func deliver(from generation: Int, _ change: (inout ConsoleInbox) -> Void) -> TerminalWaker? {
        guard generation == self.generation else { return nil }
        change(&self)
        guard !wakePending else { return nil }
        wakePending = true
        return waker
    }

    /// Takes what arrived, leaving the inbox empty (and the waker armed again).
    mutating func take() -> ConsoleInbox {
        let taken = self
        events = []
        results = []
        userResults = []
        views = nil
        summary = nil
        nodeCount = nil
        script = nil
        wakePending = false
        return taken
    }
}

/// The console's loop: one thread owns the terminal; it waits for keys or a wake, applies what arrived,
/// and repaints at most 30 times a second, only when something changed. With a scenario attached, the
/// script runs beside the user, who can act between its steps. `start N` swaps in a fresh cluster.
final class ConsoleRunner: Sendable {
    /// The cluster driven now and its generation, read together: news carry the generation of the
    /// cluster they came from.
    private let current: Mutex<(cluster: LocalCluster, generation: Int)>
    let nodeCount: Int
    let timing: Timing
    let recordPath: String?
    let inbox = Mutex(ConsoleInbox())
    let gate = ScriptGate()
    /// A `start N` under way; quitting waits for it, so the cluster it starts is shut down too.
    private let restarting = Mutex<Task<Void, Never>?>(nil)

    init(cluster: LocalCluster, nodeCount: Int, timing: Timing, recordPath: String? = nil) {
        current = Mutex((cluster, 0))
        self.nodeCount = nodeCount
        self.timing = timing
        self.recordPath = recordPath
    }

    /// The cluster the console drives now.
    var cluster: LocalCluster { current.withLock { $0.cluster } }

    /// Runs until the user quits (or a signal asks to); returns how it ended. `script` plays beside.
    func run(script: (@Sendable (ConsoleRunner) async -> Void)? = nil) async -> Result<Void, any Error> {
        await subscribe(to: cluster, generation: 0)
        let poller = Task { [self] in
            while !Task.isCancelled {
                let (cluster, generation) = current.withLock { $0 }
                let views = await cluster.views()
                let summary = await cluster.summary()
                inbox.withLock { box in box.deliver(from: generation) { $0.views = views; $0.summary = summary } }?
                    .wake()
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let player = script.map { play in Task { [self] in await play(self) } }
        defer {
            poller.cancel()
            player?.cancel()
            gate.cancel()
        }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                continuation.resume(returning: Result {
                    try ScreenLoop(recordPath: recordPath).run(nodeCount: nodeCount, timing: timing) { _, waker in
                        self.inbox.withLock { $0.waker = waker }
                    } turn: { model, keys, recorder in
                        self.turn(&model, keys: keys, recorder: recorder)
                    }
                })
            }
        }
    }

    private func subscribe(to cluster: LocalCluster, generation: Int) async {
        await cluster.subscribe { [self] event in
            inbox.withLock { $0.deliver(from: generation) { $0.events.append(event) } }?.wake()
        }
    }

    /// Shuts down the cluster the console drives (after a `start N` under way has finished).
    func finishCluster() async {
        await restarting.withLock { $0 }?.value
        await cluster.finish()
    }

    /// `start N [--frozen]`: starts a fresh cluster with the same options but the size and freeze
    /// asked for, and stops the old one (every node process killed and reaped, its run directory
    /// removed). The model already shows the new size; news of the old cluster still on their way are
    /// dropped from here on (the inbox's generation moves on first, the cluster's with the swap). The
    /// swap comes before the old cluster stops, so nothing asks a stopped cluster's event loop.
    private func startFreshCluster(nodes: Int, frozen: Bool, line: String) {
        let generation = inbox.withLock { box in
            box.generation += 1
            _ = box.take()
            return box.generation
        }
        let old = cluster
        let task = Task { [self] in
            var options = old.options
            options.nodeCount = nodes
            options.startsFrozen = frozen
            let output: CommandOutput
            do {
                let fresh = try LocalCluster(options: options)
                await subscribe(to: fresh, generation: generation)
                current.withLock { $0 = (fresh, generation) }
                await old.shutdown()
                try await fresh.start()
                output = CommandOutput(lines: ["started a fresh cluster of \(nodes) nodes"
                    + (frozen ? ", frozen: timeout N starts an election, n steps its messages" : "")])
            } catch {
                output = await keep(old, generation: generation, because: error, nodes: nodes)
            }
            inbox.withLock { $0.deliver(from: generation) { $0.userResults.append((output, line)) } }?.wake()
        }
        restarting.withLock { $0 = task }
    }

    /// A fresh cluster could not be set up: the console goes on with the old one (if it still runs).
    private func keep(_ old: LocalCluster, generation: Int, because error: any Error, nodes: Int) async
        -> CommandOutput {
        guard cluster === old else { return .error("could not start \(nodes) nodes: \(error)") }
        await subscribe(to: old, generation: generation)
        current.withLock { $0 = (old, generation) }
        let count = old.options.nodeCount
        inbox.withLock { $0.deliver(from: generation) { $0.nodeCount = count } }?.wake()
        return .error("could not start \(nodes) nodes (\(error)); the \(count) nodes run on")
    }

    /// Publishes the scenario's progress to the UI thread.
    func show(_ progress: ScriptProgress) {
        inbox.withLock { $0.deliver { $0.script = progress } }?.wake()
    }

    /// Hands keys to the model, carries out what they ask, and applies the news.
    private func turn(_ model: inout ConsoleModel, keys: [Key], recorder: CastRecorder?) -> ScreenTurn {
        for key in keys {
            for action in model.handle(key) {
                switch action {
                case .quit: return ScreenTurn(goOn: false)
                case .run(let command, let line):
                    recorder?.marker(line)
                    launch(command, line: line)
                case .continueScript: gate.proceed()
                case .toggleScriptPause: gate.togglePause()
                case .replay: break
                case .startCluster(let nodes, let frozen):
                    recorder?.marker("start \(nodes)")
                    startFreshCluster(nodes: nodes, frozen: frozen, line: "start \(nodes)")
                }
            }
        }
        let news = inbox.withLock { $0.take() }
        if news.quitRequested { return ScreenTurn(goOn: false) }
        for case .action(let text) in news.events { recorder?.marker(text) }
        if let script = news.script {
            // Players pause at markers: at every caption, and at every command the script runs.
            if script.caption != model.script?.caption, !script.caption.isEmpty { recorder?.marker(script.caption) }
            if script.step != model.script?.step, script.isAtCommand { recorder?.marker(script.step) }
        }
        return ScreenTurn(changed: apply(news, to: &model))
    }

    /// Applies what arrived; true when the screen must change.
    private func apply(_ news: ConsoleInbox, to model: inout ConsoleModel) -> Bool {
        var changed = !news.events.isEmpty || !news.results.isEmpty || !news.userResults.isEmpty
        if let nodeCount = news.nodeCount { model.nodeCount = nodeCount }
        for event in news.events { model.apply(event) }
        for result in news.results { model.apply(result: result.output, of: result.line) }
        for result in news.userResults { model.apply(result: result.output, of: result.line, opensPane: true) }
        if let views = news.views, views != model.nodes {
            model.nodes = views
            changed = true
        }
        if let summary = news.summary, summary != model.summary {
            model.summary = summary
            changed = true
        }
        if let script = news.script, script != model.script {
            model.script = script
            changed = true
        }
        return changed
    }

    private func launch(_ command: Command, line: String) {
        Task { [self] in
            let (cluster, generation) = current.withLock { $0 }
            let output = await cluster.execute(command)
            inbox.withLock { $0.deliver(from: generation) { $0.userResults.append((output, line)) } }?.wake()
        }
    }
}
