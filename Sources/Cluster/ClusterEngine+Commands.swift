import CommandLanguage
import Foundation
import NIOCore
import Raft
import Services
import Wire

extension ClusterEngine {
    /// Carries out one command of the command language.
    /// - Parameter announcing: false for a lesson's check that polls: its reads stay out of the event
    ///   log (the lesson reports the check).
    func execute(_ command: Command, announcing: Bool = true) -> EventLoopFuture<CommandOutput> {
        let announce: Announcement = announcing ? .always : .never
        switch command {
        case .start(let count, _):
            return done(.error("the cluster is already running with \(nodeCount) nodes (start \(count) "
                + "needs a new console)"))
        case .heartbeats:
            return done(.error("only the console's message timeline shows or hides heartbeats"))
        case .kill(let ref): return done(withNode(ref) { killNode($0); return "n\($0) killed (SIGKILL)" })
        case .pause(let ref): return done(withNode(ref, pause))
        case .resume(let ref): return done(withNode(ref, resume))
        case .restart(let ref): return done(withNode(ref) { restart($0, wipe: false) })
        case .wipe(let ref): return done(withNode(ref) { restart($0, wipe: true) })
        case .partition(let groups): return done(partition(groups))
        case .isolate(let ref): return done(withNode(ref) { id in isolate(id) })
        case .cut(let from, let to): return done(cut(from, to))
        case .link(let from, let to, let settings): return done(link(from, to, settings))
        case .heal: return done(heal())
        case .freeze: return done(freeze())
        case .step(let count): return stepWhenHeld(count)
        case .thaw: return done(thaw())
        case .pace(let pace): return done(setPace(pace))
        case .put, .get, .del, .cas: return client(command, as: "default", announce: announce)
        case .status: return done(CommandOutput(lines: statusLines()))
        case .log(let ref): return done(withNodeOutput(ref, logLines))
        case .waitLeader(let withinMs): return waitForLeader(within: withinMs ?? 5_000)
        case .sleep(let ms): return loop.scheduleTask(in: .milliseconds(Int64(ms))) { CommandOutput(lines: []) }
            .futureResult
        case .help(let topic): return done(help(topic))
        case .quit: return done(CommandOutput(lines: []))
        case .timeout(let ref): return done(withNode(ref) { fireElectionTimer($0) })
        case .skew(let id, let factor): return done(withNode(.id(id)) { skewClock($0, factor) })
        case .set(let setting, let on): return done(set(setting, on))
        case .asClient(let name, .put(let key, let value)):
            return client(.put(key: key, value: value), as: name, announce: announce)
        case .asClient(let name, let inner) where inner.isServiceCommand: return serviceCommand(inner, as: name)
        case .asClient(let name, let inner): return client(inner, as: name, announce: announce)
        case .clientPause(let name, let pause): return done(setClient(name, paused: pause))
        case .clients: return done(CommandOutput(lines: clientLines()))
        case .fencedPut, .lock, .unlock, .campaign, .resign, .waitElected:
            return serviceCommand(command, as: "default")
        case .locks: return afterFreshState { $0.done(CommandOutput(lines: $0.lockLines())) }
        case .electionLeader(let name): return afterFreshState { $0.done($0.electionLines(name)) }
        case .check: return checkHistory()
        }
    }

    /// Runs `body` once the shown replica has applied every write a client was answered for (state
    /// frames are coalesced), or after a second at most.
    func afterFreshState(_ body: @escaping (ClusterEngine) -> EventLoopFuture<CommandOutput>,
                         attempts: Int = 50) -> EventLoopFuture<CommandOutput> {
        let fresh = (leaderReplicaState?.appliedIndex ?? 0) >= newestAnsweredIndex
        guard !fresh, attempts > 0 else { return body(self) }
        let bound = NIOLoopBound(self, eventLoop: loop)
        return loop.scheduleTask(in: .milliseconds(20)) { () }.futureResult.flatMap {
            bound.value.afterFreshState(body, attempts: attempts - 1)
        }
    }

