import Foundation
import NIOCore
import NIOPosix
import Raft
import NodeRuntime
import Wire

/// The console's engine: node processes, their connections, the fabric and the clients. Every method
/// runs on `loop`; the public `LocalCluster` reaches it through `NIOLoopBound`.
final class ClusterEngine {
    let loop: any EventLoop
    let options: ClusterOptions
    let run: RunDirectory
    var nodes: [NodeProcess]
    var fabric: Fabric<ByteBuffer>
    var timing: Timing
    private var subscribers: [@Sendable (ClusterEvent) -> Void] = []
    let startedAt = NIODeadline.now()
    let history: HistoryLog
    var pendingRequests: [UInt64: (ClientResponseFrame.Outcome?) -> Void] = [:]
    var nextRequestID: UInt64 = 1
    var clients: [String: ClientState] = [:]
    /// Client ids (session ids) draw from the run's seed.
    var clientIDs: SeededRandom
    /// The highest log index a client was answered at: views wait until a replica has applied it.
    var newestAnsweredIndex: LogIndex = 0
    /// Operations of paused clients, resumed in order by `client resume`.
    var parkedAttempts: [String: [ClientAttempt]] = [:]
    private(set) var isShutDown = false
    /// Client time: stops while frozen.
    var clusterClock = ClusterClock()
    /// Client timers that came due while frozen.
    var timersWaitingForThaw: [ClusterTimer] = []
    /// Features switched at run time (`set`); new and restarted nodes get them too.
    var preVote: Bool
    var checkQuorum: Bool
    var fsync: Bool
    private let journal: Journal?

    init(loop: any EventLoop, options: ClusterOptions, run: RunDirectory) {
        self.loop = loop
        self.options = options
        self.run = run
        timing = options.timing
        preVote = options.preVote
        checkQuorum = options.checkQuorum
        fsync = options.fsync
        nodes = (1...options.nodeCount).map { NodeProcess(id: $0) }
        fabric = Fabric(nodeCount: options.nodeCount, seed: options.seed)
        clientIDs = SeededRandom(seed: options.seed ^ 0x636c_6965_6e74)
        history = HistoryLog(path: options.historyPath ?? run.historyPath, memoryLimit: options.historyMemoryLimit)
        journal = options.journalPath.flatMap { Journal(path: $0, rotateBytes: options.journalRotateBytes) }
        journal?.begin(nodes: options.nodeCount, summary: summary())
    }

    var nodeCount: Int { nodes.count }

    func node(_ id: NodeID) -> NodeProcess { nodes[id - 1] }

    /// Seconds since the run began.
    var elapsedSeconds: Double {
        Double((NIODeadline.now() - startedAt).nanoseconds) / 1e9
    }

    // MARK: Events

