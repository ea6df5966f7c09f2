import CommandLanguage
import NIOCore
import Raft
import Services
import Wire

/// Carries out commands of the command language on the local-process back end. `handling(of:…)`
/// is the one table of commands: every command the language has maps to its handler there, or to
/// the reason this back end refuses it, and nothing else lists commands (`refusal(of:)` reads the
/// same table without running anything). A client command given `as NAME` goes through the same
/// table with that client's name.
struct CommandRouter {
    let engine: ClusterEngine

    /// How this back end deals with one command.
    enum Handling {
        /// It refuses the command; the reason says why in one line.
        case refused(String)
        /// It runs this.
        case run(() -> EventLoopFuture<CommandOutput>)
    }

    /// Carries out one command.
    /// - Parameter announcing: false for a lesson's check that polls: its reads stay out of the event
    ///   log (the lesson reports the check).
    func execute(_ command: Command, announcing: Bool = true) -> EventLoopFuture<CommandOutput> {
        switch handling(of: command, as: "default", announce: announcing ? .always : .never) {
        case .refused(let reason): done(.error(reason))
        case .run(let body): body()
        }
    }

    /// Why nodes running `replication` do not carry out `command` (Raft's teaching controls mean
    /// nothing to primary/backup nodes), or nil.
    static func protocolRefusal(of command: Command, replication: ReplicationProtocol) -> String? {
        guard replication == .primaryBackup else { return nil }
        switch command {
        case .timeout: return "timeout fires Raft's election timer; primary/backup nodes promote by their monitors"
        case .set(.prevote, _), .set(.checkquorum, _):
            return "pre-vote and check-quorum are Raft's; primary/backup nodes have neither"
        case .asClient(_, let inner): return protocolRefusal(of: inner, replication: replication)
        default: return nil
        }
    }

    /// Why ClusterDeck's own nodes do not carry out an etcd-only command (nil: not one).
    static func etcdOnlyRefusal(of command: Command) -> String? {
        switch command {
        case .transfer(let node):
            "transfer is etcd's move-leader; on these nodes `timeout \(node)` makes n\(node) campaign"
        case .member:
            "membership changes are etcd's (`--engine etcd`): ClusterDeck's nodes run a fixed membership, "
                + "`start N` starts a cluster of another size"
        case .asClient(_, let inner): etcdOnlyRefusal(of: inner)
        default: nil
        }
    }

    /// Why this back end does not carry out `command`, or nil when it does.
    func refusal(of command: Command) -> String? {
        if case .refused(let reason) = handling(of: command, as: "default", announce: .always) { return reason }
        return nil
    }

