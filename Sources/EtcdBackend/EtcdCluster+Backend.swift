import Checker
import Cluster
import ClusterAPI
import CommandLanguage
import EtcdClient
import Foundation

// MARK: ClusterBackend

extension EtcdCluster: ClusterBackend {
    public var kind: EngineKind { .etcd }
    /// Grows with `member add` (a removed member keeps its place until an add reuses it).
    public var nodeCount: Int { members.count }
    public var seed: UInt64 { options.seed }
    /// With `--journal FILE`: events, member views and settings (no frames: etcd's are not decoded).
    public var isJournaled: Bool { options.journalPath != nil }

    public func refusal(of command: Command) -> String? { EtcdRefusals.reason(for: command) }
    public func refusal(of need: DeckNeed) -> String? { EtcdRefusals.reason(for: need) }

    public func execute(_ command: Command, announcing: Bool) async -> CommandOutput {
        if let reason = refusal(of: command) { return .error("on etcd: \(reason)") }
        return await carryOut(command, client: "default", announcing: announcing)
    }

    public func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) async {
        hub.subscribe(handler)
    }

    public func note(_ text: String) async {
        hub.publish(.action(text))
    }

    public func narrate(_ narration: Narration) async {
        hub.publish(.narration(narration))
    }

    public func views() async -> [NodeView] {
        let locks = lockViews.withLock { $0 }
        let elections = electionViews.withLock { $0 }
        return members.all.enumerated().map { index, slot in
            var state = slot.state
            // etcd's locks and elections are one store's: the leader's pane (and `expect`) shows them.
            if state?.role == .leader, !locks.isEmpty { state?.locks = locks }
            if state?.role == .leader, !elections.isEmpty { state?.elections = elections }
            return NodeView(id: index + 1, status: slot.status, pid: slot.pid, state: state,
                            isRemoved: slot.removed && !slot.status.isRunning)
        }
    }

    public func summary() async -> ClusterSummary {
        let links = book.allCounters()
        var summary = ClusterSummary(network: book.rules.network, timing: options.timing,
                                     delivered: links.reduce(0) { $0 + $1.counters.chunks },
                                     dropped: links.reduce(0) { $0 + $1.counters.blocked },
                                     preVote: preVote, checkQuorum: true, fsync: true)
        summary.engineLabel = label
        summary.clientNames = sessions.namesByLease
        // A removed member's links leave the pane once nothing crosses them any more.
        let slots = members.all
        let removed = Set(slots.indices.filter { slots[$0].removed }.map { $0 + 1 })
        summary.linkTraffic = book.traffic(nodeCount: nodeCount).filter { link in
            link.bytesPerSecond > 0 || !(removed.contains(link.from) || removed.contains(link.to))
        }
        return summary
    }

    public func history() async -> [HistoryRecord] {
        history.withLock { $0.records }
    }

    public func secondsSinceStart() async -> Double { now }

    public func sideBySide(_ lanes: [@Sendable () async -> Void]) async {
        await runConcurrently(lanes)
    }

    public func idle(milliseconds: Int) async {
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }

    public func fresh(nodes: Int, frozen: Bool) async throws -> any ClusterBackend {
        var options = options
        options.nodeCount = nodes
        return try EtcdCluster(options: options, etcdBinary: processes.binary)
    }
}

// MARK: Commands

extension EtcdCluster {
    /// Whether members start with pre-vote (what `set prevote` last said).
    var preVote: Bool { preVoteSetting.withLock { $0 } }