    /// Steps once a message is held: a node told to act a moment ago (`timeout`) may not have sent
    /// yet, so an empty hold is given up to a second. Afterwards the nodes get a moment to react, so
    /// their answers are held before the next step.
    private func stepWhenHeld(_ count: Int, attempts: Int = 50) -> EventLoopFuture<CommandOutput> {
        guard fabric.frozen, fabric.held.isEmpty, attempts > 0 else {
            let output = step(count)
            return loop.scheduleTask(in: .milliseconds(100)) { output }.futureResult
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        return loop.scheduleTask(in: .milliseconds(20)) { () }.futureResult.flatMap {
            bound.value.stepWhenHeld(count, attempts: attempts - 1)
        }
    }

    func done(_ output: CommandOutput) -> EventLoopFuture<CommandOutput> {
        loop.makeSucceededFuture(output)
    }

    /// Resolves `leader` or checks an id, then runs `action`.
    private func withNode(_ ref: NodeRef, _ action: (NodeID) -> String) -> CommandOutput {
        withNodeOutput(ref) { CommandOutput(lines: [action($0)]) }
    }

    private func withNodeOutput(_ ref: NodeRef, _ action: (NodeID) -> CommandOutput) -> CommandOutput {
        switch ref {
        case .leader:
            guard let leader = leaderID else { return .error("no leader right now (try: wait leader)") }
            return action(leader)
        case .id(let id):
            guard (1...nodeCount).contains(id) else { return .error("no node \(id): nodes are 1–\(nodeCount)") }
            return action(id)
        }
    }

    // MARK: Processes

    private func pause(_ id: NodeID) -> String {
        let handle = node(id)
        guard handle.status == .up || handle.status == .starting else {
            return "n\(id) is \(handle.status.label.lowercased()); nothing to pause"
        }
        handle.signal(SIGSTOP)
        handle.status = .paused
        publish(.action("n\(id) paused (SIGSTOP)"))
        return "n\(id) paused (SIGSTOP)"
    }

    private func resume(_ id: NodeID) -> String {
        let handle = node(id)
        guard handle.status == .paused else { return "n\(id) is not paused" }
        handle.signal(SIGCONT)
        handle.status = handle.channel == nil ? .starting : .up
        publish(.action("n\(id) resumed (SIGCONT)"))
        return "n\(id) resumed (SIGCONT)"
    }

    private func restart(_ id: NodeID, wipe: Bool) -> String {
        killNode(id)
        if wipe { try? FileManager.default.removeItem(atPath: run.dataDirectory(node: id)) }
        startNode(id)
        let text = wipe ? "n\(id) restarted with an EMPTY data directory (disk loss)" : "n\(id) restarted on its data"
        publish(.action(text))
        return text
    }

    // MARK: Network

    private func partition(_ groups: [[NodeID]]) -> CommandOutput {
        let listed = groups.flatMap { $0 }
        guard listed.allSatisfy({ (1...nodeCount).contains($0) }) else {
            return .error("partition names a node outside 1–\(nodeCount)")
        }
        var full = groups
        let rest = (1...nodeCount).filter { !listed.contains($0) }
        if !rest.isEmpty { full.append(rest) }
        fabric.partition(full)
        let text = "partitioned: \(fabric.summary)"
        publish(.action(text))
        return CommandOutput(lines: [text])
    }

    private func isolate(_ id: NodeID) -> String {
        fabric.partition([[id], (1...nodeCount).filter { $0 != id }])
        let text = "n\(id) isolated: \(fabric.summary)"
        publish(.action(text))
        return text
    }

    private func cut(_ from: NodeID, _ to: NodeID) -> CommandOutput {
        guard validLink(from, to) else { return .error("cut needs two different nodes in 1–\(nodeCount)") }
        fabric.cut(from: from, to: to)
        publish(.action("cut \(from)->\(to)"))
        return CommandOutput(lines: ["cut \(from)->\(to): messages from n\(from) to n\(to) are dropped"])
    }

    private func link(_ from: NodeID, _ to: NodeID, _ settings: LinkSettings) -> CommandOutput {
        guard validLink(from, to) else { return .error("link needs two different nodes in 1–\(nodeCount)") }
        fabric.setLink(from: from, to: to) { rule in
            if let delay = settings.delayMs { rule.delayMs = delay }
            if let jitter = settings.jitterMs { rule.jitterMs = jitter }
            if let loss = settings.lossPercent { rule.lossPercent = loss }
            if let duplicate = settings.duplicatePercent { rule.duplicatePercent = duplicate }
        }
        let rule = fabric.rules[from][to]
        let text = "link \(from)->\(to): delay \(rule.delayMs)ms jitter \(rule.jitterMs)ms "
            + "loss \(rule.lossPercent)% dup \(rule.duplicatePercent)%"
        publish(.action(text))
        return CommandOutput(lines: [text])
    }

    private func validLink(_ from: NodeID, _ to: NodeID) -> Bool {
        from != to && (1...nodeCount).contains(from) && (1...nodeCount).contains(to)
    }

    private func heal() -> CommandOutput {
        fabric.heal()
        publish(.action("network healed"))
        return CommandOutput(lines: ["network healed"])
    }

    // MARK: Time

    private func freeze() -> CommandOutput {
        fabric.freeze()
        stopClusterClock()
        for id in 1...nodeCount { send(.control(.freeze), to: id) }
        publish(.action("frozen: clocks stopped, messages held"))
        return CommandOutput(lines: ["frozen: node clocks stopped; peer messages are held (step to deliver)"])
    }

    private func step(_ count: Int) -> CommandOutput {
        guard fabric.frozen else { return .error("step works while frozen (run freeze first)") }
        let released = fabric.step(count)
        guard !released.isEmpty else { return CommandOutput(lines: ["no message is held"]) }
        var lines: [String] = []
        for message in released {
            deliverNow(message.header, message.payload)
            let header = message.header
            lines.append("delivered n\(header.from) → n\(header.to) \(header.typeName) t\(header.term) "
                + "entries=\(header.entryCount)")
        }
        lines.append("\(fabric.held.count) still held")
        return CommandOutput(lines: lines)
    }

    private func thaw() -> CommandOutput {
        let released = fabric.thaw()
        startClusterClock()
        for message in released { deliverNow(message.header, message.payload) }
        for id in 1...nodeCount { send(.control(.thaw), to: id) }
        publish(.action("thawed: \(released.count) held messages delivered"))
        return CommandOutput(lines: ["thawed: \(released.count) held messages delivered, clocks running"])
    }

    private func setPace(_ pace: Pace) -> CommandOutput {
        switch pace {
        case .teach: timing = .teach
        case .real: timing = .real
        case .factor(let factor): timing = Timing.real.scaled(by: factor)
        }
        for id in 1...nodeCount { send(.control(.pace(tickMs: timing.tickMs)), to: id) }
        let text = "pace: heartbeat \(timing.heartbeatMs) ms, election timeout "
            + "\(timing.maximumElectionMs / 2)–\(timing.maximumElectionMs) ms"
        publish(.action(text))
        return CommandOutput(lines: [text])
    }

    // MARK: Teaching controls

    private func fireElectionTimer(_ id: NodeID) -> String {
        guard node(id).status == .up else { return "n\(id) is \(node(id).status.label.lowercased()); it cannot campaign" }
        // Sent even to a leader: its state frame may be a moment old, and a leader ignores it.
        send(.control(.campaign), to: id)
        let text = TimeoutExplanation(node: id, state: node(id).state, leader: leaderID, preVote: preVote,
                                      checkQuorum: checkQuorum).text
        publish(.action(text))
        return text
    }

    private func skewClock(_ id: NodeID, _ factor: Double) -> String {
        send(.control(.skew(factor: factor)), to: id)
        let text = "n\(id): clock runs \(factor)× as fast"
        publish(.action(text))
        return text
    }

    private func set(_ setting: Setting, _ on: Bool) -> CommandOutput {
        switch setting {
        case .prevote: preVote = on
        case .checkquorum: checkQuorum = on
        case .fsync: fsync = on
        }
        for id in 1...nodeCount {
            send(.control(.settings(preVote: preVote, checkQuorum: checkQuorum, fsync: fsync)), to: id)
        }
        let text = "\(setting.rawValue) \(on ? "on" : "off") on every node"
        publish(.action(text))
        return CommandOutput(lines: [text])
    }

    // MARK: Clients

    private func client(_ command: Command, as name: String, announce: Announcement) -> EventLoopFuture<CommandOutput> {
        let operation: ClientOperation
        switch command {
        case .put(let key, let value): operation = .write(.put(key: key, value: value))
        case .del(let key): operation = .write(.delete(key: key))
        case .cas(let key, let old, let new): operation = .write(.compareAndSwap(key: key, expected: old, new: new))
        case .get(let key, let staleNode?):
            guard (1...nodeCount).contains(staleNode) else {
                return done(.error("no node \(staleNode): nodes are 1–\(nodeCount)"))
            }
            operation = .staleRead(key: key, node: staleNode)
        case .get(let key, nil): operation = .read(key: key)
        default: preconditionFailure("bug: \(command) is not a client command")
        }
        return perform(operation, as: name, announce: announce).map { outcome in Self.describe(outcome, of: operation) }
    }

    /// What a client operation's outcome prints.
    static func describe(_ outcome: ClientOutcome, of operation: ClientOperation) -> CommandOutput {
        switch (outcome, operation) {
        case (.ok(let value), .read), (.ok(let value), .staleRead):
            return CommandOutput(lines: [value ?? "(not found)"])
        case (.ok, .write(.put)), (.ok, .write(.compareAndSwap)):
            return CommandOutput(lines: ["OK"])
        case (.ok(let previous), .write(.delete)):
            return CommandOutput(lines: [previous == nil ? "0 (no such key)" : "1"])
        case (.compareFailed(let current), _):
            return CommandOutput(lines: ["cas failed: the key holds \(current.map { "\"\($0)\"" } ?? "nothing")"],
                                 ok: false)
        case (.failed(let reason), _):
            return .error(reason)
        case (.unknown(let reason), _):
            return CommandOutput(lines: ["unknown: \(reason) — the write may or may not have applied"], ok: false)
        case (.ok, .write), (.ok, .service):
            return CommandOutput(lines: ["OK"])
        case (.result(let result), _):
            return CommandOutput(lines: [result.description])
        }
    }


