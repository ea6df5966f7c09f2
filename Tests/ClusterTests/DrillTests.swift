import Cluster
import Testing

extension LiveClusterTests {
    @Suite("Drills")
    struct Drills {
        @Test("a short drill with kills and partitions stays linearizable and reports its faults")
        func shortDrill() async throws {
            try await withCluster(nodes: 3) { cluster in
                var options = DrillOptions()
                options.durationSeconds = 5
                options.clients = 3
                options.faults = [.kill, .partition]
                options.seed = 11
                let report = await Drill(cluster: cluster, options: options).run { _ in }
                #expect(report.ok > 0)
                #expect(!report.faults.isEmpty)
                let check = try #require(report.check)
                #expect(check.isLinearizable, "\(check.lines.joined(separator: "\n"))")
                // Every client's operations are in the history, plus a final read of each key.
                let history = await cluster.history()
                #expect(Set(history.map(\.process)).isSuperset(of: ["c1", "c2", "c3", "final"]))
            }
        }
    }
}
