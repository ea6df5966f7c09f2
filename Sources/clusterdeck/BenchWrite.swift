import ArgumentParser
import Foundation

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
        if let endpoints { _ = try EtcdTarget.parseEndpoints(endpoints) }
    }

    var choice: EtcdChoice {
        var settings = EtcdSettings(binary: etcdBinary)
        settings.heartbeatMs = etcdHeartbeatMs
        settings.electionMs = etcdElectionMs
        return EtcdChoice(settings: settings, endpoints: endpoints, spread: etcdSpread)
    }
}

/// One load run's figures.
struct WriteFigures: Codable, Sendable {
    var clients: Int
    var throughputOpsPerSecond: Double
    var operations: Int
    var errors: Int
    var elapsedSeconds: Double
    var latency: LatencySummary

    init(clients: Int, _ result: LoadResult) {
        self.clients = clients
        throughputOpsPerSecond = (result.throughput * 10).rounded() / 10
        operations = result.operations
        errors = result.errors
        elapsedSeconds = LatencySummary.round(result.elapsedSeconds)
        latency = LatencySummary(result.latency)
    }

    enum CodingKeys: String, CodingKey {
        case clients, throughputOpsPerSecond = "throughput_ops_per_s", operations, errors
        case elapsedSeconds = "elapsed_s", latency
    }
}

/// `bench write`'s result: the loaded run and the one-client run.
struct WriteReport: Codable, Sendable {
    var bench = "write"
    var target: BenchTarget
    var system: String
    var nodes: Int
    var valueSize: Int
    var loaded: WriteFigures
    var light: WriteFigures?

    enum CodingKeys: String, CodingKey {
        case bench, target, system, nodes, valueSize = "value_size", loaded, light
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
        let report = try await Self.measure(target, nodes: nodes, spec: spec,
                                            lightSeconds: lightSeconds ?? 0,
                                            warmupSeconds: warmup.seconds, etcd: etcd.choice)
        if json {
            BenchOutput.json(report)
        } else {
            Self.printTable(report, durationSeconds: duration.seconds)
        }
    }

    /// Starts the system, runs the loaded and the light load, stops the system.
    static func measure(_ target: BenchTarget, nodes: Int, spec: LoadSpec, lightSeconds: Double,
                        warmupSeconds: Double, etcd: EtcdChoice) async throws -> WriteReport {
        Progress.note("write: starting \(target.rawValue) (\(nodes) nodes)")
        let system = try await RunningSystem.start(target, nodes: nodes, etcd: etcd)
        do {
            let loaded = try await run(system, spec, warmupSeconds: warmupSeconds)
            var light: WriteFigures?
            if lightSeconds > 0 {
                var lightSpec = spec
                lightSpec.clients = 1
                lightSpec.durationSeconds = lightSeconds
                light = try await run(system, lightSpec, warmupSeconds: min(1, warmupSeconds))
            }
            await system.stop()
            return WriteReport(target: target, system: system.label, nodes: nodes,
                               valueSize: spec.valueSize, loaded: loaded, light: light)
        } catch {
            await system.stop()
            throw error
        }
    }

    private static func run(_ system: RunningSystem, _ spec: LoadSpec,
                            warmupSeconds: Double) async throws -> WriteFigures {
        let (target, close) = try await system.loadTarget(clients: spec.clients)
        let label = "write \(system.label), \(spec.clients) client\(spec.clients == 1 ? "" : "s")"
        let result = try await LoadGenerator.run(target, spec, warmupSeconds: warmupSeconds,
                                                 label: label)
        await close()
        Progress.note("\(label): \(BenchOutput.integer(result.throughput)) writes/s")
        return WriteFigures(clients: spec.clients, result)
    }

    static func printTable(_ report: WriteReport, durationSeconds: Double) {
        say("bench write: \(report.system), \(report.nodes) nodes, real pace, fsync on, "
            + "\(report.valueSize)-byte values, \(BenchOutput.number(durationSeconds, decimals: 0)) s")
        var rows = [["clients", "writes/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"]]
        for figures in [report.loaded, report.light].compactMap({ $0 }) {
            let latency = figures.latency
            rows.append(["\(figures.clients)", BenchOutput.integer(figures.throughputOpsPerSecond),
                         BenchOutput.number(latency.p50Ms, decimals: 2),
                         BenchOutput.number(latency.p90Ms, decimals: 2),
                         BenchOutput.number(latency.p99Ms, decimals: 2),
                         BenchOutput.number(latency.maxMs, decimals: 2), "\(figures.errors)"])
        }
        BenchOutput.table(rows)
    }
}
