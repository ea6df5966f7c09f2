import Checker
import CommandLanguage
import Foundation
import NIOCore
import Raft
import Services
import Wire

extension CommandRouter {
    /// Runs `body` once the shown replica has applied every write a client was answered for (state
    /// frames are coalesced), or after a second at most. In-process nodes are read directly first:
    /// on a virtual clock that stands still between two typed lines, no time passes for it.
    func afterFreshState(_ body: @escaping (ClusterEngine) -> EventLoopFuture<CommandOutput>,
                         attempts: Int = 50) -> EventLoopFuture<CommandOutput> {
        engine.supervisor.refreshStates()
        engine.journalChanges()
        let fresh = (engine.leaderReplicaState?.appliedIndex ?? 0) >= engine.clients.newestAnsweredIndex
        guard !fresh, attempts > 0 else { return body(engine) }
        let bound = NIOLoopBound((router: self, body: body), eventLoop: engine.loop)
        return engine.loop.scheduleTask(in: .milliseconds(20)) { () }.futureResult.flatMap {
            bound.value.router.afterFreshState(bound.value.body, attempts: attempts - 1)
        }
    }

    /// Steps once a message is held: a node told to act a moment ago (`timeout`) may not have sent
    /// yet, so an empty hold is given up to a second. Afterwards the nodes get a moment to react, so
    /// their answers are held before the next step.
    func stepWhenHeld(_ count: Int, attempts: Int = 50) -> EventLoopFuture<CommandOutput> {
        guard engine.fabric.frozen, engine.fabric.held.isEmpty, attempts > 0 else {
            let output = step(count)
            return engine.loop.scheduleTask(in: .milliseconds(100)) { output }.futureResult
        }
        let bound = NIOLoopBound(self, eventLoop: engine.loop)
        return engine.loop.scheduleTask(in: .milliseconds(20)) { () }.futureResult.flatMap {
            bound.value.stepWhenHeld(count, attempts: attempts - 1)
        }
    }

    // MARK: Network

