import ClusterAPI
import CommandLanguage
import Foundation
import Synchronization

/// The console's loop: one thread owns the terminal; it waits for keys or a wake, applies what arrived,
/// and repaints at most 30 times a second, only when something changed. With a scenario attached, the
/// script runs beside the user, who can act between its steps. `start N` swaps in a fresh cluster.
public final class ConsoleRunner: Sendable {
    /// The cluster driven now and its generation, read together: news carry the generation of the
    /// cluster they came from.
    private let current: Mutex<(cluster: any ClusterBackend, generation: Int)>
    let nodeCount: Int
    let timing: Timing
    let recordPath: String?
    let openTerminal: @Sendable () throws -> any ConsoleTerminal
    /// What other threads hand the UI thread.
    public let inbox = Mutex(ConsoleInbox())
    let gate = ScriptGate()
    /// A `start N` under way; quitting waits for it, so the cluster it starts is shut down too.
    private let restarting = Mutex<Task<Void, Never>?>(nil)

    /// - Parameter openTerminal: takes over the terminal, on the UI thread.
    public init(cluster: any ClusterBackend, timing: Timing, recordPath: String? = nil,
                openTerminal: @escaping @Sendable () throws -> any ConsoleTerminal) {
        current = Mutex((cluster, 0))
        nodeCount = cluster.nodeCount
        self.timing = timing
        self.recordPath = recordPath
        self.openTerminal = openTerminal
    }

    /// The cluster the console drives now.
    public var cluster: any ClusterBackend { current.withLock { $0.cluster } }

    /// Runs until the user quits (or a signal asks to); returns how it ended. `script` plays beside.
    public func run(script: (@Sendable (ConsoleRunner) async -> Void)? = nil) async -> Result<Void, any Error> {
        await subscribe(to: cluster, generation: 0)
        await cluster.note(cluster.seedNote)
        let poller = Task { [self] in
            while !Task.isCancelled {
                let (cluster, generation) = current.withLock { $0 }
                let views = await cluster.views()
                let summary = await cluster.summary()
                // etcd's `member add` grows the cluster under the console.
                let count = cluster.nodeCount
                inbox.withLock { box in
                    box.deliver(from: generation) { $0.views = views; $0.summary = summary; $0.nodeCount = count }
                }?.wake()
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
                    try ScreenLoop(recordPath: recordPath, openTerminal: openTerminal).run(nodeCount: nodeCount, timing: timing) { _, waker in
                        self.inbox.withLock { $0.waker = waker }
                    } turn: { model, keys, recorder in
                        self.turn(&model, keys: keys, recorder: recorder)
                    }
                })
            }
        }
    }

    private func subscribe(to cluster: any ClusterBackend, generation: Int) async {
        await cluster.subscribe { [self] event in
            inbox.withLock { $0.deliver(from: generation) { $0.events.append(event) } }?.wake()
        }
    }

    /// Shuts down the cluster the console drives (after a `start N` under way has finished).
    /// - Parameter print: where the digest goes when the run is journaled.
    public func finishCluster(printing print: (String) -> Void) async {
        await restarting.withLock { $0 }?.value
        await cluster.finish(printing: print)
    }

    /// Asks the UI loop to quit (a stop signal): the terminal is restored and the nodes stopped on the
    /// normal path.
    public func requestQuit() {
        inbox.withLock { box in box.deliver { $0.quitRequested = true } }?.wake()
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
            let output: CommandOutput
            do {
                let fresh = try await old.fresh(nodes: nodes, frozen: frozen)
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
    private func keep(_ old: any ClusterBackend, generation: Int, because error: any Error, nodes: Int) async
        -> CommandOutput {
        guard cluster === old else { return .error("could not start \(nodes) nodes: \(error)") }
        await subscribe(to: old, generation: generation)
        current.withLock { $0 = (old, generation) }
        let count = old.nodeCount
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
        if let nodeCount = news.nodeCount, nodeCount != model.nodeCount {
            model.nodeCount = nodeCount
            changed = true
        }
        if let notice = news.droppedNotice { model.apply(notice) }
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
