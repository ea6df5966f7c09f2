import Cluster
import CommandLanguage
import Console
import Foundation
import Synchronization

/// Who watches a scenario: standard output (headless) or the console's caption bar.
protocol ScenarioAudience: Sendable {
    /// A step is about to run (`index` counts from 0). The console holds the script here while the
    /// user has paused it.
    func begin(_ line: ScenarioLine, index: Int, total: Int) async
    func caption(_ text: String)
    func output(_ output: CommandOutput, of line: ScenarioLine)
    func held(_ line: ScenarioLine)
    func failed(_ line: ScenarioLine, problem: String)
    /// `pause`: wait for the viewer (headless: go on).
    func pause() async
    func finished()
}

/// Runs scenario steps against a cluster, telling its audience about each.
struct ScenarioPlayer {
    let cluster: LocalCluster
    let speed: Double
    let audience: any ScenarioAudience
    static let defaultWithinMs = 3_000

    /// Plays every step; false at the first failed expectation or failed wait.
    func run(_ script: [ScenarioLine]) async -> Bool {
        for (index, line) in script.enumerated() {
            await audience.begin(line, index: index, total: script.count)
            if Task.isCancelled { return false }
            switch line.step {
            case .command(.start), .bug:
                continue
            case .command(let command):
                let output = await cluster.execute(scaled(command))
                audience.output(output, of: line)
                if !output.ok, command.isWait { return fail(line, "the wait failed") }
            case .say(let caption):
                audience.caption(caption)
            case .pause:
                await audience.pause()
            case .expect(let expectation):
                if let problem = await check(expectation, line: line) { return fail(line, problem) }
                audience.held(line)
            }
        }
        audience.finished()
        return true
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
        let deadline = ContinuousClock.now + .milliseconds(limit(of: expectation))
        while true {
            let (holds, observed) = await evaluate(expectation)
            if holds { return nil }
            if ContinuousClock.now >= deadline || Task.isCancelled { return "got \(observed)" }
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
            let leader = await cluster.views().leader?.id
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

    private func roleName(_ view: NodeView) -> String {
        switch view.status {
        case .down: "down"
        case .paused: "paused"
        case .starting, .up: view.state?.role ?? "starting"
        }
    }
}

// MARK: Audiences

/// Headless: every step printed, with what it printed, indented.
struct PrintedAudience: ScenarioAudience {
    let file: String

    func begin(_ line: ScenarioLine, index: Int, total: Int) async {
        say("\(file):\(line.line)  \(line.text)")
    }

    func caption(_ text: String) { say("    » \(text)") }

    func output(_ output: CommandOutput, of line: ScenarioLine) {
        for text in output.lines { say("    \(text)") }
    }

    func held(_ line: ScenarioLine) { say("    ✓") }

    func failed(_ line: ScenarioLine, problem: String) {
        say("FAILED \(file):\(line.line): \(line.text)")
        say("    \(problem)")
    }

    func pause() async {}
    func finished() {}
}

/// In the console: the caption bar shows the caption and the step; `pause` waits for Enter and `P`
/// holds the script before its next step, while the user acts on the cluster.
final class ConsoleAudience: ScenarioAudience {
    private let runner: ConsoleRunner
    private let progress: Mutex<ScriptProgress>
    /// A failed expectation, for the exit code.
    let failure = Mutex<String?>(nil)

    init(runner: ConsoleRunner, file: String, total: Int) {
        self.runner = runner
        progress = Mutex(ScriptProgress(file: file, total: total))
    }

    private func update(_ change: (inout ScriptProgress) -> Void) {
        runner.show(progress.withLock { change(&$0); return $0 })
    }

    func begin(_ line: ScenarioLine, index: Int, total: Int) async {
        if runner.gate.isPaused {
            update { $0.state = .paused }
            await runner.gate.waitWhilePaused()
        }
        update {
            $0.index = index
            $0.step = "line \(line.line): \(line.text)"
            $0.state = .running
        }
    }

    func caption(_ text: String) { update { $0.caption = text } }

    func output(_ output: CommandOutput, of line: ScenarioLine) {
        runner.inbox.withLock { $0.deliver { $0.results.append((output, line.text)) } }?.wake()
    }

    func held(_ line: ScenarioLine) {}

    func failed(_ line: ScenarioLine, problem: String) {
        failure.withLock { $0 = "line \(line.line): \(line.text) — \(problem)" }
        update { $0.state = .failed(problem) }
    }

    func pause() async {
        update { $0.state = .waiting }
        await runner.gate.waitForEnter()
        update { $0.state = .running }
    }

    func finished() {
        update {
            $0.index = $0.total
            $0.state = .passed
        }
    }
}

/// Holds a scenario at `pause` until Enter, and before its next step while the user paused it (`P`).
final class ScriptGate: Sendable {
    private struct State {
        var paused = false
        var enterPressed = false
        var waitingForEnter = false
        var cancelled = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var isPaused: Bool { state.withLock { $0.paused } }

    /// Enter: a script waiting at `pause` goes on.
    func proceed() {
        changeAndWake { state in
            guard state.waitingForEnter else { return }
            state.enterPressed = true
        }
    }

    /// `P`: holds the script before its next step, or lets it go on. Returns whether it is now held.
    @discardableResult
    func togglePause() -> Bool {
        var paused = false
        changeAndWake { state in
            state.paused.toggle()
            paused = state.paused
        }
        return paused
    }

    /// Lets every waiter go: the console is closing.
    func cancel() {
        changeAndWake { $0.cancelled = true }
    }

    func waitForEnter() async {
        state.withLock {
            $0.enterPressed = false
            $0.waitingForEnter = true
        }
        await wait { $0.enterPressed }
        state.withLock { $0.waitingForEnter = false }
    }

    func waitWhilePaused() async {
        await wait { !$0.paused }
    }

    private func changeAndWake(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until `ready` holds (or the gate is cancelled); every change wakes waiters to look again.
    private func wait(until ready: @escaping @Sendable (State) -> Bool) async {
        while true {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if ready(state) || state.cancelled { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
            if state.withLock({ ready($0) || $0.cancelled }) { return }
        }
    }
}
