import ArgumentParser
import Cluster
import Foundation
import Histogram

/// `bench startup`'s result.
struct StartupReport: Codable, Sendable {
    var bench = "startup"
    var nodes: Int
    var trials: Int
    /// Launch (before the first process is spawned) → the first "became leader" event.
    var toLeader: LatencySummary

    enum CodingKeys: String, CodingKey {
        case bench, nodes, trials, toLeader = "to_leader"
    }
}

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
        var histogram = makeLatencyHistogram()
        for number in 1...trials {
            let microseconds = try await Self.trial(nodes: nodes)
            _ = histogram.record(microseconds)
            Progress.note("startup trial \(number)/\(trials): "
                + "\(BenchOutput.number(Double(microseconds) / 1_000, decimals: 1)) ms")
        }
        let report = StartupReport(nodes: nodes, trials: trials, toLeader: LatencySummary(histogram))
        if json {
            BenchOutput.json(report)
            return
        }
        say("bench startup: \(nodes) nodes, real pace, \(trials) fresh clusters: launch → first leader")
        let latency = report.toLeader
        BenchOutput.table([
            ["p50 ms", "p90 ms", "max ms", "mean ms"],
            [latency.p50Ms, latency.p90Ms, latency.maxMs, latency.meanMs].map {
                BenchOutput.number($0, decimals: 1)
            },
        ])
    }

    /// One fresh cluster; microseconds from launch to the first leader.
    static func trial(nodes: Int) async throws -> UInt64 {
        let cluster = try LocalCluster(options: try BenchCluster.options(nodes: nodes))
        BenchCleanup.shared.add { cluster.shutdownNow() }
        let (leaders, continuation) = AsyncStream<UInt64>.makeStream()
        await cluster.subscribe { event in
            guard case .node(_, let frame) = event, frame.kind == "role",
                  frame.text.hasPrefix("became leader") else { return }
            continuation.yield(MonotonicTime.nanoseconds())
        }
        let launched = MonotonicTime.nanoseconds()
        let timeout = Task {
            try await Task.sleep(nanoseconds: 10_000_000_000)
            continuation.finish()
        }
        defer { timeout.cancel() }
        do {
            try await cluster.start()
        } catch {
            await cluster.shutdown()
            throw error
        }
        var elected: UInt64?
        for await time in leaders {
            elected = time
            break
        }
        await cluster.shutdown()
        guard let elected else { throw BenchError("no leader within 10 s of launch") }
        return (elected - launched) / 1_000
    }
}
