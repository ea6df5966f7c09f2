import Cluster
import ClusterAPI
import CommandLanguage
import Foundation
import Testing

/// Primary/backup nodes on the simulated back end, driven as the console drives them; each
/// expectation names its seed.
@Suite("Primary/backup on the simulated cluster")
struct PrimaryBackupClusterTests {
    private func withPrimaryBackup<T>(seed: UInt64, mode: ReplicationMode = .async,
                                      _ body: (LocalCluster) async throws -> T) async throws -> T {
        var options = ClusterOptions(executablePath: "/nonexistent: no process is started")
        options.nodeCount = 3
        options.seed = seed
        options.simulation = .onDemand
        options.replication = .primaryBackup
        options.replicationMode = mode
        let cluster = try await LocalCluster.make(options: options)
        try await cluster.start()
        let result = try await body(cluster)
        await cluster.shutdown()
        return result
    }

    private func parse(_ line: String) throws -> Command {
        try #require(try CommandParser.parse(line, nodeCount: 3))
    }

    @Test("a primary is promoted, answers writes, and its replicas serve them stale")
    func primaryAnswers() async throws {
        try await withPrimaryBackup(seed: 4) { cluster in
            #expect(await cluster.execute(try parse("wait leader")).ok, "seed 4")
            let primary = try #require(await cluster.views().leader)
            #expect(primary.state?.role == .primary, "seed 4")
            #expect(await cluster.execute(try parse("put x 1")).ok, "seed 4")
            let replica = try #require((1...3).first { $0 != primary.id })
            let read = await cluster.poll(forMs: 2_000) {
                await cluster.execute(try! parse("get x --stale --node \(replica)")).readValue
            }
            #expect(read == "1", "seed 4")
        }
    }

    @Test("Raft's teaching controls are refused in one line; the deck's needs are met")
    func raftOnlyCommandsRefused() async throws {
        try await withPrimaryBackup(seed: 2, mode: .semiSync(replicas: 1, waitsForever: false)) { cluster in
            let timeout = try parse("timeout 1")
            let prevote = try parse("set prevote off")
            let fsync = try parse("set fsync off")
            #expect(cluster.refusal(of: timeout)?.contains("Raft") == true)
            #expect(cluster.refusal(of: prevote) != nil)
            #expect(cluster.refusal(of: fsync) == nil)
            #expect(!(await cluster.execute(timeout).ok))
            #expect(cluster.refusal(of: .replication(.primaryBackup)) == nil)
            #expect(cluster.refusal(of: .replication(.raft)) != nil)
            #expect(cluster.refusal(of: .acknowledgement(.semiSync(replicas: 1, waitsForever: false))) == nil)
            #expect(cluster.refusal(of: .acknowledgement(.async)) != nil)
        }
    }
}
