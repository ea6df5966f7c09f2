import Cluster
import Histogram

/// `bench startup`'s result.
public struct StartupReport: Codable, Sendable {
    public var bench = "startup"
    public var nodes: Int
    public var trials: Int
    /// Launch (before the first process is spawned) → the first "became leader" event.
    public var toLeader: LatencySummary

    enum CodingKeys: String, CodingKey {
        case bench, nodes, trials, toLeader = "to_leader"
    }
}

extension StartupReport {
    /// The table `bench startup` prints.
    public func tableLines() -> [String] {
        let heading = "bench startup: \(nodes) nodes, real pace, \(trials) fresh clusters: "
            + "launch → first leader"
        return [heading] + BenchOutput.tableLines([
            ["p50 ms", "p90 ms", "max ms", "mean ms"],
            [toLeader.p50Ms, toLeader.p90Ms, toLeader.maxMs, toLeader.meanMs].map {
                BenchOutput.number($0, decimals: 1)
            },
        ])
    }
}

/// From launching the node processes of a fresh cluster to its first elected leader.
public enum StartupBenchmark {
    /// Starts `trials` fresh clusters one after the other, each stopped after its first leader.
    public static func measure(nodes: Int, trials: Int,
                               cluster: BenchCluster) async throws -> StartupReport {
        var histogram = makeLatencyHistogram()
        for number in 1...trials {
            let microseconds = try await trial(nodes: nodes, cluster: cluster)
            _ = histogram.record(microseconds)
            Progress.note("startup trial \(number)/\(trials): "
                + "\(BenchOutput.number(Double(microseconds) / 1_000, decimals: 1)) ms")
        }
        return StartupReport(nodes: nodes, trials: trials, toLeader: LatencySummary(histogram))
    }

    /// One fresh cluster; microseconds from launch to the first leader.
    private static func trial(nodes: Int, cluster clusters: BenchCluster) async throws -> UInt64 {
        let cluster = try LocalCluster(options: clusters.options(nodes: nodes))
        BenchCleanup.shared.add { cluster.shutdownNow() }
        let (leaders, continuation) = AsyncStream<UInt64>.makeStream()
        await cluster.subscribe { event in
            guard case .node(_, let frame) = event, frame.kind == .role,
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
