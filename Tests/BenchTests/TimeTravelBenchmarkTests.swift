import Cluster
import Testing
@testable import Bench

/// `bench timetravel` measures what it says: each seek lands where it was sent, the session ran as
/// long as asked, and the table shows every move.
@Suite struct TimeTravelBenchmarkTests {
    @Test func eachMoveLandsWhereItWasSentAndIsListed() async throws {
        let report = try await TimeTravelBenchmark.measure(nodes: 3, minutes: 1, timing: .teach, seed: 3)
        #expect(report.seeks.count == 7)
        let end = try #require(report.seeks.first { $0.command == "seek end" }?.toSeconds)
        #expect(end >= 60, "seed 3: the session ran \(end) s, not a minute")
        for seek in report.seeks where seek.command.hasPrefix("seek ") && seek.command != "seek end" {
            let ms = Double(seek.command.dropFirst("seek ".count).dropLast(2)) ?? -1
            #expect(abs(seek.toSeconds - ms / 1000) < 0.001, "seed 3: \(seek.command) landed at \(seek.toSeconds)")
        }
        let back = try #require(report.seeks.last)
        #expect(back.command == "back 1" && back.toSeconds < end)
        #expect(report.tableLines().count == 2 + report.seeks.count)
    }
}
