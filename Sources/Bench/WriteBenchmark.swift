import Cluster

/// One load run's figures.
public struct WriteFigures: Codable, Sendable {
    public var clients: Int
    public var throughputOpsPerSecond: Double
    public var operations: Int
    public var errors: Int
    public var elapsedSeconds: Double
    public var latency: LatencySummary

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
public struct WriteReport: Codable, Sendable {
    public var bench = "write"
    public var target: BenchTarget
    public var system: String
    public var nodes: Int
    public var valueSize: Int
    public var loaded: WriteFigures
    public var light: WriteFigures?

    enum CodingKeys: String, CodingKey {
        case bench, target, system, nodes, valueSize = "value_size", loaded, light
    }

    /// The table `bench write` prints.
    public func tableLines(durationSeconds: Double) -> [String] {
        let heading = "bench write: \(system), \(nodes) nodes, real pace, fsync on, "
            + "\(valueSize)-byte values, \(BenchOutput.number(durationSeconds, decimals: 0)) s"
        var rows = [["clients", "writes/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"]]
        for figures in [loaded, light].compactMap({ $0 }) {
            let latency = figures.latency
            rows.append(["\(figures.clients)", BenchOutput.integer(figures.throughputOpsPerSecond),
                         BenchOutput.number(latency.p50Ms, decimals: 2),
                         BenchOutput.number(latency.p90Ms, decimals: 2),
                         BenchOutput.number(latency.p99Ms, decimals: 2),
                         BenchOutput.number(latency.maxMs, decimals: 2), "\(figures.errors)"])
        }
        return [heading] + BenchOutput.tableLines(rows)
    }
}

/// Closed-loop writers against a real cluster, durable writes on: loaded, then with one client.
public enum WriteBenchmark {
    /// Starts the system, runs the loaded and the light load, stops the system.
    /// - Parameters:
    ///   - lightSeconds: length of the one-client run; 0 skips it.
    ///   - warmupSeconds: writes before measuring, not counted.
    public static func measure(_ target: BenchTarget, nodes: Int, spec: LoadSpec,
                               lightSeconds: Double, warmupSeconds: Double,
                               systems: BenchSystems) async throws -> WriteReport {
        Progress.note("write: starting \(target.rawValue) (\(nodes) nodes)")
        let system = try await RunningSystem.start(target, nodes: nodes, systems: systems)
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
}
