import Checker
import ClusterAPI
import Testing
@testable import Cluster

/// A drill against another system's lock service (etcd): three verdicts, and only the fencing one
/// (with the key-value store's) can fail the drill.
@Suite struct DrillLockVerdictTests {
    private func lock(_ process: String, token: Int, _ invoke: Double) -> HistoryRecord {
        HistoryRecord(process: process, f: "lock", key: "L0", new: "granted, token \(token)", invoke: invoke,
                      complete: invoke + 0.1, outcome: .ok, token: token, ttlMs: 10_000, result: "granted")
    }

    private func fencedPut(_ value: String, token: Int, _ invoke: Double) -> HistoryRecord {
        HistoryRecord(process: value, f: "put", key: Drill.fencedKey("L0"), value: value, invoke: invoke,
                      complete: invoke + 0.1, outcome: .ok, token: token)
    }

    private func report(locks: [HistoryRecord], fenced: [HistoryRecord]) -> DrillReport {
        var report = DrillReport(durationSeconds: 1)
        report.lockServiceUnderTest = "etcd"
        report.check = LinearizabilityChecker.check([])
        report.lockCheck = LinearizabilityChecker.check(locks)
        report.fencingCheck = LinearizabilityChecker.check(fenced)
        return report
    }

    @Test func twoHoldersAreAFindingNotAFailure() {
        let found = report(locks: [lock("alice", token: 2, 0), lock("bob", token: 3, 0.2)],
                           fenced: [fencedPut("alice", token: 2, 0.15), fencedPut("bob", token: 3, 0.35)])
        #expect(found.lockCheck?.isLinearizable == false)
        #expect(found.passed)
    }

    @Test func aFencedWriteAcceptedOutOfTokenOrderFails() {
        let failed = report(locks: [lock("alice", token: 2, 0)],
                            fenced: [fencedPut("bob", token: 3, 0), fencedPut("alice", token: 2, 0.2)])
        #expect(failed.lockCheck?.isLinearizable == true)
        #expect(failed.fencingCheck?.isLinearizable == false)
        #expect(!failed.passed)
    }

    @Test func theTokenIsReadFromEitherBackEndsGrant() {
        #expect(Drill.token(in: CommandOutput(lines: ["granted, token 7"])) == 7)
        #expect(Drill.token(in: CommandOutput(lines: ["granted, token 12 (lock key L/1f, lease 1f, ttl 2 s)"])) == 12)
        #expect(Drill.token(in: CommandOutput(lines: ["still waiting for L (position 2)"])) == nil)
    }
}
