import ArgumentParser
import Cluster

/// `clusterdeck ctl COMMAND…`: drive a running console from another terminal or a script.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Send one command to a running console (the newest, or --run DIR) and print the result.",
        discussion: "Example: clusterdeck ctl kill leader    ·    clusterdeck ctl partition 1,2 '|' 3,4,5"
    )

    @Option(help: "The console's run directory (default: the newest running console).")
    var run: String?

    @Argument(parsing: .captureForPassthrough, help: "The command, as typed in the console.")
    var words: [String] = []

    func run() async throws {
        guard !words.isEmpty else { throw ValidationError("say what to send, e.g.: clusterdeck ctl status") }
        let output: CommandOutput
        do {
            output = try await ControlClient.send(words.joined(separator: " "), runDirectory: run)
        } catch {
            say("error: \(error)")
            throw ExitCode(2)
        }
        for line in output.lines { say(line) }
        if !output.ok { throw ExitCode(1) }
    }
}
