import Cluster

/// Which system a benchmark measures.
public enum BenchTarget: String, CaseIterable, Codable, Sendable {
    case clusterdeck, etcd
}

/// Starting ClusterDeck clusters the way every bench does: real pace, durable writes.
public struct BenchCluster: Sendable {
    /// Applied entries between snapshots: etcd's default (`--snapshot-count` 100,000). A snapshot
    /// serializes the whole store on every node at the same index, so the console's default
    /// (1,000, to show InstallSnapshot in lessons) would stall the cluster several times a second
    /// under load, rewriting 16,000 keys each time.
    public static let snapshotEvery = 100_000

    /// The `clusterdeck` binary the nodes run (`clusterdeck node …`), and `bench fabric` its
    /// synthetic peers (`clusterdeck bench fabric-peer …`).
    public var binary: String

    public init(binary: String) {
        self.binary = binary
    }

    func options(nodes: Int) -> ClusterOptions {
        var options = ClusterOptions(executablePath: binary)
        options.nodeCount = nodes
        options.timing = .real
        options.fsync = true
        options.snapshotEvery = Self.snapshotEvery
        options.runKind = .bench
        return options
    }

    /// Starts a cluster and waits until it has a leader; shuts it down again if none comes.
    func start(nodes: Int) async throws -> LocalCluster {
        let cluster = try LocalCluster(options: options(nodes: nodes))
        do {
            try await cluster.start()
            let output = await cluster.execute(.waitLeader(withinMs: 10_000))
            guard output.ok else { throw ClusterError(output.lines.joined(separator: " ")) }
        } catch {
            await cluster.shutdown()
            throw error
        }
        return cluster
    }
}
