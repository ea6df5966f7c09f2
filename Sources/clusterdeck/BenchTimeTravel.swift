import ArgumentParser
import Bench
import Cluster

/// `clusterdeck bench timetravel`: what `back` and `seek` cost on the simulated cluster.
struct TimeTravelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timetravel",
        abstract: "Time travel on the simulated cluster: seeks back and forward in a long session.",
        discussion: """
            Simulates a session of --minutes virtual minutes (a leader, writes and a failover early \
            on, then the cluster left to run), then times seeks back to 10 %, 50 % and 99 % of it, \
            each followed by `seek end`, and a `back 1`. A seek back rebuilds the cluster from the \
            seed (no checkpoints), so its time grows with the instant sought.
            """
    )

    @Option(help: "Cluster size (1–9).")
    var nodes: Int = 5

    @Option(help: "Virtual minutes the session runs before the seeks.")
    var minutes: Int = 10

    @Option(help: "Timing: teach (default, as the console runs) or real.")
    var pace: PaceProfile = .teach

    @Option(help: "The simulated cluster's seed.")
    var seed: UInt64 = 7

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be 1–9") }
        guard (1...120).contains(minutes) else { throw ValidationError("--minutes must be 1–120") }
    }

    func run() async throws {
        let signals = BenchCleanup.shared.armSignals()
        defer { signals.disarm() }
        let report = try await TimeTravelBenchmark.measure(nodes: nodes, minutes: minutes, timing: pace.timing,
                                                           seed: seed)
        if json {
            say(BenchOutput.jsonLine(report))
        } else {
            report.tableLines().forEach(say)
        }
    }
}