    /// Carries out a command the refusals let through.
    private func carryOut(_ command: Command, client: String, announcing: Bool) async -> CommandOutput {
        switch command {
        case .asClient(let name, let inner):
            // A paused client sends nothing (the GC-pause lesson): its commands wait for `client
            // resume`, as the Raft clients' do.
            if inner.takesClient, sessions.session(name).paused {
                hub.publish(.action("client \(name) is paused: `\(inner)` waits for `client resume \(name)`"))
                await sessions.waitWhilePaused(name)
            }
            return await carryOut(inner, client: name, announcing: announcing)
        case .kill(let ref): return await withNode(ref) { await self.kill($0) }
        case .pause(let ref): return await withNode(ref) { await self.signal($0, SIGSTOP) }
        case .resume(let ref): return await withNode(ref) { await self.signal($0, SIGCONT) }
        case .restart(let ref): return await withNode(ref) { await self.restart($0) }
        case .partition(let groups):
            return network("partitioned") { () throws(PartitionShapeError) in try partitionGroups(groups) }
        case .partitionRing(let order):
            return network("partitioned") { () throws(PartitionShapeError) in
                try .ring(order: order, nodeCount: nodeCount)
            }
        case .partitionBridge(let ref, let halves):
            let node = await ref.asyncMap { await resolve($0) }
            if case .failure(let error)? = node { return .error(error.message) }
            return network("partitioned") { () throws(PartitionShapeError) in
                try .bridge(node: try node?.get(), halves: halves, nodeCount: nodeCount)
            }
        case .isolate(let ref):
            switch await resolve(ref) {
            case .failure(let error): return .error(error.message)
            case .success(let id):
                return network("n\(id) isolated") {
                    .groups([[id], (1...nodeCount).filter { $0 != id }])
                }
            }
        case .cut(let from, let to):
            guard from != to else { return .error("cut needs two different nodes") }
            book.change { $0.cut(from: from, to: to) }
            hub.publish(.action("cut \(from)->\(to)"))
            return CommandOutput(lines: ["cut \(from)->\(to): the proxy closes every connection carrying "
                + "n\(from)'s messages to n\(to)"])
        case .link(let from, let to, let settings):
            guard from != to else { return .error("link needs two different nodes") }
            book.change { $0.slow(from: from, to: to, delayMs: settings.delayMs, jitterMs: settings.jitterMs) }
            let link = book.rules.network.links.first { $0.from == from && $0.to == to }
            let text = "link \(from)->\(to): delay \(link?.delayMs ?? 0)ms jitter \(link?.jitterMs ?? 0)ms "
                + "(the proxy holds n\(from)'s bytes to n\(to))"
            hub.publish(.action(text))
            return CommandOutput(lines: [text])
        case .transfer(let node): return await transfer(to: node)
        case .member(let change): return await changeMembership(change)
        case .heal:
            book.change { $0.heal() }
            hub.publish(.action("network healed"))
            return CommandOutput(lines: ["network healed"])
        case .put(let key, let value):
            return await perform(.put(key: key, value: value), client: client, announcing: announcing)
        case .get(let key, nil): return await perform(.get(key: key), client: client, announcing: announcing)
        case .get(let key, let node?):
            return await perform(.staleGet(key: key, node: node), client: client, announcing: announcing)
        case .del(let key): return await perform(.delete(key: key), client: client, announcing: announcing)
        case .cas(let key, let old, let new):
            return await perform(.compareAndSet(key: key, old: old, new: new), client: client, announcing: announcing)
        case .set(let setting, let on):
            return await setPreVote(setting, on)
        case .status: return CommandOutput(lines: await statusLines())
        case .waitLeader(let withinMs): return await waitForLeader(withinMs: withinMs ?? 5_000)
        case .sleep(let ms):
            try? await Task.sleep(for: .milliseconds(ms))
            return CommandOutput(lines: [])
        case .help(let topic): return .help(topic)
        case .quit: return CommandOutput(lines: [])
        case .check: return checkHistory()
        case .start(let count, _):
            return .error("the cluster is already running with \(nodeCount) nodes (start \(count) needs a new console)")
        case .fencedPut(let key, let value, let token):
            return await fencedPut(key: key, value: value, token: token, client: client, announcing: announcing)
        case .lock(let name, let ttlMs): return await lock(name, ttlMs: ttlMs, client: client, announcing: announcing)
        case .unlock(let name): return await unlock(name, client: client, announcing: announcing)
        case .locks: return await lockLines()
        case .clientPause(let name, let paused): return await setClient(name, paused: paused)
        case .clients: return await clientLines()
        case .campaign(let name, let value, let ttlMs):
            return await campaign(name, value: value, ttlMs: ttlMs, client: client, announcing: announcing)
        case .resign(let name): return await resign(name, client: client, announcing: announcing)
        case .electionLeader(let name): return await electionLeader(name)
        case .waitElected(let name, let withinMs): return await waitElected(name, withinMs: withinMs, client: client)
        case .wipe(let ref): return await withNode(ref) { await self.wipe($0) }
        case .freeze, .step, .thaw, .pace, .timeout, .skew, .log, .heartbeats, .back, .seek:
            return .error("on etcd: \(refusal(of: command) ?? "not carried out")")
        }
    }

