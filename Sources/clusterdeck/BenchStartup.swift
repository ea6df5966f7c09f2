import ArgumentParser
import Bench

/// `clusterdeck bench startup`: from launching the node processes to the first elected leader.
struct StartupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Time from launching a fresh cluster to its first leader (real pace).",
        discussion: """
            Each trial starts a new cluster on empty data directories and stops it afterwards; the \
            time runs from before the first node process is spawned to the first node's \
            "became leader" event.
            """
    )

    @Option(help: "Cluster size (1–9).")
    var nodes: Int = 5

    @Option(help: "Fresh clusters to start.")
    var trials: Int = 10

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be 1–9") }
        guard (1...1_000).contains(trials) else { throw ValidationError("--trials must be 1–1000") }
    }

    func run() async throws {
        let signals = BenchCleanup.shared.armSignals()
        defer { signals.disarm() }
        let report = try await StartupBenchmark.measure(nodes: nodes, trials: trials,
                                                        cluster: try .thisBinary())
        if json {
            say(BenchOutput.jsonLine(report))
        } else {
            report.tableLines().forEach(say)
        }
    }
}
