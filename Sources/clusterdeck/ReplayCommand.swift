import ArgumentParser
import Cluster
import Console
import Foundation

/// `clusterdeck replay FILE.jsonl`: the console driven by a journal instead of a cluster.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a journal (--journal FILE) in the console: pause, seek, speed, a time bar.",
        discussion: """
            Keys: space pauses or plays, ←/→ seek 10 s back or on, + and - change the speed \
            (×0.25 to ×8), 1-9 select a node, q quits. Nothing here touches a cluster: the panes show \
            what the recorded run's console showed at that moment.
            --headless prints the digest of the final state, the same digest the live run printed at exit.
            """
    )

    @Argument(help: "A journal written with --journal.")
    var file: String

    @Flag(help: "Print the digest of the final state instead of opening the console.")
    var headless = false

    @Option(help: "Playback speed: 0.25, 0.5, 1, 2, 4 or 8.")
    var speed: Double = 1

    @Option(help: "Record what is painted as an asciicast v2 file.")
    var record: String?

    func validate() throws {
        guard ReplayProgress.speeds.contains(speed) else {
            throw ValidationError("--speed must be one of 0.25, 0.5, 1, 2, 4, 8")
        }
    }

    func run() throws {
        let replay = try load()
        guard !headless else {
            for line in replay.finalState().digest { say(line) }
            return
        }
        if let record, !FileManager.default.createFile(atPath: record, contents: nil) {
            throw ValidationError("cannot create \(record)")
        }
        try ReplayRunner(replay: replay, file: file, speed: speed).run(recordPath: record)
    }

    private func load() throws -> JournalReplay {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        do {
            return try JournalReplay(text: text)
        } catch {
            say("error: \(file): \(error)")
            throw ExitCode(2)
        }
    }
}

/// Moves through a journal in time with the wall clock (times the speed), applying each entry to the
/// console's model as the live console would have.
struct ReplayRunner {
    let replay: JournalReplay
    let file: String
    let speed: Double

    func run(recordPath: String?) throws {
        var cursor = JournalCursor(replay: replay)
        var lastTurn = ContinuousClock.now
        let timing = replay.entries.first?.summary?.timing ?? .teach
        try ScreenLoop(recordPath: recordPath).run(nodeCount: replay.nodeCount, timing: timing) { model, _ in
            model.replay = ReplayProgress(file: file, position: replay.startTime, duration: replay.duration,
                                          speed: speed)
            model.apply(result: .init(lines: ["Replaying \(file): a recorded run; nothing here touches a cluster."]),
                        of: "replay")
            show(&cursor, at: replay.startTime, in: &model, recorder: nil)
        } turn: { model, keys, recorder in
            let now = ContinuousClock.now
            let elapsed = Double((now - lastTurn).components.attoseconds) / 1e18
                + Double((now - lastTurn).components.seconds)
            lastTurn = now
            guard var progress = model.replay else { return ScreenTurn(goOn: false) }
            for key in keys {
                for action in model.handle(key) {
                    switch action {
                    case .quit: return ScreenTurn(goOn: false)
                    case .replay(let control): control.apply(to: &progress)
                    case .run, .continueScript, .toggleScriptPause, .startCluster: break
                    }
                }
            }
            progress.advance(bySeconds: elapsed)
            let moved = progress != model.replay
            model.replay = progress
            show(&cursor, at: progress.position, in: &model, recorder: recorder)
            return ScreenTurn(changed: moved, animating: !progress.paused)
        }
    }

    /// Brings the model to `time`: onwards from the cursor, or again from the start when seeking back.
    private func show(_ cursor: inout JournalCursor, at time: Double, in model: inout ConsoleModel,
                      recorder: CastRecorder?) {
        if time < cursor.time {
            cursor = JournalCursor(replay: replay)
            model.clearActivity()
        }
        cursor.advance(to: time) { event in
            if case .action(let text) = event { recorder?.marker(text) }
            model.apply(event)
        }
        model.nodes = cursor.views
        model.summary = cursor.summary
    }
}
