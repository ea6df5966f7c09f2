import Cluster

/// `bench compare`'s result: both systems, measured by the same code in one run.
public struct CompareReport: Codable, Sendable {
    public var bench = "compare"
    public var clusterdeck: Side
    public var etcd: Side
    /// ClusterDeck's loaded write throughput divided by etcd's.
    public var throughputRatio: Double

    /// One system's figures.
    public struct Side: Codable, Sendable {
        public var write: WriteReport
        public var failover: FailoverReport?

        public init(write: WriteReport, failover: FailoverReport? = nil) {
            self.write = write
            self.failover = failover
        }
    }

    /// Both sides; the ratio comes from their loaded write throughput.
    public init(clusterdeck: Side, etcd: Side) {
        self.clusterdeck = clusterdeck
        self.etcd = etcd
        let etcdThroughput = etcd.write.loaded.throughputOpsPerSecond
        let ratio = etcdThroughput > 0
            ? clusterdeck.write.loaded.throughputOpsPerSecond / etcdThroughput : 0
        throughputRatio = LatencySummary.round(ratio)
    }

    enum CodingKeys: String, CodingKey {
        case bench, clusterdeck, etcd, throughputRatio = "throughput_ratio"
    }
}

extension CompareReport {
    /// The side-by-side table `bench compare` prints under its heading.
    /// - Parameter clients: the loaded run's client count, for the row names.
    public func tableLines(clients: Int) -> [String] {
        let ours = clusterdeck
        let theirs = etcd
        var rows = [["", ours.write.system, theirs.write.system, "ClusterDeck/etcd"]]
        func add(_ name: String, _ value: (CompareReport.Side) -> Double?, decimals: Int) {
            guard let mine = value(ours), let other = value(theirs) else { return }
            let format = { (number: Double) in
                decimals == 0 ? BenchOutput.integer(number) : BenchOutput.number(number, decimals: decimals)
            }
            let ratio = other > 0 ? BenchOutput.number(mine / other, decimals: 2) + "×" : "-"
            rows.append([name, format(mine), format(other), ratio])
        }
        let loaded = "\(clients) clients"
        add("writes/s, \(loaded)", { $0.write.loaded.throughputOpsPerSecond }, decimals: 0)
        add("p50 ms, \(loaded)", { $0.write.loaded.latency.p50Ms }, decimals: 2)
        add("p99 ms, \(loaded)", { $0.write.loaded.latency.p99Ms }, decimals: 2)
        add("writes/s, 1 client", { $0.write.light?.throughputOpsPerSecond }, decimals: 0)
        add("p50 ms, 1 client", { $0.write.light?.latency.p50Ms }, decimals: 2)
        add("p99 ms, 1 client", { $0.write.light?.latency.p99Ms }, decimals: 2)
        add("failover p50 ms", { $0.failover?.failover.p50Ms }, decimals: 1)
        add("failover p99 ms", { $0.failover?.failover.p99Ms }, decimals: 1)
        add("failover max ms", { $0.failover?.failover.maxMs }, decimals: 1)
        var lines = BenchOutput.tableLines(rows)
        let failed = [ours, theirs].compactMap { $0.failover?.failedTrials }.reduce(0, +)
        let errors = [ours, theirs].map { $0.write.loaded.errors + ($0.write.light?.errors ?? 0) }
            .reduce(0, +)
        if failed > 0 || errors > 0 {
            lines.append("  (\(errors) write errors, \(failed) failed failover trials: see standard error)")
        }
        return lines
    }
}
