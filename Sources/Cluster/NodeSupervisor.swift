import Foundation
import NIOCore
import NIOPosix
import NodeRuntime
import Raft
import Wire

/// What the supervisor tells the rest of the engine, on the event loop.
protocol NodeSupervisorDelegate: AnyObject {
    /// Something happened to a node (started, stopped, an action taken on it).
    func publish(_ event: ClusterEvent)
    /// A node's connection is up (a frozen cluster tells it to freeze).
    func connected(_ id: NodeID)
    /// The handler for a new connection to node `id` in its `generation`th life.
    func connectionHandler(node id: NodeID, generation: Int) -> ConsoleConnectionHandler
    /// One encoded frame from node `id`'s `generation`th life (an in-process node's link).
    func received(payload: ByteBuffer, from id: NodeID, generation: Int)
    /// One frame, as a value, from node `id`'s `generation`th life (an in-process node's link).
    func received(_ frame: Frame, from id: NodeID, generation: Int)
}

/// The settings a node starts with; switched at run time (`set`, `pace`), so new and restarted
/// nodes get them too.
struct NodeSettings {
    var timing: Timing
    var preVote: Bool
    var checkQuorum: Bool
    var fsync: Bool
}

/// The node processes and their connections: spawns, kills (and reaps), pauses, resumes and
/// restarts them, and writes frames to them. The only part of the engine that touches processes.
/// Every method runs on `loop`.
final class NodeSupervisor: NodeHost {
    let loop: any EventLoop
    let options: ClusterOptions
    let run: RunDirectory
    private(set) var nodes: [NodeProcess]
    var settings: NodeSettings
    weak var delegate: (any NodeSupervisorDelegate)?
    /// Set by `shutdown()`: no node starts again.
    private(set) var isShutDown = false

    /// How often, and how many times, a killed process is checked for having exited: 5 ms × 200 is
    /// a second, far beyond the few milliseconds a SIGKILLed process takes.
    private static let reapCheckInterval = TimeAmount.milliseconds(5)
    private static let reapChecks = 200

    init(loop: any EventLoop, options: ClusterOptions, run: RunDirectory) {
        self.loop = loop
        self.options = options
        self.run = run
        settings = NodeSettings(timing: options.timing, preVote: options.preVote,
                                checkQuorum: options.checkQuorum, fsync: options.fsync)
        nodes = (1...options.nodeCount).map { NodeProcess(id: $0) }
    }

    var nodeCount: Int { nodes.count }

    func node(_ id: NodeID) -> NodeProcess { nodes[id - 1] }

    private func publish(_ event: ClusterEvent) {
        delegate?.publish(event)
    }

    // MARK: Starting