    func partition(_ groups: [[NodeID]]) -> CommandOutput {
        let listed = groups.flatMap { $0 }
        guard listed.allSatisfy({ (1...engine.nodeCount).contains($0) }) else {
            return .error("partition names a node outside 1–\(engine.nodeCount)")
        }
        var full = groups
        let rest = (1...engine.nodeCount).filter { !listed.contains($0) }
        if !rest.isEmpty { full.append(rest) }
        engine.fabric.partition(full)
        let text = "partitioned: \(engine.fabric.summary)"
        engine.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    /// Cuts the links a ring or a bridge does not keep, or says why the shape does not fit.
    func partition(_ shape: () throws(PartitionShapeError) -> PartitionShape) -> CommandOutput {
        do {
            engine.fabric.partition(shape: try shape())
        } catch {
            return .error(error.message)
        }
        let text = "partitioned: \(engine.fabric.summary)"
        engine.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    func partitionBridge(at node: NodeID?, _ halves: [[Int]]?) -> CommandOutput {
        partition { () throws(PartitionShapeError) in
            try .bridge(node: node, halves: halves, nodeCount: engine.nodeCount)
        }
    }

    func isolate(_ id: NodeID) -> String {
        engine.fabric.partition([[id], (1...engine.nodeCount).filter { $0 != id }])
        let text = "n\(id) isolated: \(engine.fabric.summary)"
        engine.publish(.action(text))
        return text
    }

    func cut(_ from: NodeID, _ to: NodeID) -> CommandOutput {
        guard validLink(from, to) else { return .error("cut needs two different nodes in 1–\(engine.nodeCount)") }
        engine.fabric.cut(from: from, to: to)
        engine.publish(.action("cut \(from)->\(to)"))
        return CommandOutput(lines: ["cut \(from)->\(to): messages from n\(from) to n\(to) are dropped"])
    }

    func link(_ from: NodeID, _ to: NodeID, _ settings: LinkSettings) -> CommandOutput {
        guard validLink(from, to) else { return .error("link needs two different nodes in 1–\(engine.nodeCount)") }
        engine.fabric.setLink(from: from, to: to) { rule in
            if let delay = settings.delayMs { rule.delayMs = delay }
            if let jitter = settings.jitterMs { rule.jitterMs = jitter }
            if let loss = settings.lossPercent { rule.lossPercent = loss }
            if let duplicate = settings.duplicatePercent { rule.duplicatePercent = duplicate }
        }
        let rule = engine.fabric.rules[from][to]
        let text = "link \(from)->\(to): delay \(rule.delayMs)ms jitter \(rule.jitterMs)ms "
            + "loss \(rule.lossPercent)% dup \(rule.duplicatePercent)%"
        engine.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    func validLink(_ from: NodeID, _ to: NodeID) -> Bool {
        from != to && (1...engine.nodeCount).contains(from) && (1...engine.nodeCount).contains(to)
    }

    func heal() -> CommandOutput {
        engine.fabric.heal()
        engine.publish(.action("network healed"))
        return CommandOutput(lines: ["network healed"])
    }

    // MARK: Time

    func freeze() -> CommandOutput {
        engine.fabric.freeze()
        engine.stopClusterClock()
        for id in 1...engine.nodeCount { engine.send(.control(.freeze), to: id) }
        engine.publish(.action("frozen: clocks stopped, messages held"))
        return CommandOutput(lines: ["frozen: node clocks stopped; peer messages are held (step to deliver)"])
    }

    func step(_ count: Int) -> CommandOutput {
        guard engine.fabric.frozen else { return .error("step works while frozen (run freeze first)") }
        let released = engine.fabric.step(count)
        guard !released.isEmpty else { return CommandOutput(lines: ["no message is held"]) }
        var lines: [String] = []
        for message in released {
            engine.deliverNow(message.header, message.payload)
            let header = message.header
            lines.append("delivered n\(header.from) → n\(header.to) \(header.typeName) t\(header.term) "
                + "entries=\(header.entryCount)")
        }
        lines.append("\(engine.fabric.held.count) still held")
        return CommandOutput(lines: lines)
    }

    func thaw() -> CommandOutput {
        let released = engine.fabric.thaw()
        engine.startClusterClock()
        for message in released { engine.deliverNow(message.header, message.payload) }
        for id in 1...engine.nodeCount { engine.send(.control(.thaw), to: id) }
        engine.publish(.action("thawed: \(released.count) held messages delivered"))
        return CommandOutput(lines: ["thawed: \(released.count) held messages delivered, clocks running"])
    }

    func setPace(_ pace: Pace) -> CommandOutput {
        switch pace {
        case .teach: engine.supervisor.settings.timing = .teach
        case .real: engine.supervisor.settings.timing = .real
        case .factor(let factor): engine.supervisor.settings.timing = Timing.real.scaled(by: factor)
        }
        for id in 1...engine.nodeCount { engine.send(.control(.pace(tickMs: engine.timing.tickMs)), to: id) }
        let text = "pace: heartbeat \(engine.timing.heartbeatMs) ms, election timeout "
            + "\(engine.timing.maximumElectionMs / 2)–\(engine.timing.maximumElectionMs) ms"
        engine.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    // MARK: Teaching controls

    func fireElectionTimer(_ id: NodeID) -> String {
        let status = engine.node(id).status
        guard status == .up else { return "n\(id) is \(status.label.lowercased()); it cannot campaign" }
        // Sent even to a leader: its state frame may be a moment old, and a leader ignores it.
        engine.send(.control(.campaign), to: id)
        let text = TimeoutExplanation(node: id, state: engine.node(id).state, leader: engine.leaderID,
                                      preVote: engine.preVote, checkQuorum: engine.checkQuorum).text
        engine.publish(.action(text))
        return text
    }

    func skewClock(_ id: NodeID, _ factor: Double) -> String {
        engine.send(.control(.skew(factor: factor)), to: id)
        let text = "n\(id): clock runs \(factor)× as fast"
        engine.publish(.action(text))
        return text
    }

    func set(_ setting: Setting, _ on: Bool) -> CommandOutput {
        switch setting {
        case .prevote: engine.supervisor.settings.preVote = on
        case .checkquorum: engine.supervisor.settings.checkQuorum = on
        case .fsync: engine.supervisor.settings.fsync = on
        }
        for id in 1...engine.nodeCount {
            engine.send(.control(.settings(preVote: engine.preVote, checkQuorum: engine.checkQuorum,
                                           fsync: engine.fsync)), to: id)
        }
        let text = "\(setting.rawValue) \(on ? "on" : "off") on every node"
        engine.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    // MARK: Clients

    /// What a client operation's outcome prints.
    static func describe(_ outcome: ClientOutcome, of operation: ClientOperation) -> CommandOutput {
        switch (outcome, operation) {
        case (.ok(let value), .read), (.ok(let value), .staleRead):
            return CommandOutput(lines: [value ?? "(not found)"], read: value.map(KeyRead.value) ?? .absent)
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
        for view in engine.views() {
            let state = view.status.isRunning || view.status == .paused ? view.state : nil
            let columns = [
                "n\(view.id)".padded(6), view.status.label.padded(10), (view.pid.map(String.init) ?? "-").padded(9),
                (state?.role.word ?? "-").padded(15), (state.map { "\($0.term)" } ?? "-").padded(6),
                (state?.leader.map { "n\($0)" } ?? "-").padded(8), (state.map { "\($0.commitIndex)" } ?? "-").padded(8),
                (state.map { "\($0.appliedIndex)" } ?? "-").padded(9), state.map { "\($0.lastIndex)" } ?? "-",
            ]
            lines.append(columns.joined())
        }
        let fabric = engine.fabric
        let counts = fabric.counts
        lines.append("network: \(fabric.summary)\(fabric.frozen ? "  FROZEN (\(fabric.held.count) held)" : "")  "
            + "messages: \(counts[.delivered] ?? 0) delivered, "
            + "\(counts.filter { $0.key != .delivered && $0.key != .held }.values.reduce(0, +)) dropped")
        lines.append("pace: heartbeat \(engine.timing.heartbeatMs) ms")
        return lines
    }

    func logLines(_ id: NodeID) -> CommandOutput {
        guard let state = engine.node(id).state else { return .error("n\(id) has not reported its state") }
        var lines = ["n\(id) log \(state.firstIndex)…\(state.lastIndex), commit \(state.commitIndex), "
            + "applied \(state.appliedIndex), snapshot through \(state.snapshotIndex)"]
        for entry in state.logTail {
            let committed = entry.index <= state.commitIndex
            let marker = committed ? (entry.refused == nil ? "✓" : "✗") : " "
            let text = entry.described { id in engine.clients.name(of: id) }
            lines.append("  \(marker) \(entry.index)  t\(entry.term)  \(text)")
        }
        return CommandOutput(lines: lines)
    }

    func waitForLeader(within milliseconds: Int) -> EventLoopFuture<CommandOutput> {
        let promise = engine.loop.makePromise(of: CommandOutput.self)
        let deadline = engine.clock.now + .milliseconds(milliseconds)
        pollLeader(until: deadline, within: milliseconds, promise: promise)
        return promise.futureResult
    }

    func pollLeader(until deadline: Duration, within milliseconds: Int,
                            promise: EventLoopPromise<CommandOutput>) {
        if let leader = engine.leaderID, let term = engine.node(leader).state?.term {
            return promise.succeed(CommandOutput(lines: ["leader: n\(leader) (term \(term))"]))
        }
        guard engine.clock.now < deadline else {
            return promise.succeed(.error("no leader within \(milliseconds) ms"))
        }
        let bound = NIOLoopBound(self, eventLoop: engine.loop)
        engine.loop.scheduleTask(in: .milliseconds(20)) {
            bound.value.pollLeader(until: deadline, within: milliseconds, promise: promise)
        }
    }

    func help(_ topic: String?) -> CommandOutput {
        CommandOutput.help(topic)
    }

    /// `check`: the session's history so far, checked off the event loop (a long history takes a
    /// moment, and the loop routes every peer message). Not linearizable or undecided: ok = false.
    func checkHistory() -> EventLoopFuture<CommandOutput> {
        let history = engine.history
        guard history.forgottenCount == 0 else {
            // Checking only the newest operations could flag a read of a value written earlier.
            return done(.error("only the newest \(history.records.count) operations are "
                + "kept in memory; check the whole history with: clusterdeck check \(history.path ?? "FILE")"))
        }
        let operations = history.records
        let options = CheckOptions(leaseSlackSeconds: ClusterEngine.leaseSlackSeconds(engine.timing))
        return engine.loop.makeFutureWithTask {
            let report = LinearizabilityChecker.check(operations, options: options)
            return CommandOutput(lines: report.lines, ok: report.isLinearizable)
        }
    }
}

extension CommandOutput {
    /// `help [NAME]`: the command list, or one command's help (any back end answers it alike).
    public static func help(_ topic: String?) -> CommandOutput {
        guard let topic else { return CommandOutput(lines: CommandHelp.overview.split(separator: "\n").map(String.init)) }
        guard let text = CommandHelp.help(for: topic) else {
            return .error("no command \"\(topic)\"; commands: \(CommandHelp.commandNames.joined(separator: ", "))")
        }
        return CommandOutput(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }
}
