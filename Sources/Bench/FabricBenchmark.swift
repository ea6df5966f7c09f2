import Cluster
import Foundation

/// `bench fabric`'s result.
public struct FabricReport: Codable, Sendable {
    public var bench = "fabric"
    public var nodes: Int
    public var synthetic: Routing
    public var underLoad: Routing
    public var idle: Idle

    public init(nodes: Int, synthetic: Routing, underLoad: Routing, idle: Idle) {
        self.nodes = nodes
        self.synthetic = synthetic
        self.underLoad = underLoad
        self.idle = idle
    }

    /// Peer messages the console routed per second, and the console's CPU meanwhile.
    public struct Routing: Codable, Sendable {
        public var source: String
        public var seconds: Double
        public var routedPerSecond: Double
        public var dropped: Int
        public var consoleCpuPercent: Double

        enum CodingKeys: String, CodingKey {
            case source, seconds, routedPerSecond = "routed_per_s", dropped
            case consoleCpuPercent = "console_cpu_percent"
        }
    }

    /// The console's CPU while a real-pace cluster does nothing but heartbeats.
    public struct Idle: Codable, Sendable {
        public var seconds: Double
        public var consoleCpuPercent: Double

        enum CodingKeys: String, CodingKey {
            case seconds, consoleCpuPercent = "console_cpu_percent"
        }
    }

    enum CodingKeys: String, CodingKey {
        case bench, nodes, synthetic, underLoad = "under_load", idle
    }
}

extension FabricReport {
    /// The table `bench fabric` prints.
    public func tableLines() -> [String] {
        let heading = "bench fabric: \(nodes) nodes, real pace"
        var rows = [["measurement", "routed/s", "dropped", "console CPU"]]
        for routing in [synthetic, underLoad] {
            rows.append([routing.source, BenchOutput.integer(routing.routedPerSecond),
                         "\(routing.dropped)", BenchOutput.number(routing.consoleCpuPercent) + " %"])
        }
        rows.append(["idle cluster (\(Int(idle.seconds)) s)", "-", "-",
                     BenchOutput.number(idle.consoleCpuPercent, decimals: 2) + " %"])
        return [heading] + BenchOutput.tableLines(rows)
    }
}

/// How many peer messages the console can route, and what an idle cluster costs it.
public enum FabricBenchmark {
    /// The console with synthetic peers (`clusterdeck bench fabric-peer`) in place of nodes.
    public static func synthetic(nodes: Int, seconds: Double,
                                 cluster clusters: BenchCluster) async throws -> FabricReport.Routing {
        let script = try FabricPeerScript.create(binary: clusters.binary)
        defer { script.remove() }
        var options = clusters.options(nodes: nodes)
        options.executablePath = script.path
        let cluster = try LocalCluster(options: options)
        BenchCleanup.shared.add { cluster.shutdownNow() }
        do {
            try await cluster.start()
            try await waitAllConnected(cluster)
            try await Task.sleep(nanoseconds: 500_000_000)
            let routing = try await routed(cluster, seconds: seconds, source: "synthetic peers")
            await cluster.shutdown()
            return routing
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    /// A real cluster: the console's CPU while it idles for `idleSeconds`, then what the console
    /// routes under a 16-client write load for `loadSeconds`.
    public static func realCluster(nodes: Int, idleSeconds: Double, loadSeconds: Double,
                                   cluster clusters: BenchCluster) async throws
        -> (idle: FabricReport.Idle, underLoad: FabricReport.Routing) {
        let cluster = try await clusters.start(nodes: nodes)
        BenchCleanup.shared.add { cluster.shutdownNow() }
        try await Task.sleep(nanoseconds: 2_000_000_000)
        let idle = try await idleCPU(seconds: idleSeconds)
        let routing = try await underLoad(cluster, seconds: loadSeconds)
        await cluster.shutdown()
        return (idle, routing)
    }

    /// The real cluster under a 16-client write load.
    private static func underLoad(_ cluster: LocalCluster, seconds: Double) async throws
        -> FabricReport.Routing {
        let spec = LoadSpec(clients: 16, durationSeconds: seconds + 1, valueSize: 100)
        let load = Task {
            try await LoadGenerator.run(ClusterDeckTarget(cluster: cluster, clients: 16), spec,
                                        warmupSeconds: 0, label: "fabric load")
        }
        try await Task.sleep(nanoseconds: 500_000_000)
        let routing = try await routed(cluster, seconds: seconds,
                                       source: "real nodes, 16 writing clients")
        _ = try await load.value
        return routing
    }

    private static func idleCPU(seconds: Double) async throws -> FabricReport.Idle {
        let (cpuBefore, wallBefore) = (ProcessCPU.seconds(), MonotonicTime.nanoseconds())
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let wall = MonotonicTime.seconds(since: wallBefore)
        let percent = (ProcessCPU.seconds() - cpuBefore) / wall * 100
        return FabricReport.Idle(seconds: LatencySummary.round(wall),
                                 consoleCpuPercent: LatencySummary.round(percent))
    }

    private static func routed(_ cluster: LocalCluster, seconds: Double,
                               source: String) async throws -> FabricReport.Routing {
        let before = await cluster.summary()
        let (cpuBefore, wallBefore) = (ProcessCPU.seconds(), MonotonicTime.nanoseconds())
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let after = await cluster.summary()
        let wall = MonotonicTime.seconds(since: wallBefore)
        let cpu = (ProcessCPU.seconds() - cpuBefore) / wall * 100
        return FabricReport.Routing(source: source, seconds: LatencySummary.round(wall),
                                    routedPerSecond: Double(after.delivered - before.delivered) / wall,
                                    dropped: after.dropped - before.dropped,
                                    consoleCpuPercent: (cpu * 10).rounded() / 10)
    }

    private static func waitAllConnected(_ cluster: LocalCluster) async throws {
        for _ in 0..<500 {
            if await cluster.views().allSatisfy({ $0.status == .up }) { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw BenchError("the synthetic peers did not all connect within 10 s")
    }
}