    /// Starts node `id` on its data directory (what it holds survives: a restart).
    func startNode(_ id: NodeID) {
        guard !isShutDown else { return }
        let handle = node(id)
        handle.generation += 1
        let generation = handle.generation
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.executablePath)
        process.arguments = nodeArguments(id, generation: generation)
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: run.logPath(node: id), contents: nil)
        let log = FileHandle(forWritingAtPath: run.logPath(node: id))
        log?.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        let bound = NIOLoopBound(self, eventLoop: loop)
        process.terminationHandler = { [loop] ended in
            let reason = exitReason(of: ended)
            loop.execute { bound.value.processEnded(id, generation: generation, reason: reason) }
        }
        do {
            // Spawned from the event loop's long-lived thread: the node's parent-death signal is tied
            // to the spawning thread, so it must outlive the node.
            try process.run()
        } catch {
            handle.status = .down(reason: "could not start: \(error)")
            publish(.nodeStopped(id, reason: "could not start: \(error)"))
            return
        }
        try? log?.close()
        handle.process = process
        handle.status = .starting
        handle.state = nil
        publish(.nodeStarted(id, pid: process.processIdentifier))
        connect(id, generation: generation, attempt: 0)
    }

    /// The node's election timeouts draw from the run's seed, differently for each node and each life
    /// (a restarted node does not replay its last life's timeouts).
    static func nodeSeed(run seed: UInt64, node id: NodeID, life generation: Int) -> UInt64 {
        var random = SeededRandom(seed: seed ^ 0x6e6f_6465 ^ UInt64(id) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(generation) &* 0xC2B2_AE3D_27D4_EB4F)
        return random.next()
    }

    private func nodeArguments(_ id: NodeID, generation: Int) -> [String] {
        var arguments = [
            "node", "--id", "\(id)", "--members", (1...nodeCount).map(String.init).joined(separator: ","),
            "--data", run.dataDirectory(node: id), "--socket", run.socketPath(node: id),
            "--tick-ms", "\(settings.timing.tickMs)", "--snapshot-every", "\(options.snapshotEvery)",
        ]
        if !settings.fsync { arguments.append("--no-fsync") }
        if !settings.preVote { arguments.append("--no-prevote") }
        if !settings.checkQuorum { arguments.append("--no-checkquorum") }
        for bug in options.bugs { arguments += ["--bug", bug.rawValue] }
        if options.replication == .primaryBackup {
            arguments += ["--protocol", options.replication.rawValue, "--replication"]
            arguments += "\(options.replicationMode)".split(separator: " ").map(String.init)
        }
        arguments += ["--seed", "\(Self.nodeSeed(run: options.seed, node: id, life: generation))"]
        return arguments
    }

    /// Connects to a freshly started node, retrying while its socket appears.
    private func connect(_ id: NodeID, generation: Int, attempt: Int) {
        let handle = node(id)
        guard handle.generation == generation, handle.process?.isRunning == true else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.writeBufferWaterMark, value: .init(low: 64 * 1024, high: 1024 * 1024))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let handler = bound.value.delegate?.connectionHandler(node: id, generation: generation)
                    else { throw ChannelError.ioOnClosedChannel }
                    try FrameChannel.configure(channel, handler: handler)
                }
            }
        bootstrap.connect(unixDomainSocketPath: run.socketPath(node: id)).whenComplete { result in
            let supervisor = bound.value
            switch result {
            case .success(let channel):
                supervisor.connected(id, generation: generation, channel: channel)
            case .failure where attempt < 500:
                supervisor.loop.scheduleTask(in: .milliseconds(20)) {
                    bound.value.connect(id, generation: generation, attempt: attempt + 1)
                }
            case .failure(let error):
                supervisor.publish(.action("n\(id): cannot connect: \(error)"))
                supervisor.node(id).signal(SIGKILL)
            }
        }
    }

    private func connected(_ id: NodeID, generation: Int, channel: any Channel) {
        let handle = node(id)
        guard handle.generation == generation else {
            channel.close(promise: nil)
            return
        }
        handle.channel = channel
        if handle.status == .starting { handle.status = .up }
        delegate?.connected(id)
    }

    func connectionClosed(node id: NodeID, generation: Int) {
        guard node(id).generation == generation else { return }
        node(id).channel = nil
    }

    private func processEnded(_ id: NodeID, generation: Int, reason: String) {
        let handle = node(id)
        guard handle.generation == generation else { return }
        var why = reason
        // SIGKILL comes from the console (or the kernel's OOM killer) and leaves nothing in the log; any
        // other end is explained best by the node's own last words.
        if !reason.hasSuffix("SIGKILL"), let line = run.lastLogLine(node: id) { why += ": \(line)" }
        handle.status = .down(reason: why)
        handle.channel = nil
        publish(.nodeStopped(id, reason: why))
    }

    // MARK: Faults

    /// Kills node `id` at once (SIGKILL; a paused node dies too). Its status is DOWN on return, so a
    /// `wait leader` right after never names it; the future succeeds once the process is gone, so
    /// a restart never overlaps it.
    @discardableResult
    func killNode(_ id: NodeID) -> EventLoopFuture<Void> {
        let handle = node(id)
        guard handle.process?.isRunning == true else { return loop.makeSucceededVoidFuture() }
        handle.signal(SIGKILL)
        handle.status = .down(reason: "killed by SIGKILL")
        handle.channel?.close(promise: nil)
        handle.channel = nil
        return reaped(handle.process)
    }

    /// Succeeds once `process` has exited (or after a second of checks: a process that outlives a
    /// SIGKILL that long is stuck in the kernel, and waiting longer would not help). The checks are
    /// scheduled on the loop, which goes on routing messages meanwhile; it never sleeps.
    private func reaped(_ process: Process?, checksLeft: Int = reapChecks) -> EventLoopFuture<Void> {
        guard let process, process.isRunning, checksLeft > 0 else { return loop.makeSucceededVoidFuture() }
        let bound = NIOLoopBound((supervisor: self, process: process), eventLoop: loop)
        return loop.scheduleTask(in: Self.reapCheckInterval) {}.futureResult.flatMap {
            bound.value.supervisor.reaped(bound.value.process, checksLeft: checksLeft - 1)
        }
    }

    func pause(_ id: NodeID) -> String {
        let handle = node(id)
        guard handle.status == .up || handle.status == .starting else {
            return "n\(id) is \(handle.status.label.lowercased()); nothing to pause"
        }
        handle.signal(SIGSTOP)
        handle.status = .paused
        publish(.action("n\(id) paused (SIGSTOP)"))
        return "n\(id) paused (SIGSTOP)"
    }

    func resume(_ id: NodeID) -> String {
        let handle = node(id)
        guard handle.status == .paused else { return "n\(id) is not paused" }
        handle.signal(SIGCONT)
        handle.status = handle.channel == nil ? .starting : .up
        publish(.action("n\(id) resumed (SIGCONT)"))
        return "n\(id) resumed (SIGCONT)"
    }

    /// Kills node `id`, waits until it is gone, and starts it again (on an empty data directory when
    /// `wipe`).
    func restart(_ id: NodeID, wipe: Bool) -> EventLoopFuture<String> {
        let wasRunning = node(id).process?.isRunning == true
        let killed = killNode(id)
        if wasRunning {
            // The old life ends here: its exit, reaped while the restart waits, is not news (the
            // new life's start is).
            node(id).generation += 1
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        return killed.map {
            let supervisor = bound.value
            if wipe { try? FileManager.default.removeItem(atPath: supervisor.run.dataDirectory(node: id)) }
            supervisor.startNode(id)
            let text = wipe ? "n\(id) restarted with an EMPTY data directory (disk loss)" : "n\(id) restarted on its data"
            supervisor.publish(.action(text))
            return text
        }
    }

    // MARK: Frames

    func isConnected(_ id: NodeID) -> Bool { node(id).channel != nil }

    func deliver(_ payload: ByteBuffer, to id: NodeID) -> MessageFate {
        let target = node(id)
        guard target.status == .up, let channel = target.channel else { return .receiverDown }
        // The receiver is not reading (paused): drop rather than buffer without limit.
        guard channel.isWritable else { return .overflow }
        channel.writeAndFlush(payload, promise: nil)
        return .delivered
    }

    func send(_ frame: Frame, to id: NodeID) {
        guard let channel = node(id).channel else { return }
        let bytes = frame.encoded()
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Every node as the console sees it now.
    /// Node processes tell their state in frames; there is nothing to read directly.
    func refreshStates() {}

    func views() -> [NodeView] {
        nodes.map { NodeView(id: $0.id, status: $0.status, pid: $0.pid, state: $0.state) }
    }

    // MARK: Shutdown

    /// Kills every node; the future succeeds once every process is gone. Idempotent.
    func shutdown() -> EventLoopFuture<Void> {
        isShutDown = true
        for handle in nodes {
            handle.generation += 1
            handle.signal(SIGKILL)
            handle.channel?.close(promise: nil)
        }
        // Checked one after another, as before: the first wait covers most of the others.
        var all = loop.makeSucceededVoidFuture()
        for handle in nodes {
            let bound = NIOLoopBound((supervisor: self, process: handle.process), eventLoop: loop)
            all = all.flatMap { bound.value.supervisor.reaped(bound.value.process) }
        }
        return all
    }
}
