import ArgumentParser
import Bench

/// `clusterdeck bench failover`: how long writes stop when the leader dies.
struct FailoverBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Time from SIGKILL of the leader to the next acknowledged write.",
        discussion: """
            Per trial: a writer keeps writing; the leader is killed (SIGKILL); a second writer starts \
            writing at once and the time until its first write is acknowledged is recorded; the \
            killed member restarts and the cluster settles before the next trial.
            """
    )

    @Option(help: "Which system: clusterdeck or etcd.")
    var target: BenchTarget = .clusterdeck

    @Option(help: "Cluster size (3–9).")
    var nodes: Int = 3

    @Option(help: "How many leaders to kill.")
    var trials: Int = 50

    @OptionGroup var etcd: EtcdFlags

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be 3–9") }
        guard (1...10_000).contains(trials) else { throw ValidationError("--trials must be 1–10000") }
        guard target == .clusterdeck || etcd.endpoints == nil else {
            throw ValidationError("failover kills etcd members, so it starts its own: drop --endpoints")
        }
    }

    func run() async throws {
        let signals = BenchCleanup.shared.armSignals()
        defer { signals.disarm() }
        let report = try await FailoverBenchmark.measure(target, nodes: nodes, trials: trials,
                                                         systems: try etcd.systems())
        if json {
            say(BenchOutput.jsonLine(report))
        } else {
            report.tableLines().forEach(say)
        }
    }
}
