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
        let local = try LocalCluster(options: try cluster.options())
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
        await local.shutdown()
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
}

/// The console's loop: one thread owns the terminal; it waits for keys or a wake, applies what arrived,
/// and repaints at most 30 times a second, only when something changed.
final class ConsoleRunner: Sendable {
    let cluster: LocalCluster
    let nodeCount: Int
    let timing: Timing
    let recordPath: String?
    let inbox = Mutex(ConsoleInbox())

    init(cluster: LocalCluster, nodeCount: Int, timing: Timing, recordPath: String? = nil) {
        self.cluster = cluster
        self.nodeCount = nodeCount
        self.timing = timing
        self.recordPath = recordPath
    }

    /// Runs until the user quits (or a signal asks to); returns how it ended.
    func run() async -> Result<Void, any Error> {
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
        defer { poller.cancel() }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                continuation.resume(returning: Result { try self.uiLoop() })
            }
        }
    }

    /// The UI thread: every ncurses call happens here.
    private func uiLoop() throws {
        TerminalSession.restoreOnFatalSignals()
        let terminal = try TerminalSession.start()
        defer { terminal.stop() }
        inbox.withLock { $0.waker = terminal.waker }
        var model = ConsoleModel(width: terminal.size.width, height: terminal.size.height, nodeCount: nodeCount,
                                 timing: timing)
        model.glyphs = terminal.supportsUnicode ? .unicode : .ascii
        model.colors = terminal.colorMode != .none
        model.recordingPath = recordPath
        model.summary.timing = timing
        let recorder = try recordPath.map {
            try CastRecorder(path: $0, width: terminal.size.width, height: terminal.size.height)
        }
        defer { recorder?.close() }
        var dirty = true
        var lastFrame = ContinuousClock.now - .seconds(1)
        while true {
            let frameDue = dirty && ContinuousClock.now - lastFrame >= .milliseconds(33)
            if frameDue {
                let screen = ConsoleView.render(model)
                terminal.paint(screen)
                recorder?.frame(screen)
                lastFrame = .now
                dirty = false
            }
            // Idle: wake four times a second at most (a resize signal may land on another thread).
            let keys = terminal.waitForKeys(timeoutMs: dirty ? 33 : 250)
            for key in keys {
                if key == .resize {
                    model.width = terminal.size.width
                    model.height = terminal.size.height
                    recorder?.resize(width: model.width, height: model.height)
                }
                dirty = true
                for action in model.handle(key) {
                    switch action {
                    case .quit: return
                    case .run(let command, let line):
                        recorder?.marker(line)
                        launch(command, line: line)
                    }
                }
            }
            let news = inbox.withLock { box -> ConsoleInbox in
                let taken = box
                box.events = []
                box.results = []
                box.views = nil
                box.summary = nil
                box.wakePending = false
                return taken
            }
            if news.quitRequested { return }
            for case .action(let text) in news.events { recorder?.marker(text) }
            dirty = apply(news, to: &model) || dirty
        }
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
        return changed
    }

    private func launch(_ command: Command, line: String) {
        Task { [self] in
            let output = await cluster.execute(command)
            inbox.withLock { $0.deliver { $0.results.append((output, line)) } }?.wake()
        }
    }
}