    func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) {
        subscribers.append(handler)
    }

    func publish(_ event: ClusterEvent) {
        journal?.record(event, atSeconds: elapsedSeconds)
        if event.mayChangeViews { journalChanges() }
        for subscriber in subscribers { subscriber(event) }
    }

    /// Journals node views and settings that changed (each is written once per change).
    func journalChanges() {
        guard let journal else { return }
        journal.noteChanges(views: views(), summary: summary(), atSeconds: elapsedSeconds)
    }

    // MARK: Processes

    /// Starts node `id` on its data directory (what it holds survives: a restart).
    func startNode(_ id: NodeID) {
        let handle = node(id)
        handle.generation += 1
        let generation = handle.generation
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.executablePath)
        process.arguments = nodeArguments(id)
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

    private func nodeArguments(_ id: NodeID) -> [String] {
        var arguments = [
            "node", "--id", "\(id)", "--members", (1...nodeCount).map(String.init).joined(separator: ","),
            "--data", run.dataDirectory(node: id), "--socket", run.socketPath(node: id),
            "--tick-ms", "\(timing.tickMs)", "--snapshot-every", "\(options.snapshotEvery)",
        ]
        if !fsync { arguments.append("--no-fsync") }
        if !preVote { arguments.append("--no-prevote") }
        if !checkQuorum { arguments.append("--no-checkquorum") }
        for bug in options.bugs { arguments += ["--bug", bug.rawValue] }
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
                    let handler = ConsoleConnectionHandler(engine: bound.value, node: id, generation: generation)
                    try FrameChannel.configure(channel, handler: handler)
                }
            }
        bootstrap.connect(unixDomainSocketPath: run.socketPath(node: id)).whenComplete { result in
            let engine = bound.value
            switch result {
            case .success(let channel):
                engine.connected(id, generation: generation, channel: channel)
            case .failure where attempt < 500:
                engine.loop.scheduleTask(in: .milliseconds(20)) {
                    bound.value.connect(id, generation: generation, attempt: attempt + 1)
                }
            case .failure(let error):
                engine.publish(.action("n\(id): cannot connect: \(error)"))
                engine.node(id).signal(SIGKILL)
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
        if fabric.frozen { send(.control(.freeze), to: id) }
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

    /// Kills node `id` at once (SIGKILL; a paused node dies too). Its status is DOWN on return, so a
    /// `wait leader` right after never names it.
    func killNode(_ id: NodeID) {
        let handle = node(id)
        guard handle.process?.isRunning == true else { return }
        handle.signal(SIGKILL)
        waitForExit(handle)
        handle.status = .down(reason: "killed by SIGKILL")
        handle.channel?.close(promise: nil)
        handle.channel = nil
    }

    /// A SIGKILLed process is gone within milliseconds; wait so a restart never overlaps it.
    private func waitForExit(_ handle: NodeProcess) {
        for _ in 0..<200 where handle.process?.isRunning == true {
            usleep(5_000)
        }
    }

    // MARK: Frames

    func send(_ frame: Frame, to id: NodeID) {
        guard let channel = node(id).channel else { return }
        let bytes = frame.encoded()
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer, promise: nil)
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
            pendingRequests.removeValue(forKey: response.requestID)?(response.outcome)
        case .error(let error):
            publish(.action("n\(id) refused a frame: \(error.message)"))
        case .peer, .clientRequest, .control:
            publish(.action("n\(id) sent an unexpected \(frame.kind) frame"))
        }
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
        switch fabric.route(header, payload: payload) {
        case .hold:
            record(header, .held, payload)
        case .drop(let fate):
            record(header, fate, payload)
        case .deliver(let delayMs, let copies):
            for _ in 0..<copies { deliver(header, payload, afterMs: delayMs) }
        }
    }

    func deliver(_ header: RoutingHeader, _ payload: ByteBuffer, afterMs delayMs: Int) {
        guard delayMs > 0 else { return deliverNow(header, payload) }
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: .milliseconds(Int64(delayMs))) { bound.value.deliverNow(header, payload) }
    }

    func deliverNow(_ header: RoutingHeader, _ payload: ByteBuffer) {
        let target = node(header.to)
        let fate: MessageFate
        if target.status != .up || target.channel == nil {
            fate = .receiverDown
        } else if target.channel?.isWritable == false {
            // The receiver is not reading (paused): drop rather than buffer without limit.
            fate = .overflow
        } else {
            target.channel?.writeAndFlush(payload, promise: nil)
            fate = .delivered
        }
        fabric.count(fate)
        record(header, fate, payload)
    }

    private func record(_ header: RoutingHeader, _ fate: MessageFate, _ payload: ByteBuffer) {
        guard !subscribers.isEmpty || journal != nil else { return }
        let timeMs = Int((NIODeadline.now() - startedAt).nanoseconds / 1_000_000)
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
        summary.clientNames = Dictionary(clients.values.map { ($0.clientID, $0.name) }, uniquingKeysWith: { $1 })
        return summary
    }

    func views() -> [NodeView] {
        nodes.map { NodeView(id: $0.id, status: $0.status, pid: $0.pid, state: $0.state) }
    }

    /// The node that leads, as the views show it.
    var leaderID: NodeID? { views().leader?.id }

    // MARK: Shutdown

    /// Kills every node and removes the run directory. Idempotent.
    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        for handle in nodes {
            handle.generation += 1
            handle.signal(SIGKILL)
            handle.channel?.close(promise: nil)
        }
        for handle in nodes { waitForExit(handle) }
        for (_, pending) in pendingRequests { pending(nil) }
        pendingRequests = [:]
        history.close()
        journal?.close()
        run.remove()
    }
}
