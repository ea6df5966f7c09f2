import ArgumentParser
import Cluster
import EtcdBackend
import CommandLanguage
import Console
import Foundation
import Raft
import Terminal
import Wire

/// `clusterdeck play FILE.deck --headless`: run a lesson, checking its expectations.
struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Run a scenario (demos/*.deck): commands, captions, pauses and expectations.",
        discussion: """
            A scenario is the command language plus `say "caption"`, `pause` and `expect …`:
              expect get K [--stale --node N] == V [within D]     (V none: absent)
              expect leader in 3,4,5 [within D]
              expect role N == leader|follower|learner|candidate|primary|replica|down|… [within D]
              expect locks L holder == NAME [within D]            (NAME none: free)
              expect fails COMMAND                                (the command must be refused)
            A leading `start N` sets the cluster size and `bug NAME` lines switch bug knobs on. The header \
            may also say what the deck needs: `engine processes|simulation|etcd`, `protocol \
            raft|primary-backup`, `simulate SEED`; a back end that cannot meet a need, or run one of the \
            deck's commands, refuses the deck before it starts, naming the line. The whole file is parsed \
            before anything starts.
            A step is a caption (`say`; consecutive ones join) and the commands up to the next caption. \
            In the console, the caption bar shows the caption while its commands run, then the lesson \
            waits for Enter before the next step (--auto goes on by itself after a reading time that \
            grows with the caption and follows --speed). P holds or resumes the lesson, and every key \
            and command works between steps. `pick NAME = follower` names a node by its role when the \
            line runs; later lines say $NAME where a node id goes (and captions may too). Quitting \
            before the end says `lesson stopped at step K/N` and exits with 1.
            Headless, each step is printed and the first failed expectation (or failed wait) ends the \
            run with exit code 1, naming the file and line; `pause` does not wait.
            With --journal, the final cluster state's digest is printed at exit (`replay` reproduces it).
            """
    )

    @Argument(help: "The scenario file.")
    var file: String

    @Flag(help: "Run without the TUI, printing each step; the first failed expectation exits with 1.")
    var headless = false

    @Option(help: "Speed factor for sleeps between steps and --auto's reading time (2 = twice as fast).")
    var speed: Double = 1

    @Flag(help: "In the console, go on to the next step by itself after a reading time (Enter: at once).")
    var auto = false

    @Option(help: "Record what the console paints as an asciicast v2 file (TUI only), with markers.")
    var record: String?

    @OptionGroup var cluster: ClusterFlags

    func validate() throws {
        guard speed > 0, speed <= 100 else { throw ValidationError("--speed must be between 0 and 100") }
        if headless, auto {
            throw ValidationError("--auto paces the console: drop --headless (headless never waits)")
        }
        if headless, record != nil {
            throw ValidationError("--record records the console: drop --headless (or use --journal)")
        }
    }

    func run() async throws {
        let (script, options) = try load()
        if let record, !FileManager.default.createFile(atPath: record, contents: nil) {
            throw ValidationError("cannot create \(record)")
        }
        let local = try await backend(for: script, options: options.withRunKind(headless ? .playHeadless : .play))
        let passed: Bool
        if headless {
            let guardian = StopSignals.shutDown(local)
            try await local.start()
            let player = ScenarioPlayer(cluster: local, speed: speed,
                                        audience: PrintedAudience(file: file, printing: say), file: file)
            passed = await player.run(script)
            await local.finish(printing: say)
            guardian.disarm()
        } else {
            passed = try await playInConsole(script, on: local, timing: options.timing)
        }
        say(passed ? "scenario passed: \(file)" : "scenario FAILED: \(file)")
        if !passed { throw ExitCode(1) }
    }

    /// The back end the deck's header asks for, refusing the deck (exit 2) when it cannot be built or
    /// cannot run one of the deck's lines: before anything starts, naming the first line that does
    /// not apply.
    private func backend(for script: [ScenarioLine], options: ClusterOptions) async throws -> any ClusterBackend {
        let backend: any ClusterBackend
        let choice = cluster.backend(script: script)
        do {
            backend = try await choice.make(options: options, watched: !headless)
        } catch let error as EtcdStartError {
            let place = choice.choosingLine.map { "line \($0.line): `\($0.text)`: " } ?? ""
            say("error: \(file): \(place)\(error)")
            throw ExitCode(2)
        }
        if let (line, reason) = backend.firstRefusal(in: script) {
            await backend.shutdown()
            say("error: \(file): line \(line.line): `\(line.text)`: \(reason)")
            throw ExitCode(2)
        }
        return backend
    }

    /// Reads and parses the whole file before anything starts: the cluster size from a leading
    /// `start N`, bug knobs from `bug NAME` lines.
    private func load() throws -> ([ScenarioLine], ClusterOptions) {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        var options = try cluster.options()
        do {
            let probe = try ScenarioParser.parse(text, file: file, nodeCount: nil)
            for line in probe.prefix(while: { !$0.step.startsTheRun }) {
                // The deck's protocol and replication mode, unless the flags chose (then a deck that
                // needs another is refused, naming its line).
                if case .need(.replication(let wanted)) = line.step, cluster.replication == nil {
                    options.replication = wanted
                }
                if case .need(.acknowledgement(let wanted)) = line.step, cluster.replicationMode == nil {
                    options.replicationMode = wanted
                }
                guard case .bug(let name) = line.step else { continue }
                guard let knob = BugKnob(rawValue: name) else {
                    let known = BugKnob.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ScenarioError(file: file, line: line.line, column: 5,
                                        message: "no bug knob \(name) (known: \(known))")
                }
                if !options.bugs.contains(knob) { options.bugs.append(knob) }
            }
            if let count = probe.lazy.compactMap(\.step.startCount).first { options.nodeCount = count }
            if probe.contains(where: { $0.step == .command(.start(nodes: options.nodeCount, frozen: true)) }) {
                options.startsFrozen = true
            }
            return (try ScenarioParser.parse(text, file: file, nodeCount: options.nodeCount), options)
        } catch {
            say("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// The console with the script beside it; returns whether every expectation held.
    private func playInConsole(_ script: [ScenarioLine], on local: any ClusterBackend, timing: Timing) async throws
        -> Bool {
        try await local.start()
        let runner = ConsoleRunner(cluster: local, timing: timing, recordPath: record,
                                   openTerminal: TerminalSession.openForConsole)
        let audience = ConsoleAudience(runner: runner, file: file, total: script.count,
                                       steps: ScenarioPlayer.captionGroups(in: script),
                                       pace: auto ? ReadingPace(speed: speed) : nil)
        let stopper = StopSignals { _ in runner.requestQuit() }
        let outcome = await runner.run { [speed, file] _ in
            _ = await ScenarioPlayer(cluster: local, speed: speed, audience: audience, file: file).run(script)
        }
        stopper.disarm()
        await local.finish(printing: say)
        if case .failure(let error) = outcome {
            say("clusterdeck: \(error)")
            throw ExitCode(1)
        }
        let failure = audience.failure.withLock { $0 }
        if let failure { say("FAILED \(file): \(failure)") }
        let progress = audience.current
        if failure == nil, !progress.isOver {
            say("lesson stopped at \(progress.position): \(file)")
            throw ExitCode(1)
        }
        return failure == nil
    }

}
