import Testing
@testable import Checker

@Suite("The key-value store: histories that are linearizable")
struct RegisterAcceptTests {
    static func expectLinearizable(_ history: [HistoryOperation],
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        let report = LinearizabilityChecker.check(history)
        #expect(report.verdict == .linearizable, "\(LinearizabilityChecker.text(report))",
                sourceLocation: sourceLocation)
        #expect(report.violations.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("one client, one step after another: put, get, cas, del")
    func sequential() {
        Self.expectLinearizable([
            Make.get("a", "x", nil, 0, 0.1),
            Make.put("a", "x", "1", 0.2, 0.3),
            Make.get("a", "x", "1", 0.4, 0.5),
            Make.cas("a", "x", "1", "2", 0.6, 0.7),
            Make.get("a", "x", "2", 0.8, 0.9),
            Make.del("a", "x", 1.0, 1.1),
            Make.get("a", "x", nil, 1.2, 1.3),
        ])
    }

    @Test("two overlapping puts may land in either order", arguments: ["1", "2"])
    func overlappingWrites(seen: String) {
        Self.expectLinearizable([
            Make.put("a", "x", "1", 0, 1.0),
            Make.put("b", "x", "2", 0.5, 1.5),
            Make.get("c", "x", seen, 2.0, 2.1),
            Make.get("a", "x", seen, 2.2, 2.3),
        ])
    }

    @Test("a read overlapping a write may see the old or the new value", arguments: ["1", "2"])
    func readDuringWrite(seen: String) {
        Self.expectLinearizable([
            Make.put("a", "x", "1", 0, 0.1),
            Make.put("a", "x", "2", 1.0, 2.0),
            Make.get("b", "x", seen, 1.2, 1.4),
        ])
    }

    @Test("two readers during one write: the first may see new while the second overlaps still")
    func readersDuringWrite() {
        Self.expectLinearizable([
            Make.put("a", "x", "1", 0, 0.1),
            Make.put("a", "x", "2", 1.0, 3.0),
            Make.get("b", "x", "2", 1.2, 1.4),
            Make.get("c", "x", "2", 1.3, 2.0),
            Make.get("b", "x", "2", 2.1, 2.2),
        ])
    }

    @Test("an unknown write that took effect, even long after it was issued")
    func unknownWriteApplied() {
        Self.expectLinearizable([
            Make.put("a", "x", "1", 0, 0.1),
            Make.put("a", "x", "2", 1.0, nil),
            Make.get("b", "x", "1", 2.0, 2.1),
            Make.get("b", "x", "2", 3.0, 3.1),
            Make.get("c", "x", "2", 4.0, 4.1),
        ])
    }

    @Test("an unknown write that never took effect, its value seen elsewhere")
    func unknownWriteNotApplied() {
        Self.expectLinearizable([
            Make.put("a", "x", "2", 0, 0.1),
            Make.get("b", "x", "2", 0.2, 0.3),
            Make.put("a", "x", "1", 0.4, 0.5),
            Make.put("a", "x", "2", 1.0, nil),
            Make.get("b", "x", "1", 2.0, 2.1),
            Make.cas("c", "x", "1", "3", 3.0, nil),
            Make.get("b", "x", "1", 4.0, 4.1),
        ])
    }

    @Test("failed operations had no effect and tell nothing")
    func failedOperations() {
        Self.expectLinearizable([
            Make.put("a", "x", "1", 0, 0.1),
            Make.put("a", "x", "9", 0.2, 0.3, outcome: .fail),
            Make.cas("b", "x", "7", "8", 0.4, 0.5, outcome: .fail),
            Make.get("b", "x", "5", 0.6, 0.7, outcome: .fail),
            Make.get("c", "x", "1", 0.8, 0.9),
        ])
    }

    @Test("a fenced put with a lower token than one accepted may only fail")
    func fencedPutRefused() {
        Self.expectLinearizable([
            Make.put("a", "x", "from-bob", 0, 0.1, fence: 2),
            Make.put("b", "x", "from-alice", 0.2, 0.3, fence: 1, outcome: .fail),
            Make.put("b", "x", "again", 0.4, 0.5, fence: 2),
            Make.get("c", "x", "again", 0.6, 0.7),
        ])
    }
}

