import ArgumentParser
import Checker
import Foundation

/// `clusterdeck check FILE.jsonl`: the linearizability checker on a history file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a client history (docs/HISTORY.md) for linearizability; exits 1 when it is not.",
        discussion: """
            Reads the history a drill, a soak or --history wrote. KV keys are checked as registers, \
            locks as one holder at a time with increasing tokens; an unknown outcome may or may not \
            have taken effect.
            """
    )

    @Argument(help: "A history file (one JSON object per line).")
    var file: String

    @Option(help: "How early a lease may end before invoke + ttl, in seconds (clock lag, skew).")
    var leaseSlack: Double = 0.7

    func validate() throws {
        guard leaseSlack >= 0, leaseSlack.isFinite else { throw ValidationError("--lease-slack must be ≥ 0") }
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        let operations: [HistoryOperation]
        do {
            operations = try HistoryOperation.decodeLines(text)
        } catch {
            say("error: \(file): \(error)")
            throw ExitCode(2)
        }
        let report = LinearizabilityChecker.check(operations, options: CheckOptions(leaseSlackSeconds: leaseSlack))
        for line in report.lines { say(line) }
        if !report.isLinearizable { throw ExitCode(1) }
    }
}