    // MARK: Views

    func statusLines() -> [String] {
        var lines = ["node  status    pid      role           term  leader  commit  applied  last"]
        for view in views() {
            let state = view.status.isRunning || view.status == .paused ? view.state : nil
            let columns = [
                "n\(view.id)".padded(6), view.status.label.padded(10), (view.pid.map(String.init) ?? "-").padded(9),
                (state?.role.rawValue ?? "-").padded(15), (state.map { "\($0.term)" } ?? "-").padded(6),
                (state?.leader.map { "n\($0)" } ?? "-").padded(8), (state.map { "\($0.commitIndex)" } ?? "-").padded(8),
                (state.map { "\($0.appliedIndex)" } ?? "-").padded(9), state.map { "\($0.lastIndex)" } ?? "-",
            ]
            lines.append(columns.joined())
        }
        let counts = fabric.counts
        lines.append("network: \(fabric.summary)\(fabric.frozen ? "  FROZEN (\(fabric.held.count) held)" : "")  "
            + "messages: \(counts[.delivered] ?? 0) delivered, "
            + "\(counts.filter { $0.key != .delivered && $0.key != .held }.values.reduce(0, +)) dropped")
        lines.append("pace: heartbeat \(timing.heartbeatMs) ms")
        return lines
    }

    private func logLines(_ id: NodeID) -> CommandOutput {
        guard let state = node(id).state else { return .error("n\(id) has not reported its state") }
        var lines = ["n\(id) log \(state.firstIndex)…\(state.lastIndex), commit \(state.commitIndex), "
            + "applied \(state.appliedIndex), snapshot through \(state.snapshotIndex)"]
        for entry in state.logTail {
            let committed = entry.index <= state.commitIndex
            let marker = committed ? (entry.refused == nil ? "✓" : "✗") : " "
            let text = entry.described { id in self.clients.values.first { $0.clientID == id }?.name }
            lines.append("  \(marker) \(entry.index)  t\(entry.term)  \(text)")
        }
        return CommandOutput(lines: lines)
    }

