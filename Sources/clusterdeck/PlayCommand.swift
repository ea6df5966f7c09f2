import ArgumentParser
import Cluster
import CommandLanguage
import Foundation
import Raft

/// `clusterdeck play FILE.deck --headless`: run a lesson, checking its expectations.
struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Run a scenario (demos/*.deck): commands, captions, pauses and expectations.",
        discussion: """
            A scenario is the command language plus `say "caption"`, `pause` and `expect …`:
              expect get K [--stale --node N] == V [within D]     (V none: absent)
              expect leader in 3,4,5 [within D]
              expect role N == leader|follower|candidate|pre-candidate|down|paused [within D]
              expect locks L holder == NAME [within D]            (NAME none: free)
              expect fails COMMAND                                (the command must be refused)
            A leading `start N` sets the cluster size. The whole file is parsed before anything starts.
            Headless, each step is printed and the first failed expectation (or failed wait) ends the
            run with exit code 1, naming the file and line; `pause` does not wait.
            """
    )

    @Argument(help: "The scenario file.")
    var file: String

    @Flag(help: "Run without the TUI, printing each step (the TUI player is not built yet).")
    var headless = false

    @Option(help: "Speed factor for sleeps and waits between steps (2 = twice as fast).")
    var speed: Double = 1

    @OptionGroup var cluster: ClusterFlags

    func validate() throws {
        guard speed > 0, speed <= 100 else { throw ValidationError("--speed must be between 0 and 100") }
    }

    func run() async throws {
        guard headless else {
            throw ValidationError("the TUI scenario player is not built yet: run with --headless")
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        let script: [ScenarioLine]
        var options = try cluster.options()
        do {
            let probe = try ScenarioParser.parse(text, file: file, nodeCount: nil)
            if case .command(.start(let count))? = probe.first?.step { options.nodeCount = count }
            script = try ScenarioParser.parse(text, file: file, nodeCount: options.nodeCount)
        } catch {
            say("error: \(error)")
            throw ExitCode(2)
        }
        let local = try LocalCluster(options: options)
        let guardian = StopSignals.shutDown(local)
        try await local.start()
        let player = ScenarioPlayer(cluster: local, file: file, speed: speed)
        let passed = await player.run(script)
        await local.shutdown()
        guardian.disarm()
        say(passed ? "scenario passed: \(file)" : "scenario FAILED: \(file)")
        if !passed { throw ExitCode(1) }
    }
}

/// Runs scenario steps against a cluster, printing each.
struct ScenarioPlayer {
    let cluster: LocalCluster
    let file: String
    let speed: Double
    static let defaultWithinMs = 3_000

    func run(_ script: [ScenarioLine]) async -> Bool {
        for line in script {
            say("\(file):\(line.line)  \(line.text)")
            switch line.step {
            case .command(.start):
                continue
            case .command(let command):
                let output = await cluster.execute(scaled(command))
                for text in output.lines { say("    \(text)") }
                if !output.ok, command.isWait { return fail(line, "the wait failed") }
            case .say(let caption):
                say("    » \(caption)")
            case .pause:
                continue
            case .expect(let expectation):
                if let problem = await check(expectation) { return fail(line, problem) }
                say("    ✓")
            }
        }
        return true
    }

    private func fail(_ line: ScenarioLine, _ problem: String) -> Bool {
        say("FAILED \(file):\(line.line): \(line.text)")
        say("    \(problem)")
        return false
    }

    private func scaled(_ command: Command) -> Command {
        guard case .sleep(let ms) = command else { return command }
        return .sleep(ms: Int(Double(ms) / speed))
    }

    /// Nil when the expectation holds (retrying until its time limit), else what was seen.
    private func check(_ expectation: Expectation) async -> String? {
        if case .fails(let command) = expectation {
            let output = await cluster.execute(command)
            for text in output.lines { say("    \(text)") }
            return output.ok ? "expected the command to fail, but it succeeded" : nil
        }
        let deadline = ContinuousClock.now + .milliseconds(limit(of: expectation))
        var seen = ""
        while true {
            let (holds, observed) = await evaluate(expectation)
            if holds { return nil }
            seen = observed
            if ContinuousClock.now >= deadline { return "got \(seen)" }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func limit(of expectation: Expectation) -> Int {
        switch expectation {
        case .value(_, _, let within), .leaderIn(_, let within), .role(_, _, let within),
             .lockHolder(_, _, let within):
            within ?? Self.defaultWithinMs
        case .fails:
            0
        }
    }

    private func evaluate(_ expectation: Expectation) async -> (Bool, String) {
        switch expectation {
        case .value(let get, let expected, _):
            let output = await cluster.execute(get)
            let value = output.ok ? output.lines.first.flatMap { $0 == "(not found)" ? nil : $0 } : nil
            return (output.ok && value == expected, output.lines.joined(separator: " "))
        case .leaderIn(let ids, _):
            let leader = await leaderID()
            return (leader.map(ids.contains) ?? false, leader.map { "leader n\($0)" } ?? "no leader")
        case .role(let node, let role, _):
            let views = await cluster.views()
            let actual = views.first { $0.id == node }.map(roleName) ?? "?"
            return (actual == role, "n\(node) is \(actual)")
        case .lockHolder(let lock, let holder, _):
            let output = await cluster.execute(.locks)
            let line = output.lines.first { $0.hasPrefix("\(lock) ") } ?? ""
            let actual = line.components(separatedBy: "holder ").dropFirst().first?
                .split(separator: " ").first.map(String.init)
            let normalized = actual == "free" ? nil : actual
            return (normalized == holder, line.isEmpty ? "no lock \(lock)" : line)
        case .fails:
            return (false, "")
        }
    }

    private func leaderID() async -> Int? {
        await cluster.views().leader?.id
    }

    private func roleName(_ view: NodeView) -> String {
        switch view.status {
        case .down: "down"
        case .paused: "paused"
        case .starting, .up: view.state?.role ?? "starting"
        }
    }
}

extension Command {
    var isWait: Bool {
        switch self {
        case .waitLeader, .waitElected, .asClient(_, .waitElected): true
        default: false
        }
    }
}
