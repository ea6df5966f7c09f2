import ClusterAPI
import CommandLanguage
import Synchronization

/// Who watches a scenario: standard output (headless) or the console's caption bar.
public protocol ScenarioAudience: Sendable {
    /// A line is about to run (`index` counts from 0). The console holds the script here while the
    /// user has paused it.
    func begin(_ line: ScenarioLine, index: Int, total: Int) async
    /// A step begins: its caption (consecutive `say` lines joined), step `number` of `steps`.
    func caption(_ text: String, step number: Int, of steps: Int)
    func output(_ output: CommandOutput, of line: ScenarioLine)
    func held(_ line: ScenarioLine)
    func failed(_ line: ScenarioLine, problem: String)
    /// `pause`: wait for the viewer (headless: go on).
    func pause() async
    /// The step whose caption is `caption` is done: wait until the reader has read it and seen
    /// what it did (Enter, or a reading time with `--auto`; headless: go on).
    func awaitReader(after caption: String) async
    func finished()
}

/// Headless: every step printed, with what it printed, indented.
public struct PrintedAudience: ScenarioAudience {
    let file: String
    /// Where the lines go (standard output, under the program's output lock).
    let say: @Sendable (String) -> Void

    public init(file: String, printing say: @escaping @Sendable (String) -> Void) {
        self.file = file
        self.say = say
    }

    public func begin(_ line: ScenarioLine, index: Int, total: Int) async {
        say("\(file):\(line.line)  \(line.text)")
    }

    public func caption(_ text: String, step number: Int, of steps: Int) { say("    » [\(number)/\(steps)] \(text)") }

    public func output(_ output: CommandOutput, of line: ScenarioLine) {
        for text in output.lines { say("    \(text)") }
    }

    public func held(_ line: ScenarioLine) { say("    ✓") }

    public func failed(_ line: ScenarioLine, problem: String) {
        say("FAILED \(file):\(line.line): \(line.text)")
        say("    \(problem)")
    }

    public func pause() async {}
    public func awaitReader(after caption: String) async {}
    public func finished() {}
}

/// In the console: the caption bar shows the caption and the step; `pause` waits for Enter and `P`
/// holds the script before its next step, while the user acts on the cluster.
public final class ConsoleAudience: ScenarioAudience {
    private let runner: ConsoleRunner
    private let progress: Mutex<ScriptProgress>
    /// `--auto`: how fast the reader reads (nil: the reader presses Enter).
    private let pace: ReadingPace?
    /// A failed expectation, for the exit code.
    public let failure = Mutex<String?>(nil)

    public init(runner: ConsoleRunner, file: String, total: Int, steps: Int, pace: ReadingPace?) {
        self.runner = runner
        self.pace = pace
        var start = ScriptProgress(file: file, total: total, steps: steps)
        start.auto = pace != nil
        progress = Mutex(start)
    }

    /// Where the lesson is now.
    public var current: ScriptProgress { progress.withLock { $0 } }

    private func update(_ change: (inout ScriptProgress) -> Void) {
        runner.show(progress.withLock { change(&$0); return $0 })
    }

    public func begin(_ line: ScenarioLine, index: Int, total: Int) async {
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

    public func caption(_ text: String, step number: Int, of steps: Int) {
        update {
            $0.caption = text
            $0.stepNumber = number
            $0.steps = steps
        }
    }

    public func output(_ output: CommandOutput, of line: ScenarioLine) {
        runner.inbox.withLock { $0.deliver { $0.results.append((output, line.text)) } }?.wake()
    }

    public func held(_ line: ScenarioLine) {}

    public func failed(_ line: ScenarioLine, problem: String) {
        failure.withLock { $0 = "line \(line.line): \(line.text) — \(problem)" }
        update { $0.state = .failed(problem) }
    }

    public func pause() async {
        update { $0.state = .waiting }
        await runner.gate.waitForEnter()
        update { $0.state = .running }
    }

    public func awaitReader(after caption: String) async {
        update { $0.state = .reading }
        await runner.gate.waitForEnter(orAfter: pace?.readingTime(of: caption))
        update { $0.state = .running }
    }

    public func finished() {
        update {
            $0.index = $0.total
            $0.state = .passed
        }
    }
}

/// How long `--auto` leaves a caption on screen: a base plus time per character, at the lesson's
/// speed.
public struct ReadingPace: Sendable {
    var speed: Double

    public init(speed: Double) {
        self.speed = speed
    }

    func readingTime(of caption: String) -> Duration {
        .milliseconds(Int((2_000 + 60 * Double(caption.count)) / speed))
    }
}