    /// The table: each command and its handler.
    /// - Parameters:
    ///   - client: the client that issues a client command (`as NAME`, else "default").
    ///   - announce: when the event log hears of a key-value command's outcome.
    private func handling(of command: Command, as client: String, announce: ClientAnnouncement) -> Handling {
        let engine = engine
        let supervisor = engine.supervisor
        if let reason = Self.protocolRefusal(of: command, replication: engine.options.replication) {
            return .refused(reason)
        }
        switch command {
        case .start(let count, _):
            return .refused("the cluster is already running with \(engine.nodeCount) nodes (start \(count) "
                + "needs a new console)")
        case .heartbeats:
            return .refused("only the console's message timeline shows or hides heartbeats")
        case .transfer, .member:
            return .refused(Self.etcdOnlyRefusal(of: command) ?? "etcd only")
        case .back, .seek:
            return .refused(LocalCluster.timeTravelRefusal(inProcess: engine.options.simulation != nil))
        case .asClient(let name, let inner): return handling(of: inner, as: name, announce: announce)
        // Processes
        case .kill(let ref): return .run { withNodeLater(ref) { id in
            supervisor.killNode(id).map { "n\(id) killed (SIGKILL)" } } }
        case .pause(let ref): return .run { done(withNode(ref, supervisor.pause)) }
        case .resume(let ref): return .run { done(withNode(ref, supervisor.resume)) }
        case .restart(let ref): return .run { withNodeLater(ref) { supervisor.restart($0, wipe: false) } }
        case .wipe(let ref): return .run { withNodeLater(ref) { supervisor.restart($0, wipe: true) } }
        // Network
        case .partition(let groups): return .run { done(partition(groups)) }
        case .partitionRing(let order):
            return .run { done(partition { () throws(PartitionShapeError) in
                try .ring(order: order, nodeCount: engine.nodeCount) }) }
        case .partitionBridge(nil, let halves): return .run { done(partitionBridge(at: nil, halves)) }
        case .partitionBridge(let ref?, let halves):
            return .run { done(withNodeOutput(ref) { partitionBridge(at: $0, halves) }) }
        case .isolate(let ref): return .run { done(withNode(ref) { id in isolate(id) }) }
        case .cut(let from, let to): return .run { done(cut(from, to)) }
        case .link(let from, let to, let settings): return .run { done(link(from, to, settings)) }
        case .heal: return .run { done(heal()) }
        // Time
        case .freeze: return .run { done(freeze()) }
        case .step(let count): return .run { stepWhenHeld(count) }
        case .thaw: return .run { done(thaw()) }
        case .pace(let pace): return .run { done(setPace(pace)) }
        case .sleep(let ms):
            return .run { engine.loop.scheduleTask(in: .milliseconds(Int64(ms))) { CommandOutput(lines: []) }
                .futureResult }
        case .waitLeader(let withinMs): return .run { waitForLeader(within: withinMs ?? 5_000) }
        // Teaching controls
        case .timeout(let ref): return .run { done(withNode(ref) { fireElectionTimer($0) }) }
        case .skew(let id, let factor): return .run { done(withNode(.id(id)) { skewClock($0, factor) }) }
        case .set(let setting, let on): return .run { done(set(setting, on)) }
        // Clients: the key-value store
        case .put(let key, let value):
            return .run { perform(.write(.put(key: key, value: value)), as: client, announce: announce) }
        case .del(let key): return .run { perform(.write(.delete(key: key)), as: client, announce: announce) }
        case .cas(let key, let old, let new):
            return .run { perform(.write(.compareAndSwap(key: key, expected: old, new: new)), as: client,
                                  announce: announce) }
        case .get(let key, let staleNode?):
            guard (1...engine.nodeCount).contains(staleNode) else {
                return .run { done(.error("no node \(staleNode): nodes are 1–\(engine.nodeCount)")) }
            }
            return .run { perform(.staleRead(key: key, node: staleNode), as: client, announce: announce) }
        case .get(let key, nil): return .run { perform(.read(key: key), as: client, announce: announce) }
        // Clients: locks, elections, fenced writes
        case .fencedPut(let key, let value, let token):
            return .run { engine.fencedPut(key: key, value: value, token: token, as: client) }
        case .lock(let name, let ttlMs): return .run { engine.lock(name, ttlMs: ttlMs, as: client) }
        case .unlock(let name): return .run { engine.unlock(name, as: client) }
        case .campaign(let name, let value, let ttlMs):
            return .run { engine.campaign(name, value: value, ttlMs: ttlMs, as: client) }
        case .resign(let name): return .run { engine.resign(name, as: client) }
        case .waitElected(let name, let withinMs):
            return .run { engine.waitElected(name, withinMs: withinMs, as: client) }
        case .clientPause(let name, let pause): return .run { done(engine.setClient(name, paused: pause)) }
        // Views
        case .status: return .run { afterFreshState { _ in done(CommandOutput(lines: statusLines())) } }
        case .log(let ref): return .run { afterFreshState { _ in done(withNodeOutput(ref, logLines)) } }
        case .clients: return .run { done(CommandOutput(lines: engine.clients.lines())) }
        case .locks: return .run { afterFreshState { done(CommandOutput(lines: $0.lockLines())) } }
        case .electionLeader(let name): return .run { afterFreshState { done($0.electionLines(name)) } }
        case .check: return .run { checkHistory() }
        case .help(let topic): return .run { done(help(topic)) }
        case .quit: return .run { done(CommandOutput(lines: [])) }
        }
    }

    /// Runs a key-value operation as the named client and says what it printed.
    private func perform(_ operation: ClientOperation, as client: String,
                         announce: ClientAnnouncement) -> EventLoopFuture<CommandOutput> {
        engine.perform(operation, as: client, announce: announce).map { Self.describe($0, of: operation) }
    }

    func done(_ output: CommandOutput) -> EventLoopFuture<CommandOutput> {
        engine.loop.makeSucceededFuture(output)
    }

    // MARK: Nodes named by a command

    /// A node reference resolved: the node, or what to print instead.
    private enum Resolved {
        case node(NodeID)
        case refused(CommandOutput)
    }

    /// Resolves `leader`, or checks an id.
    private func resolve(_ ref: NodeRef) -> Resolved {
        switch ref {
        case .leader:
            guard let leader = engine.leaderID else {
                return .refused(.error("no leader right now (try: wait leader)"))
            }
            return .node(leader)
        case .id(let id):
            guard (1...engine.nodeCount).contains(id) else {
                return .refused(.error("no node \(id): nodes are 1–\(engine.nodeCount)"))
            }
            return .node(id)
        }
    }

    /// Resolves `leader` or checks an id, then runs `action`.
    func withNode(_ ref: NodeRef, _ action: (NodeID) -> String) -> CommandOutput {
        withNodeOutput(ref) { CommandOutput(lines: [action($0)]) }
    }

    func withNodeOutput(_ ref: NodeRef, _ action: (NodeID) -> CommandOutput) -> CommandOutput {
        switch resolve(ref) {
        case .node(let id): action(id)
        case .refused(let output): output
        }
    }

    /// Like `withNode`, for an action that ends later (a process must be gone first).
    private func withNodeLater(_ ref: NodeRef,
                               _ action: (NodeID) -> EventLoopFuture<String>) -> EventLoopFuture<CommandOutput> {
        switch resolve(ref) {
        case .node(let id): action(id).map { CommandOutput(lines: [$0]) }
        case .refused(let output): done(output)
        }
    }
}
