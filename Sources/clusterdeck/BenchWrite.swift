import ArgumentParser
import Bench
import EtcdClient

/// Options naming etcd, shared by the benches that can run against it.
struct EtcdFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Endpoints of an etcd cluster that is already running "
        + "(http://HOST:PORT,…); by default the bench starts its own members on 127.0.0.1."))
    var endpoints: String?

    @Option(help: "The etcd binary the bench starts (Debian: apt-get install etcd-server).")
    var etcdBinary: String = "etcd"

    @Option(help: "etcd's heartbeat interval in ms (ClusterDeck's real pace: 50).")
    var etcdHeartbeatMs: Int = 30

    @Option(help: "etcd's election timeout in ms; etcd waits 1–2× this (ClusterDeck: 150–300).")
    var etcdElectionMs: Int = 150

    @Flag(help: "Spread etcd load clients over every member (default: all on the leader).")
    var etcdSpread = false

    func validate() throws {
        guard etcdHeartbeatMs >= 1, etcdElectionMs >= 5 * etcdHeartbeatMs else {
            throw ValidationError("etcd needs --etcd-election-ms ≥ 5 × --etcd-heartbeat-ms")
        }
        if let endpoints { _ = try EtcdEndpoint.list(endpoints) }
    }

    /// How the bench starts each system: ClusterDeck from this binary, etcd as these flags say.
    func systems() throws -> BenchSystems {
        var settings = EtcdSettings(binary: etcdBinary, launcher: try ExecutablePath.current())
        settings.heartbeatMs = etcdHeartbeatMs
        settings.electionMs = etcdElectionMs
        let choice = EtcdChoice(settings: settings, endpoints: try endpoints.map(EtcdEndpoint.list),
                                spread: etcdSpread)
        return BenchSystems(clusterdeck: try .thisBinary(), etcd: choice)
    }
}

/// `clusterdeck bench write`: closed-loop writers against a real cluster, durable writes on.
struct WriteBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write throughput and latency percentiles (HdrHistogram), loaded and with 1 client.",
        discussion: """
            Each client writes key-<client>-<n % 1000> with a value of --value-size bytes, waits for \
            the acknowledgement (a majority made it durable), and writes again. Real pace, fsync on.
            """
    )

    @Option(help: "Which system: clusterdeck or etcd.")
    var target: BenchTarget = .clusterdeck

    @Option(help: "Cluster size (1–9).")
    var nodes: Int = 3

    @Option(help: "Concurrent clients for the loaded run.")
    var clients: Int = 16

    @Option(help: "Length of the loaded run (e.g. 20s).")
    var duration: DurationArgument = DurationArgument(seconds: 20)

    @Option(help: "Bytes per value.")
    var valueSize: Int = 100

    @Option(help: "Length of the 1-client run (0 skips it).")
    var lightDuration: String = "10s"

    @Option(help: "Writes before measuring, not counted.")
    var warmup: DurationArgument = DurationArgument(seconds: 2)

    @OptionGroup var etcd: EtcdFlags

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be 1–9") }
        guard (1...1_000).contains(clients) else { throw ValidationError("--clients must be 1–1000") }
        guard (1...1_000_000).contains(valueSize) else {
            throw ValidationError("--value-size must be 1–1000000 bytes")
        }
        guard lightSeconds != nil else { throw ValidationError("--light-duration must be 0 or like 10s") }
    }

    private var lightSeconds: Double? {
        lightDuration == "0" ? 0 : DurationArgument(argument: lightDuration)?.seconds
    }

    func run() async throws {
        let signals = BenchCleanup.shared.armSignals()
        defer { signals.disarm() }
        let spec = LoadSpec(clients: clients, durationSeconds: duration.seconds, valueSize: valueSize)
        let report = try await WriteBenchmark.measure(target, nodes: nodes, spec: spec,
                                                      lightSeconds: lightSeconds ?? 0,
                                                      warmupSeconds: warmup.seconds,
                                                      systems: try etcd.systems())
        if json {
            say(BenchOutput.jsonLine(report))
        } else {
            report.tableLines(durationSeconds: duration.seconds).forEach(say)
        }
    }
}