    private func waitForLeader(within milliseconds: Int) -> EventLoopFuture<CommandOutput> {
        let promise = loop.makePromise(of: CommandOutput.self)
        let deadline = NIODeadline.now() + .milliseconds(Int64(milliseconds))
        pollLeader(until: deadline, within: milliseconds, promise: promise)
        return promise.futureResult
    }

    private func pollLeader(until deadline: NIODeadline, within milliseconds: Int,
                            promise: EventLoopPromise<CommandOutput>) {
        if let leader = leaderID, let term = node(leader).state?.term {
            return promise.succeed(CommandOutput(lines: ["leader: n\(leader) (term \(term))"]))
        }
        guard NIODeadline.now() < deadline else {
            return promise.succeed(.error("no leader within \(milliseconds) ms"))
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: .milliseconds(20)) {
            bound.value.pollLeader(until: deadline, within: milliseconds, promise: promise)
        }
    }

    private func help(_ topic: String?) -> CommandOutput {
        guard let topic else { return CommandOutput(lines: CommandHelp.overview.split(separator: "\n").map(String.init)) }
        guard let text = CommandHelp.help(for: topic) else {
            return .error("no command \"\(topic)\"; commands: \(CommandHelp.commandNames.joined(separator: ", "))")
        }
        return CommandOutput(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }
}
