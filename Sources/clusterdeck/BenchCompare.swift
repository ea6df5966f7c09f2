import ArgumentParser
import Bench

/// `clusterdeck bench compare`: the write and failover benchmarks against ClusterDeck and etcd,
/// with the same load generator, concurrency, value size, duration and key pattern, side by side.
struct CompareBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "ClusterDeck and etcd side by side: write throughput, latency, failover.",
        discussion: """
            Starts a ClusterDeck cluster, then a local etcd cluster (127.0.0.1 only, data in a \
            temporary directory removed afterwards), one after the other, and runs the same \
            load generator and failover trials against each. scripts/bench-etcd.sh installs etcd \
            when missing and runs this.
            """
    )

    @Option(help: "Cluster size for both systems (3–9).")
    var nodes: Int = 3

    @Option(help: "Concurrent clients for the loaded run.")
    var clients: Int = 16

    @Option(help: "Length of each loaded run.")
    var duration: DurationArgument = DurationArgument(seconds: 20)

    @Option(help: "Length of each 1-client run.")
    var lightDuration: DurationArgument = DurationArgument(seconds: 10)

    @Option(help: "Bytes per value.")
    var valueSize: Int = 100

    @Option(help: "Leaders to kill per system (0 skips failover).")
    var trials: Int = 50

    @OptionGroup var etcd: EtcdFlags

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be 3–9") }
        guard (1...1_000).contains(clients) else { throw ValidationError("--clients must be 1–1000") }
        guard (1...1_000_000).contains(valueSize) else {
            throw ValidationError("--value-size must be 1–1000000 bytes")
        }
        guard (0...10_000).contains(trials) else { throw ValidationError("--trials must be 0–10000") }
        guard etcd.endpoints == nil else {
            throw ValidationError("compare starts its own etcd (failover kills members): drop --endpoints")
        }
    }

    func run() async throws {
        let signals = BenchCleanup.shared.armSignals()
        defer { signals.disarm() }
        let spec = LoadSpec(clients: clients, durationSeconds: duration.seconds, valueSize: valueSize)
        let systems = try etcd.systems()
        var sides: [CompareReport.Side] = []
        for target in [BenchTarget.clusterdeck, .etcd] {
            let write = try await WriteBenchmark.measure(target, nodes: nodes, spec: spec,
                                                         lightSeconds: lightDuration.seconds,
                                                         warmupSeconds: 2, systems: systems)
            sides.append(CompareReport.Side(write: write))
        }
        for index in sides.indices where trials > 0 {
            sides[index].failover = try await FailoverBenchmark.measure(
                sides[index].write.target, nodes: nodes, trials: trials, systems: systems)
        }
        let report = CompareReport(clusterdeck: sides[0], etcd: sides[1])
        if json {
            say(BenchOutput.jsonLine(report))
        } else {
            printTable(report)
        }
    }

    private func printTable(_ report: CompareReport) {
        say("bench compare: \(nodes) nodes each on 127.0.0.1, durable writes, \(valueSize)-byte "
            + "values, \(duration) loaded and \(lightDuration) with 1 client, \(trials) failovers")
        say("  ClusterDeck: heartbeat 50 ms, election 150–300 ms, snapshot every "
            + "\(BenchOutput.integer(Double(BenchCluster.snapshotEvery))) entries; etcd: heartbeat "
            + "\(etcd.etcdHeartbeatMs) ms, election \(etcd.etcdElectionMs)–\(2 * etcd.etcdElectionMs) ms, "
            + "HTTP/JSON gateway, \(etcd.etcdSpread ? "clients on every member" : "clients on the leader")")
        report.tableLines(clients: clients).forEach(say)
    }
}
