import ClusterAPI
import CommandLanguage
import Synchronization

/// Runs scenario steps against a cluster, telling its audience about each. A step is a caption
/// and the commands up to the next caption.
public struct ScenarioPlayer: Sendable {
    let cluster: any ClusterBackend
    let speed: Double
    let audience: any ScenarioAudience
    /// The file, for the narration the journal keeps.
    var file = ""
    static let defaultWithinMs = 3_000

    public init(cluster: any ClusterBackend, speed: Double, audience: any ScenarioAudience, file: String = "") {
        self.cluster = cluster
        self.speed = speed
        self.audience = audience
        self.file = file
    }

    /// Plays every step; false at the first failed expectation or failed wait.
    public func run(_ script: [ScenarioLine]) async -> Bool {
        let steps = Self.captionGroups(in: script)
        var picks: [String: Int] = [:]
        var index = 0
        var step = 0
        var lastCaption: String?
        var readerWaited = false
        while index < script.count {
            let original = script[index]
            await audience.begin(original, index: index, total: script.count)
            if Task.isCancelled { return false }
            guard let line = resolve(original, picks: picks) else {
                return fail(original, "cannot use the picked nodes here")
            }
            if case .say = line.step {
                let group = script[index...].prefix(while: \.isCaption).map { resolve($0, picks: picks) ?? $0 }
                // A `pause` just before the caption already waited for the reader.
                if let lastCaption, !readerWaited { await audience.awaitReader(after: lastCaption) }
                if Task.isCancelled { return false }
                step += 1
                let caption = group.compactMap(\.captionText).joined(separator: " ")
                audience.caption(caption, step: step, of: steps)
                await cluster.narrate(Narration(file: file, caption: caption, step: step, steps: steps))
                lastCaption = caption
                index += group.count
                continue
            }
            if let problem = await perform(line, picks: &picks) { return fail(line, problem) }
            readerWaited = line.step == .pause
            index += 1
        }
        audience.finished()
        return true
    }

    /// How many steps (runs of captions) the script has.
    public static func captionGroups(in script: [ScenarioLine]) -> Int {
        script.indices.filter { script[$0].isCaption && ($0 == 0 || !script[$0 - 1].isCaption) }.count
    }

    /// Runs one line that is not a caption; nil when it went as planned, else what went wrong.
    private func perform(_ line: ScenarioLine, picks: inout [String: Int]) async -> String? {
        switch line.step {
        case .command(.start), .bug, .say, .need:
            return nil
        case .command(let command):
            let output = await cluster.execute(scaled(command))
            audience.output(output, of: line)
            return !output.ok && command.isWait ? "the wait failed" : nil
        case .pick(let name, let role):
            guard let id = await pick(role, excluding: Array(picks.values)) else {
                return "no node is \(role) within \(Self.defaultWithinMs / 1000) s"
            }
            picks[name] = id
            audience.output(CommandOutput(lines: ["$\(name) = n\(id) (\(role == "leader" ? "the" : "a") \(role))"]),
                            of: line)
            return nil
        case .pause:
            await audience.pause()
            return nil
        case .expect(let expectation):
            let claim = Self.claim(of: line)
            if let problem = await check(expectation, line: line) {
                await cluster.note("check FAILED ✗ \(claim) — \(problem)")
                return problem
            }
            await cluster.note("checked ✓ \(claim)")
            audience.held(line)
            return nil
        }
    }

    /// What an `expect` line claims, as the event log shows it: without `expect` and its time limit.
    static func claim(of line: ScenarioLine) -> String {
        let text = line.text.hasPrefix("expect ") ? String(line.text.dropFirst("expect ".count)) : line.text
        return text.range(of: " within ").map { String(text[..<$0.lowerBound]) } ?? text
    }

    /// The line with its `$NAME` references replaced by the picked ids, parsed again.
    private func resolve(_ line: ScenarioLine, picks: [String: Int]) -> ScenarioLine? {
        guard !line.references.isEmpty else { return line }
        let text = NodeReferences.substitute(in: line.text, ids: picks)
        guard let step = try? ScenarioParser.parseStep(text, nodeCount: cluster.nodeCount) else { return nil }
        return ScenarioLine(line: line.line, text: text, step: step)
    }

