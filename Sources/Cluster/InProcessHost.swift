import NIOCore
import NodeRuntime
import Raft
import Wire

/// The simulated cluster's nodes: each runs the node process's own server (`InProcessNode`) on the
/// engine's loop — a virtual clock — with a simulated disk that survives kills and restarts, and
/// an in-process link instead of a socket. What `kill`, `pause`, `restart` and `wipe` do matches
/// the processes: a kill loses what the node held in memory, a restart recovers from its disk, a
/// pause stops its clock and its handling of messages, a wipe empties its disk.
final class InProcessHost: NodeHost {
    let loop: any EventLoop
    let options: ClusterOptions
    private(set) var nodes: [NodeProcess]
    var settings: NodeSettings
    weak var delegate: (any NodeSupervisorDelegate)?
    private var running: [NodeID: InProcessNode] = [:]
    private var disks: [NodeID: MemoryLog] = [:]
    private var isShutDown = false

    init(loop: any EventLoop, options: ClusterOptions) {
        self.loop = loop
        self.options = options
        settings = NodeSettings(timing: options.timing, preVote: options.preVote,
                                checkQuorum: options.checkQuorum, fsync: options.fsync)
        nodes = (1...options.nodeCount).map { NodeProcess(id: $0) }
    }

    var nodeCount: Int { nodes.count }

    func node(_ id: NodeID) -> NodeProcess { nodes[id - 1] }

    func isConnected(_ id: NodeID) -> Bool { running[id] != nil }

    private func disk(_ id: NodeID) -> MemoryLog {
        if let disk = disks[id] { return disk }
        let disk = MemoryLog(fsync: settings.fsync)
        disks[id] = disk
        return disk
    }

    // MARK: Lives

    func startNode(_ id: NodeID) {
        guard !isShutDown else { return }
        let handle = node(id)
        handle.generation += 1
        let generation = handle.generation
        let bound = NIOLoopBound(self, eventLoop: loop)
        do {
            running[id] = try InProcessNode(options: nodeOptions(id, generation: generation), loop: loop,
                                            disk: disk(id)) { parcel in
                bound.value.arrived(parcel, from: id, generation: generation)
            } onStop: { stop in
                bound.value.ended(id, generation: generation, stop: stop)
            }
        } catch {
            handle.status = .down(reason: "cannot start: \(error)")
            delegate?.publish(.nodeStopped(id, reason: "cannot start: \(error)"))
            return
        }
        handle.status = .up
        handle.state = nil
        delegate?.publish(.nodeStarted(id, pid: nil))
        delegate?.connected(id)
    }

    private func nodeOptions(_ id: NodeID, generation: Int) -> NodeOptions {
        var node = NodeOptions(id: id, members: Array(1...nodeCount), dataDirectory: "", socketPath: "",
                               timing: settings.timing)
        node.preVote = settings.preVote
        node.checkQuorum = settings.checkQuorum
        node.fsync = settings.fsync
        node.snapshotEvery = options.snapshotEvery
        node.bugs = Set(options.bugs)
        node.replication = options.replication
        node.replicationMode = options.replicationMode
        node.seed = NodeSupervisor.nodeSeed(run: options.seed, node: id, life: generation)
        return node
    }

    private func arrived(_ parcel: LinkParcel, from id: NodeID, generation: Int) {
        guard node(id).generation == generation, running[id] != nil else { return }
        switch parcel {
        case .frame(let frame):
            delegate?.received(frame, from: id, generation: generation)
        case .encoded(let payload):
            delegate?.received(payload: payload, from: id, generation: generation)
        }
    }

    private func ended(_ id: NodeID, generation: Int, stop: NodeStop) {
        guard node(id).generation == generation else { return }
        let reason = switch stop {
        case .shutdown: "shut down"
        case .fatal(let message): "fatal: \(message)"
        }
        takeDown(id, reason: reason)
        delegate?.publish(.nodeStopped(id, reason: reason))
    }

    private func takeDown(_ id: NodeID, reason: String) {
        running.removeValue(forKey: id)?.kill()
        node(id).status = .down(reason: reason)
    }

    // MARK: Faults

    func killNode(_ id: NodeID) -> EventLoopFuture<Void> {
        if running[id] != nil { takeDown(id, reason: "killed by SIGKILL") }
        return loop.makeSucceededVoidFuture()
    }

    func pause(_ id: NodeID) -> String {
        let handle = node(id)
        guard handle.status == .up, let running = running[id] else {
            return "n\(id) is \(handle.status.label.lowercased()); nothing to pause"
        }
        running.pause()
        handle.status = .paused
        delegate?.publish(.action("n\(id) paused (its clock and messages stop)"))
        return "n\(id) paused (its clock and messages stop)"
    }

    func resume(_ id: NodeID) -> String {
        let handle = node(id)
        guard handle.status == .paused, let running = running[id] else { return "n\(id) is not paused" }
        handle.status = .up
        running.resume()
        delegate?.publish(.action("n\(id) resumed"))
        return "n\(id) resumed"
    }

    func restart(_ id: NodeID, wipe: Bool) -> EventLoopFuture<String> {
        if running[id] != nil {
            takeDown(id, reason: "restarting")
        }
        if wipe { disks[id] = MemoryLog(fsync: settings.fsync) }
        startNode(id)
        let text = wipe ? "n\(id) restarted with an EMPTY disk (disk loss)" : "n\(id) restarted on its disk"
        delegate?.publish(.action(text))
        return loop.makeSucceededFuture(text)
    }

    // MARK: Frames

    func send(_ frame: Frame, to id: NodeID) {
        guard let target = running[id] else { return }
        target.send(frame)
    }

    func deliver(_ payload: ByteBuffer, to id: NodeID) -> MessageFate {
        let handle = node(id)
        guard let target = running[id], handle.status == .up || handle.status == .paused else {
            return .receiverDown
        }
        guard target.takesMore else { return .overflow }
        target.send(payload)
        return .delivered
    }

    func connectionClosed(node id: NodeID, generation: Int) {}

    /// On a virtual clock that only moves while someone waits, a state frame due in a few
    /// milliseconds may not have come yet when the shell asks for `status`: read the nodes directly.
    func refreshStates() {
        for (id, node) in running {
            if let state = node.currentState { self.node(id).state = state }
        }
    }

    func views() -> [NodeView] {
        nodes.map { NodeView(id: $0.id, status: $0.status, pid: nil, state: $0.state) }
    }

    func shutdown() -> EventLoopFuture<Void> {
        isShutDown = true
        for id in running.keys.sorted() { takeDown(id, reason: "stopped") }
        return loop.makeSucceededVoidFuture()
    }
}
