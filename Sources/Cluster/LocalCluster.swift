import CommandLanguage
import NIOCore
import NIOPosix
import Wire

/// A cluster of real node processes on this machine, driven by the command language. Safe to use from
/// any task: every call hops onto the console's event loop, where the engine lives.
public final class LocalCluster: Sendable {
    public let options: ClusterOptions
    public let run: RunDirectory
    private let group: MultiThreadedEventLoopGroup
    /// Internal, not private: the load API (`LocalCluster+Load.swift`) reaches the engine too.
    let engine: NIOLoopBound<ClusterEngine>

    /// Creates the run directory; call `start()` to launch the nodes.
    public init(options: ClusterOptions) throws {
        guard (1...9).contains(options.nodeCount) else {
            throw ClusterError("a cluster has 1–9 nodes, not \(options.nodeCount)")
        }
        self.options = options
        run = try RunDirectory.create()
        run.writeRecord(kind: options.runKind)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let run = self.run
        engine = try loop.submit {
            NIOLoopBound(ClusterEngine(loop: loop, options: options, run: run), eventLoop: loop)
        }.wait()
    }

    var loop: any EventLoop { engine.eventLoop }

    /// Starts every node and the control socket that `clusterdeck ctl` talks to; frozen first when
    /// the options say so (each node is told as it connects, before its first election timeout).
    public func start() async throws {
        try await loop.submit { [engine, options] in
            if options.startsFrozen { _ = engine.value.execute(.freeze) }
            for id in 1...engine.value.nodeCount { engine.value.supervisor.startNode(id) }
        }.get()
        _ = try await ControlSocket.listen(backend: self, loop: loop, path: run.consoleSocketPath).get()
    }

    /// Runs one command and returns what it printed.
    /// - Parameter announcing: false for a check that polls: its client results stay out of the event
    ///   log.
    public func execute(_ command: Command, announcing: Bool) async -> CommandOutput {
        do {
            return try await loop.flatSubmit { [engine] in engine.value.execute(command, announcing: announcing) }.get()
        } catch {
            return .error("\(error)")
        }
    }

    /// Tells the event log (and the journal) something in words: a lesson's check that held.
    public func note(_ text: String) async {
        try? await loop.submit { [engine] in engine.value.publish(.action(text)) }.get()
    }

    /// Tells the event log and the journal that a lesson shows a caption.
    public func narrate(_ narration: Narration) async {
        try? await loop.submit { [engine] in engine.value.publish(.narration(narration)) }.get()
    }

    /// Calls `handler` (on the console's loop) for every event from now on.
    public func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) async {
        try? await loop.submit { [engine] in engine.value.subscribe(handler) }.get()
    }

    /// Every node as the console sees it now.
    public func views() async -> [NodeView] {
        (try? await loop.submit { [engine] in engine.value.views() }.get()) ?? []
    }

    /// The cluster-wide facts: network, freeze, pace.
    public func summary() async -> ClusterSummary {
        (try? await loop.submit { [engine] in engine.value.summary() }.get()) ?? ClusterSummary()
    }

    /// Every client operation so far, in the order they completed.
    public func history() async -> [HistoryRecord] {
        (try? await loop.submit { [engine] in engine.value.history.records }.get()) ?? []
    }

    /// Seconds since the run began: the clock of the history and the journal.
    public func secondsSinceStart() async -> Double {
        (try? await loop.submit { [engine] in engine.value.elapsedSeconds }.get()) ?? 0
    }

    /// The digest of the cluster's state now (what a replay of the journal must reach); the journal,
    /// if one is written, is brought up to date first.
    public func digest() async -> [String] {
        (try? await loop.submit { [engine] in
            engine.value.journalChanges()
            return ClusterDigest.lines(views: engine.value.views(), summary: engine.value.summary())
        }.get()) ?? []
    }

    /// Kills every node and removes the run directory. Safe to call more than once.
    public func shutdown() async {
        try? await loop.flatSubmit { [engine] in engine.value.shutdown() }.get()
        try? await group.shutdownGracefully()
    }

    /// Kills every node synchronously, for signal handlers and exit paths: returns once every node
    /// process is gone and the run directory removed. The calling thread waits (never call this
    /// on the console's loop), while the loop kills the nodes and checks, on a timer, that they
    /// are gone: nothing sleeps on the loop.
    public func shutdownNow() {
        try? loop.flatSubmit { [engine] in engine.value.shutdown() }.wait()
    }
}

/// A cluster could not be set up.
public struct ClusterError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
