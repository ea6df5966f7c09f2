import ArgumentParser
import Cluster
import Console
import Foundation
import Terminal

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
        try ReplayRunner(replay: replay, file: file, speed: speed, openTerminal: TerminalSession.openForConsole)
            .run(recordPath: record)
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
