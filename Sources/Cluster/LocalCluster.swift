import CommandLanguage
import NIOCore
import NIOPosix
import Wire

/// A cluster on this machine, driven by the command language: node processes, or — with
/// `ClusterOptions.simulation` — the same nodes run in this process on a virtual clock (the simulated
/// cluster). Safe to use from any task: every call hops onto the engine's event loop.
public final class LocalCluster: Sendable {
    public let options: ClusterOptions
    public let run: RunDirectory
    let driver: LoopDriver
    /// The engine's clock, read here directly: it is safe from any thread, and a drill reads it before
    /// every operation (a hop onto the loop each time cost a turn of the loop).
    private let clock: RunClock
    /// Internal, not private: the load API (`LocalCluster+Load.swift`) reaches the engine too.
    let engine: NIOLoopBound<ClusterEngine>

    /// A cluster of node processes: creates the run directory; call `start()` to launch the nodes.
    public convenience init(options: ClusterOptions) throws {
        try Self.checkSize(options)
        let run = try RunDirectory.create()
        run.writeRecord(kind: options.runKind)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let clock = RunClock.wall()
        let engine = try loop.submit {
            NIOLoopBound(ClusterEngine(loop: loop, options: options, run: run, clock: clock), eventLoop: loop)
        }.wait()
        self.init(options: options, run: run, driver: .processes(group), clock: clock, engine: engine)
    }

    private init(options: ClusterOptions, run: RunDirectory, driver: LoopDriver, clock: RunClock,
                 engine: NIOLoopBound<ClusterEngine>) {
        self.options = options
        self.run = run
        self.driver = driver
        self.clock = clock
        self.engine = engine
    }

    /// The cluster `options` ask for: node processes, or the simulated cluster when
    /// `options.simulation` is set (its engine is built on its virtual loop, hence async).
    public static func make(options: ClusterOptions) async throws -> LocalCluster {
        guard let pacing = options.simulation else { return try LocalCluster(options: options) }
        try checkSize(options)
        let run = try RunDirectory.create()
        run.writeRecord(kind: options.runKind)
        let loop = VirtualLoop()
        let clock = RunClock { .nanoseconds(Int64(loop.now.uptimeNanoseconds)) }
        let engine = try await loop.submit {
            NIOLoopBound(ClusterEngine(loop: loop, options: options, run: run, clock: clock, inProcess: true),
                         eventLoop: loop)
        }.get()
        return LocalCluster(options: options, run: run, driver: .virtual(VirtualTime(loop: loop, pacing: pacing)),
                            clock: clock, engine: engine)
    }

    private static func checkSize(_ options: ClusterOptions) throws {
        guard (1...9).contains(options.nodeCount) else {
            throw ClusterError("a cluster has 1–9 nodes, not \(options.nodeCount)")
        }
    }

    var loop: any EventLoop { engine.eventLoop }

    /// Runs `body` on the engine's loop and returns its result (on a virtual clock, moving time as
    /// the pacing says until the result is there).
    func onLoop<Result: Sendable>(_ body: @escaping @Sendable (ClusterEngine) -> EventLoopFuture<Result>)
        async throws -> Result {
        let future = loop.flatSubmit { [engine] in body(engine.value) }
        return try await driver.wait(for: future)
    }

    func onLoop<Result: Sendable>(_ body: @escaping @Sendable (ClusterEngine) -> Result) async throws -> Result {
        try await onLoop { engine in engine.loop.makeSucceededFuture(body(engine)) }
    }

    /// Starts every node and the control socket that `clusterdeck ctl` talks to; frozen first when
    /// the options say so (each node is told as it connects, before its first election timeout).
    public func start() async throws {
        driver.startPacing()
        try await onLoop { engine in engine.startNodes() }
        try await listen(serving: self)
    }

    /// Runs one command and returns what it printed.
    /// - Parameter announcing: false for a check that polls: its client results stay out of the event
    ///   log.
    public func execute(_ command: Command, announcing: Bool) async -> CommandOutput {
        do {
            return try await onLoop { engine in engine.execute(command, announcing: announcing) }
        } catch {
            return .error("\(error)")
        }
    }

    /// Tells the event log (and the journal) something in words: a lesson's check that held.
    public func note(_ text: String) async {
        try? await onLoop { engine in engine.publish(.action(text)) }
    }

    /// Tells the event log and the journal that a lesson shows a caption.
    public func narrate(_ narration: Narration) async {
        try? await onLoop { engine in engine.publish(.narration(narration)) }
    }

    /// Calls `handler` (on the engine's loop) for every event from now on.
    public func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) async {
        try? await onLoop { engine in engine.subscribe(handler) }
    }

    /// Every node as the console sees it now.
    public func views() async -> [NodeView] {
        (try? await onLoop { engine in engine.views() }) ?? []
    }

    /// The cluster-wide facts: network, freeze, pace.
    public func summary() async -> ClusterSummary {
        (try? await onLoop { engine in engine.summary() }) ?? ClusterSummary()
    }

    /// Every client operation so far, in the order they completed.
    public func history() async -> [HistoryRecord] {
        (try? await onLoop { engine in engine.history.records }) ?? []
    }

    /// Seconds since the run began: the clock of the history and the journal.
    public func secondsSinceStart() async -> Double {
        clock.now.seconds
    }

    public func sideBySide(_ lanes: [@Sendable () async -> Void]) async {
        await driver.sideBySide(lanes)
    }

    /// Lets `milliseconds` of the cluster's time pass.
    public func idle(milliseconds: Int) async {
        await driver.idle(milliseconds: milliseconds)
    }

    /// The digest of the cluster's state now (what a replay of the journal must reach); the journal,
    /// if one is written, is brought up to date first.
    public func digest() async -> [String] {
        (try? await onLoop { engine in
            engine.journalChanges()
            return ClusterDigest.lines(views: engine.views(), summary: engine.summary())
        }) ?? []
    }

    /// Kills every node and removes the run directory. Safe to call more than once.
    public func shutdown() async {
        try? await onLoop { engine in engine.shutdown() }
        await driver.stop()
    }

    /// Kills every node synchronously, for signal handlers and exit paths: returns once every node
    /// process is gone and the run directory removed. The calling thread waits (never call this
    /// on the console's loop), while the loop kills the nodes and checks, on a timer, that they
    /// are gone: nothing sleeps on the loop. (In-process nodes die with the process; the history's and
    /// the journal's last lines are written first.)
    public func shutdownNow() {
        guard case .processes = driver else {
            try? loop.submit { [engine] in engine.value.flushRecords() }.wait()
            return run.remove()
        }
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
