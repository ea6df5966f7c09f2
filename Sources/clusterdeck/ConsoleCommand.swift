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
        await local.finish()
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
    var results: [(output: CommandOutput, line: String)] = []
    /// The scenario's latest progress, when one plays.
    var script: ScriptProgress?
    var quitRequested = false
    var waker: TerminalWaker?
    /// A wake is on its way; more news need not write to the pipe again.
    var wakePending = false

    /// Records news and returns the waker to call, if one is needed.
    mutating func deliver(_ change: (inout ConsoleInbox) -> Void) -> TerminalWaker? {
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
        views = nil
        summary = nil
        script = nil
        wakePending = false
        return taken
    }
}

/// The console's loop: one thread owns the terminal; it waits for keys or a wake, applies what arrived,
/// and repaints at most 30 times a second, only when something changed. With a scenario attached, the
/// script runs beside the user, who can act between its steps.
final class ConsoleRunner: Sendable {
    let cluster: LocalCluster
    let nodeCount: Int
    let timing: Timing
    let recordPath: String?
    let inbox = Mutex(ConsoleInbox())
    let gate = ScriptGate()

    init(cluster: LocalCluster, nodeCount: Int, timing: Timing, recordPath: String? = nil) {
        self.cluster = cluster
        self.nodeCount = nodeCount
        self.timing = timing
        self.recordPath = recordPath
    }

    /// Runs until the user quits (or a signal asks to); returns how it ended. `script` plays beside.
    func run(script: (@Sendable (ConsoleRunner) async -> Void)? = nil) async -> Result<Void, any Error> {
        await cluster.subscribe { [self] event in
            inbox.withLock { $0.deliver { $0.events.append(event) } }?.wake()
        }
        let poller = Task { [self] in
            while !Task.isCancelled {
                let views = await cluster.views()
                let summary = await cluster.summary()
                inbox.withLock { box in box.deliver { $0.views = views; $0.summary = summary } }?.wake()
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
        var changed = !news.events.isEmpty || !news.results.isEmpty
        for event in news.events { model.apply(event) }
        for result in news.results { model.apply(result: result.output, of: result.line) }
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
            let output = await cluster.execute(command)
            inbox.withLock { $0.deliver { $0.results.append((output, line)) } }?.wake()
        }
    }
}