    /// The lowest id with `role`, preferring nodes not picked already (so `pick a = follower` and
    /// `pick b = follower` name two followers), waiting for one up to the default limit of the
    /// cluster's time.
    private func pick(_ role: String, excluding picked: [Int]) async -> Int? {
        await cluster.poll(forMs: Self.defaultWithinMs) {
            let views = await cluster.views()
            let matching = views.filter { roleName($0) == role && isCurrent($0, in: views) }
            return (matching.first { !picked.contains($0.id) } ?? matching.first)?.id
        }
    }

    /// A deposed leader cut off from the others may still call itself leader for a while: only the
    /// leader the views agree on counts as one.
    private func isCurrent(_ view: NodeView, in views: [NodeView]) -> Bool {
        view.state?.role.leads != true || views.leader?.id == view.id
    }

    private func fail(_ line: ScenarioLine, _ problem: String) -> Bool {
        audience.failed(line, problem: problem)
        return false
    }

    private func scaled(_ command: Command) -> Command {
        guard case .sleep(let ms) = command else { return command }
        return .sleep(ms: Int(Double(ms) / speed))
    }

    /// Nil when the expectation holds (retrying until its time limit), else what was seen.
    private func check(_ expectation: Expectation, line: ScenarioLine) async -> String? {
        if case .fails(let command) = expectation {
            let output = await cluster.execute(command)
            audience.output(output, of: line)
            return output.ok ? "expected the command to fail, but it succeeded" : nil
        }
        var observed = ""
        let held = await cluster.poll(forMs: limit(of: expectation)) { () -> Bool? in
            let (holds, seen) = await evaluate(expectation)
            observed = seen
            return holds ? true : nil
        }
        return held == nil ? "got \(observed)" : nil
    }

    private func limit(of expectation: Expectation) -> Int {
        switch expectation {
        case .value(_, _, let within), .leaderIn(_, let within), .role(_, _, let within),
             .lockHolder(_, _, let within), .electionLeader(_, _, let within):
            within ?? Self.defaultWithinMs
        case .fails:
            0
        }
    }

    private func evaluate(_ expectation: Expectation) async -> (Bool, String) {
        switch expectation {
        case .value(let get, let expected, _):
            let output = await cluster.execute(get, announcing: false)
            let value = output.readValue
            return (output.ok && value == expected, output.lines.joined(separator: " "))
        case .leaderIn(let ids, _):
            let leader = await cluster.views().leader?.id
            return (leader.map(ids.contains) ?? false, leader.map { "leader n\($0)" } ?? "no leader")
        case .role(let node, let role, _):
            let views = await cluster.views()
            let actual = views.first { $0.id == node }.map(roleName) ?? "?"
            return (actual == role, "n\(node) is \(actual)")
        case .lockHolder(let lock, let holder, _):
            let (state, names) = await replicaShown()
            guard let found = state?.locks?.first(where: { $0.name == lock }) else {
                return (holder == nil, "no lock \(lock)")
            }
            let actual = found.holder.map { names[$0] ?? "c\($0)" }
            return (actual == holder, "\(lock) held by \(actual ?? "nobody") (token \(found.token))")
        case .electionLeader(let election, let client, _):
            let (state, names) = await replicaShown()
            let actual = state?.elections?.first { $0.name == election }.map { names[$0.leader] ?? "c\($0.leader)" }
            return (actual == client, "\(election) led by \(actual ?? "nobody")")
        case .fails:
            return (false, "")
        }
    }

    /// The leader's replica state (locks, elections) and the client names, as the panes show them.
    private func replicaShown() async -> (NodeState?, [UInt64: String]) {
        (await cluster.views().replicaShown, await cluster.summary().clientNames)
    }

    private func roleName(_ view: NodeView) -> String {
        switch view.status {
        case .down: view.isRemoved ? "removed" : "down"
        case .paused: "paused"
        case .starting, .up: view.state?.role.word ?? "starting"
        }
    }
}

extension ScenarioLine {
    var isCaption: Bool {
        if case .say = step { true } else { false }
    }

    var captionText: String? {
        if case .say(let text) = step { text } else { nil }
    }
}