@Suite("The key-value store: anomalies")
struct RegisterAnomalyTests {
    static func expectViolation(_ history: [HistoryOperation], key: String = "x",
                                sourceLocation: SourceLocation = #_sourceLocation) -> Violation? {
        let report = LinearizabilityChecker.check(history)
        #expect(report.verdict == .notLinearizable, sourceLocation: sourceLocation)
        #expect(report.violation?.key == key, sourceLocation: sourceLocation)
        #expect(report.violation?.model == .register, sourceLocation: sourceLocation)
        #expect(report.lines.first?.hasPrefix("linearizable: NO") == true,
                sourceLocation: sourceLocation)
        return report.violation
    }

    @Test("a stale read: the old value after a newer write completed")
    func staleRead() throws {
        let violation = try #require(Self.expectViolation([
            Make.put("a", "x", "1", 0, 0.5),
            Make.put("a", "x", "2", 1.0, 1.5),
            Make.get("b", "x", "1", 2.0, 2.1),
        ]))
        #expect(violation.explanation
            == "get x → 1 at 2.10 s, but x was 2 since put x 2 completed at 1.50 s")
        #expect(violation.operations.map(\.value) == ["2", "1"])
        #expect(violation.timeline.count == 3)
    }

    @Test("the same read marked stale (a deliberate follower read) is not checked")
    func markedStaleRead() {
        RegisterAcceptTests.expectLinearizable([
            Make.put("a", "x", "1", 0, 0.5),
            Make.put("a", "x", "2", 1.0, 1.5),
            Make.get("b", "x", "1", 2.0, 2.1, stale: true),
        ])
    }

    @Test("a stale read after several writes names the one it cannot get past")
    func staleReadPastSeveralWrites() throws {
        let violation = try #require(Self.expectViolation([
            Make.put("a", "x", "1", 0, 0.5),
            Make.put("a", "x", "2", 1.0, 1.5),
            Make.put("c", "x", "3", 1.2, 1.8),
            Make.get("b", "x", "1", 2.0, 2.1),
        ]))
        #expect(violation.explanation
            .hasPrefix("get x → 1 at 2.10 s, but put x 3 completed at 1.80 s"))
        #expect(violation.explanation.hasSuffix("no write of 1 could come after it"))
    }

    @Test("a lost update: two cas from the same old value both succeed")
    func lostUpdate() throws {
        let violation = try #require(Self.expectViolation([
            Make.put("a", "x", "1", 0, 0.1),
            Make.cas("b", "x", "1", "2", 1.0, 2.0),
            Make.cas("c", "x", "1", "3", 1.1, 2.1),
        ]))
        #expect(violation.explanation.contains("both found 1, but x was set to 1 only once"))
        #expect(violation.explanation.hasSuffix("an update was lost"))
        #expect(Set(violation.operations.map(\.process)) == ["a", "b", "c"])
    }

    @Test("a lost update one after the other reads as an overwritten value")
    func sequentialLostUpdate() throws {
        let violation = try #require(Self.expectViolation([
            Make.put("a", "x", "1", 0, 0.1),
            Make.cas("b", "x", "1", "2", 1.0, 1.5),
            Make.cas("c", "x", "1", "3", 1.6, 2.1),
        ]))
        #expect(violation.explanation
            == "cas x 1→3 at 2.10 s, but x was 2 since cas x 1→2 completed at 1.50 s")
    }

    @Test("a read of a value nobody wrote")
    func neverWritten() throws {
        let violation = try #require(Self.expectViolation([
            Make.put("a", "x", "1", 0, 0.1),
            Make.put("a", "x", "7", 0.2, 0.3, outcome: .fail),
            Make.get("b", "x", "7", 1.0, 1.1),
        ]))
        #expect(violation.explanation == "get x → 7 at 1.10 s, but no operation wrote 7 to x")
    }

    @Test("a read of a value written only later: no order explains it")
    func readFromTheFuture() throws {
        let violation = try #require(Self.expectViolation([
            Make.get("b", "x", "1", 0, 0.1),
            Make.put("a", "x", "1", 0.5, 0.6),
        ]))
        #expect(violation.explanation
            .hasPrefix("no order of the operations on x explains get x → 1 at 0.10 s"))
    }

    @Test("an unknown write cannot take effect before it was issued")
    func unknownWriteTooEarly() {
        _ = Self.expectViolation([
            Make.get("b", "x", "2", 0, 0.1),
            Make.put("a", "x", "2", 0.5, nil),
        ])
    }

    @Test("a fenced put that succeeds below a token already accepted")
    func fenceIgnored() throws {
        let violation = try #require(Self.expectViolation([
            Make.put("a", "x", "from-bob", 0, 0.1, fence: 2),
            Make.put("b", "x", "from-alice", 0.2, 0.3, fence: 1),
        ]))
        #expect(violation.explanation.hasSuffix("a lower fencing token must be refused"))
    }

    @Test("only the broken key is reported; the others are counted")
    func oneKeyOfTwo() {
        let history = [
            Make.put("a", "x", "1", 0, 0.1), Make.get("a", "x", "1", 0.2, 0.3),
            Make.put("a", "y", "1", 0, 0.1), Make.put("a", "y", "2", 0.2, 0.3),
            Make.get("b", "y", "1", 0.4, 0.5),
        ]
        let report = LinearizabilityChecker.check(history)
        #expect(report.violations.map(\.key) == ["y"])
        #expect(report.keyCount == 2)
        #expect(report.operationCount == 5)
    }
}
