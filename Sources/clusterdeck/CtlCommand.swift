import ArgumentParser
import Cluster
import Foundation

/// `clusterdeck ctl COMMAND…`: drive a running console from another terminal or a script.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Send one command to a running console (--run DIR, or the one it finds) and print the result.",
        discussion: """
            Without --run, ctl talks to the newest console or play TUI, else to the newest other run \
            (shell, drill, soak, bench); it names the run on stderr.
            Example: clusterdeck ctl kill leader    ·    clusterdeck ctl partition 1,2 '|' 3,4,5
            """
    )

    @Option(help: "The console's run directory (default: the newest console or play TUI, else the newest run).")
    var run: String?

    // `allUnrecognized`, not `captureForPassthrough`: the latter would capture `--help` too. Options
    // ctl does not know (`put x 1 --fence 2`) still pass through to the console, in order.
    @Argument(parsing: .allUnrecognized, help: "The command, as typed in the console.")
    var words: [String] = []

    func run() async throws {
        guard !words.isEmpty else { throw ValidationError("say what to send, e.g.: clusterdeck ctl status") }
        let output: CommandOutput
        do {
            let console = try run.map { ConsoleRun(directory: $0) } ?? ControlClient.findConsole()
            // On stderr, so a script reading the answer on stdout is not disturbed.
            FileHandle.standardError.write(Data("ctl: talking to \(console)\n".utf8))
            output = try await ControlClient.send(words.joined(separator: " "), to: console)
        } catch {
            say("error: \(error)")
            throw ExitCode(2)
        }
        for line in output.lines { say(line) }
        if !output.ok { throw ExitCode(1) }
    }
}