    private func partitionGroups(_ groups: [[Int]]) throws(PartitionShapeError) -> PartitionShape {
        let listed = groups.flatMap { $0 }
        guard listed.allSatisfy({ (1...nodeCount).contains($0) }) else {
            throw PartitionShapeError("partition names a node outside 1–\(nodeCount)")
        }
        let rest = (1...nodeCount).filter { !listed.contains($0) }
        return .groups(rest.isEmpty ? groups : groups + [rest])
    }

    /// Applies a partition shape, or says why it does not fit.
    private func network(_ verb: String, _ shape: () throws(PartitionShapeError) -> PartitionShape) -> CommandOutput {
        do {
            let shape = try shape()
            book.change { $0.partition(shape) }
        } catch {
            return .error(error.message)
        }
        let text = "\(verb): \(book.rules.network.text)"
        hub.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    /// A node id for `ref`: the leader as the status API last said, or a checked id.
    func resolve(_ ref: NodeRef) async -> Result<Int, PartitionShapeError> {
        switch ref {
        case .id(let id) where (1...nodeCount).contains(id): return .success(id)
        case .id(let id): return .failure(PartitionShapeError("no node \(id): nodes are 1–\(nodeCount)"))
        case .leader:
            guard let leader = await views().leader?.id else {
                return .failure(PartitionShapeError("no leader is known right now"))
            }
            return .success(leader)
        }
    }

    private func withNode(_ ref: NodeRef, _ action: (Int) async -> CommandOutput) async -> CommandOutput {
        switch await resolve(ref) {
        case .failure(let error): return .error(error.message)
        case .success(let id): return await action(id)
        }
    }

    // MARK: Processes

    private func kill(_ id: Int) async -> CommandOutput {
        guard await processes.pid(id - 1) != nil else { return .error("n\(id) is not running") }
        let reason = "killed by SIGKILL"
        // Down before the kill, so the exit the process monitor reports is not news.
        members.update(id - 1) { $0.status = .down(reason: reason) }
        await processes.kill(id - 1)
        await pool.discardAll(member: id - 1)
        hub.publish(.nodeStopped(id, reason: reason))
        return CommandOutput(lines: ["n\(id) killed (SIGKILL)"])
    }

    private func signal(_ id: Int, _ signal: Int32) async -> CommandOutput {
        let pausing = signal == SIGSTOP
        guard await processes.signal(id - 1, signal) else { return .error("n\(id) is not running") }
        members.update(id - 1) { $0.status = pausing ? .paused : .up }
        let text = pausing ? "n\(id) paused (SIGSTOP)" : "n\(id) resumed (SIGCONT)"
        hub.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    private func restart(_ id: Int) async -> CommandOutput {
        if members.all[id - 1].removed {
            return .error("n\(id) was removed from the cluster: etcd would refuse it; `member add` adds a new member")
        }
        members.update(id - 1) { $0.status = .down(reason: "restarting") }
        await processes.kill(id - 1)
        await pool.discardAll(member: id - 1)
        do {
            try await spawn(id - 1)
        } catch {
            members.update(id - 1) { $0.status = .down(reason: "\(error)") }
            return .error("n\(id) did not restart: \(error)")
        }
        let text = "n\(id) restarted on its data"
        hub.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    private func setPreVote(_ setting: Setting, _ on: Bool) async -> CommandOutput {
        preVoteSetting.withLock { $0 = on }
        await processes.setPreVote(on)
        let text = "prevote \(on ? "on" : "off"): etcd reads --pre-vote only at start, so it applies at "
            + "each member's next restart"
        hub.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    // MARK: Views

    private func statusLines() async -> [String] {
        var lines = ["node  status    pid      role       term  leader  commit  applied  member id         db"]
        for view in await views() {
            let state = view.status.isRunning || view.status == .paused ? view.state : nil
            let columns = [
                "n\(view.id)".padded(6), (view.isRemoved ? "REMOVED" : view.status.label).padded(10),
                (view.isRemoved ? "-" : view.pid.map(String.init) ?? "-").padded(9),
                (state?.role.rawValue ?? "-").padded(11), (state.map { "\($0.term)" } ?? "-").padded(6),
                (state?.leader.map { "n\($0)" } ?? "-").padded(8), (state.map { "\($0.commitIndex)" } ?? "-").padded(8),
                (state.map { "\($0.appliedIndex)" } ?? "-").padded(9), (state?.etcd?.memberID ?? "-").padded(18),
                state?.etcd?.databaseText ?? "-",
            ]
            lines.append(columns.joined())
        }
        lines.append("network: \(book.rules.network.text)")
        for link in book.allCounters() {
            let counters = link.counters
            lines.append("  proxy n\(link.from)->n\(link.to): \(counters.connections) connections, "
                + "\(counters.bytes / 1_024) KB in \(counters.chunks) chunks, \(counters.blocked) blocked")
        }
        lines.append("\(label): heartbeat \(etcdTiming.heartbeatMs) ms, election \(etcdTiming.electionMs) ms, "
            + "prevote \(preVote ? "on" : "off") (read at start)")
        return lines
    }

    /// `transfer N`: etcd's move-leader, sent to the leader, then waits (5 s) until N leads.
    private func transfer(to node: Int) async -> CommandOutput {
        let target: UInt64
        switch memberID(of: node) {
        case .failure(let reason): return .error(reason.message)
        case .success(let id): target = id
        }
        guard let leader = await views().leader else { return .error("no leader is known right now") }
        guard leader.id != node else { return CommandOutput(lines: ["n\(node) leads already"]) }
        let (ending, _) = await call(EtcdMoveLeaderRequest(targetID: target), as: "console", isWrite: true,
                                     pinnedMember: leader.id - 1)
        if case .failure(let failure) = ending { return .error("transfer to n\(node): \(failure)") }
        hub.publish(.action("etcd moved leadership from n\(leader.id) to n\(node)"))
        let led = await poll(forMs: 5_000) { () async -> NodeView? in
            await self.views().leader.flatMap { $0.id == node ? $0 : nil }
        }
        guard let led else { return .error("etcd accepted the transfer, but n\(node) did not lead within 5 s") }
        return CommandOutput(lines: ["leader n\(node) in term \(led.state?.term ?? 0) (moved from n\(leader.id))"])
    }

    private func waitForLeader(withinMs milliseconds: Int) async -> CommandOutput {
        let found = await poll(forMs: milliseconds) { () async -> NodeView? in await self.views().leader }
        guard let leader = found else { return .error("no leader within \(milliseconds) ms") }
        return CommandOutput(lines: ["leader n\(leader.id) in term \(leader.state?.term ?? 0)"])
    }

    private func checkHistory() -> CommandOutput {
        let (records, forgotten, path) = history.withLock { ($0.records, $0.forgottenCount, $0.path) }
        // Checking only the newest operations could flag a read of a value written earlier.
        guard forgotten == 0 else {
            return .error("only the newest \(records.count) operations are kept in memory; check the whole "
                + "history with: clusterdeck check \(path ?? "FILE")")
        }
        let report = LinearizabilityChecker.check(records, options: CheckOptions(leaseSlackSeconds: 0))
        return CommandOutput(lines: report.lines, ok: report.isLinearizable)
    }
}

extension Optional {
    /// `map` with an async transform.
    fileprivate func asyncMap<Mapped>(_ transform: (Wrapped) async -> Mapped) async -> Mapped? {
        guard let self else { return nil }
        return await transform(self)
    }
}
