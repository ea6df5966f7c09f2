import Testing
@testable import Bench

/// The tables the bench prints, rendered as lines (the command line only prints them).
@Suite struct BenchOutputTests {
    @Test func tablesAlignTheFirstColumnLeftAndTheOthersRight() {
        let lines = BenchOutput.tableLines([["clients", "writes/s"], ["16", "12,345"], ["1", "900"]])
        #expect(lines == [
            "  clients   writes/s",
            "  16          12,345",
            "  1              900",
        ])
        #expect(BenchOutput.tableLines([]).isEmpty)
    }

    private func writeReport(system: String, throughput: Double, errors: Int = 0) -> WriteReport {
        var result = LoadResult()
        result.operations = Int(throughput * 10)
        result.errors = errors
        result.elapsedSeconds = 10
        return WriteReport(target: .clusterdeck, system: system, nodes: 3, valueSize: 100,
                           loaded: WriteFigures(clients: 16, result), light: nil)
    }

    @Test func writeTableNamesTheSystemAndHasOneRowPerRun() {
        let lines = writeReport(system: "ClusterDeck", throughput: 1_234).tableLines(durationSeconds: 10)
        #expect(lines.first == "bench write: ClusterDeck, 3 nodes, real pace, fsync on, 100-byte values, 10 s")
        #expect(lines.count == 3, "heading, column names, the loaded run: \(lines)")
        #expect(lines[2].hasPrefix("  16 "))
        #expect(lines[2].contains("1,234"))
    }

    @Test func compareDividesClusterDeckThroughputByEtcds() {
        let report = CompareReport(
            clusterdeck: .init(write: writeReport(system: "ClusterDeck", throughput: 3_000)),
            etcd: .init(write: writeReport(system: "etcd 3.4.23", throughput: 1_200, errors: 2)))
        #expect(report.throughputRatio == 2.5)
        let lines = report.tableLines(clients: 16)
        #expect(lines[1].contains("2.50×"), "\(lines)")
        #expect(lines.last == "  (2 write errors, 0 failed failover trials: see standard error)")
    }

    @Test func noEtcdThroughputGivesNoRatio() {
        let report = CompareReport(
            clusterdeck: .init(write: writeReport(system: "ClusterDeck", throughput: 3_000)),
            etcd: .init(write: writeReport(system: "etcd", throughput: 0)))
        #expect(report.throughputRatio == 0)
        #expect(report.tableLines(clients: 16)[1].hasSuffix("-"))
    }
}
