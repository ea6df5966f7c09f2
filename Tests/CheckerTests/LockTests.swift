import Testing
@testable import Checker

@Suite("The lock service")
struct LockTests {
    static func check(_ history: [HistoryOperation], slack: Double = 0) -> CheckReport {
        LinearizabilityChecker.check(history, options: CheckOptions(leaseSlackSeconds: slack))
    }

    static func expectAccepted(_ history: [HistoryOperation], slack: Double = 0,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let report = check(history, slack: slack)
        #expect(report.verdict == .linearizable, "\(LinearizabilityChecker.text(report))",
                sourceLocation: sourceLocation)
    }

    static func expectRefused(_ history: [HistoryOperation], slack: Double = 0,
                              sourceLocation: SourceLocation = #_sourceLocation) -> Violation? {
        let report = check(history, slack: slack)
        #expect(report.verdict == .notLinearizable, sourceLocation: sourceLocation)
        #expect(report.violation?.model == .lock, sourceLocation: sourceLocation)
        return report.violation
    }

    // MARK: Correct runs

    @Test("a lease that expired after its ttl: the next client may get the lock")
    func expiryAfterTTL() {
        Self.expectAccepted([
            Make.lock("alice", "L", token: 1, ttl: 2, 0, 0.1),
            Make.queued("bob", "L", ttl: 2, 0.5, 0.6),
            Make.queued("bob", "L", ttl: 2, 1.1, 1.2),
            Make.lock("bob", "L", token: 2, ttl: 2, 2.05, 2.15),
        ])
    }

    @Test("asking again while holding renews: the same token, no second holder")
    func renewal() {
        Self.expectAccepted([
            Make.lock("alice", "L", token: 1, 0, 0.1),
            Make.lock("alice", "L", token: 1, 1, 1.1),
            Make.unlock("alice", "L", 2, 2.1),
            Make.lock("bob", "L", token: 2, 2.2, 2.3),
        ])
    }

    @Test("an unlock hands the lock on with a larger token")
    func releaseThenGrant() {
        Self.expectAccepted([
            Make.lock("alice", "L", token: 1, 0, 0.1),
            Make.queued("bob", "L", 0.2, 0.3),
            Make.unlock("alice", "L", 1.0, 1.1),
            Make.lock("bob", "L", token: 2, 1.05, 1.2),
            Make.unlock("bob", "L", 1.3, 1.4),
            Make.lock("alice", "L", token: 3, 1.5, 1.6),
        ])
    }

    @Test("queued, then released: the waiter held the lock in between")
    func queuedThenReleased() {
        Self.expectAccepted([
            Make.lock("alice", "L", token: 1, 0, 0.1),
            Make.queued("bob", "L", 0.2, 0.3),
            Make.unlock("alice", "L", 1.0, 1.1),
            Make.unlock("bob", "L", 1.5, 1.6),
        ])
    }

    @Test("an unlock in flight may have ended the holder's lease at any moment after its invoke")
    func unknownUnlock() {
        Self.expectAccepted([
            Make.lock("alice", "L", token: 1, 0, 0.1),
            Make.unlock("alice", "L", 0.5, nil),
            Make.lock("bob", "L", token: 2, 1, 1.1),
        ])
    }

    @Test("a grant concurrent with the previous holder's lease end is not certain enough to flag")
    func overlappingExpiry() {
        Self.expectAccepted([
            Make.lock("alice", "L", token: 1, ttl: 2, 0, 0.1),
            Make.lock("bob", "L", token: 2, ttl: 2, 1.9, 2.1),
        ])
    }

    @Test("the lease slack forgives a lease that ended a little before invoke + ttl")
    func slack() {
        let history = [Make.lock("alice", "L", token: 1, ttl: 2, 0, 0.1),
                       Make.lock("bob", "L", token: 2, ttl: 2, 1.7, 1.8)]
        Self.expectAccepted(history, slack: 0.5)
        _ = Self.expectRefused(history, slack: 0)
    }

    // MARK: Violations

    @Test("two holders at once, inside the first holder's lease")
    func twoHolders() throws {
        let violation = try #require(Self.expectRefused([
            Make.lock("alice", "L", token: 1, ttl: 10, 0, 0.1),
            Make.lock("bob", "L", token: 2, ttl: 10, 1, 1.1),
        ]))
        #expect(violation.explanation == "lock L was granted to bob (token 2) at 1.00 s–1.10 s, "
            + "but alice held it from 0.10 s (token 1) and could not lose it to lease expiry "
            + "before 10.00 s")
        #expect(violation.operations.map(\.process) == ["alice", "bob"])
    }

    @Test("a release by someone else inside the holder's lease proves a second holder")
    func releasedByAnother() throws {
        let violation = try #require(Self.expectRefused([
            Make.lock("alice", "L", token: 1, 0, 0.1),
            Make.unlock("alice", "L", 3, 3.1),
            Make.unlock("bob", "L", 1, 1.1),
        ]))
        #expect(violation.explanation == "bob released lock L, so held it, at 1.00 s–1.10 s, "
            + "but alice held it from 0.10 s (token 1) and did not unlock it before 3.00 s")
    }

    @Test("a token going backwards")
    func tokenBackwards() throws {
        let violation = try #require(Self.expectRefused([
            Make.lock("alice", "L", token: 5, 0, 0.1),
            Make.unlock("alice", "L", 0.2, 0.3),
            Make.lock("bob", "L", token: 4, 1, 1.1),
        ]))
        #expect(violation.explanation.hasSuffix("tokens must strictly increase"))
        #expect(violation.explanation.contains("token 4 to bob"))
    }

    @Test("the same token granted to two clients")
    func sharedToken() throws {
        let violation = try #require(Self.expectRefused([
            Make.lock("alice", "L", token: 3, 0, 0.1),
            Make.unlock("alice", "L", 0.2, 0.3),
            Make.lock("bob", "L", token: 3, 1, 1.1),
        ]))
        #expect(violation.explanation == "lock L gave token 3 to both alice (by 0.10 s) and bob "
            + "(by 1.10 s): a token is granted once")
    }

    @Test("histories without the result and token fields are read from the result text")
    func oldFormat() {
        func old(_ process: String, _ token: Int, _ invoke: Double) -> HistoryOperation {
            HistoryOperation(process: process, f: "lock", key: "L", new: "granted, token \(token)",
                             invoke: invoke, complete: invoke + 0.1, outcome: .ok)
        }
        _ = Self.expectRefused([old("alice", 2, 0), old("bob", 1, 1)])
        Self.expectAccepted([old("alice", 1, 0), old("bob", 2, 1)])
    }

    @Test("locks and keys are separate: a key and a lock may share a name")
    func namespaces() {
        let report = Self.check([Make.lock("alice", "x", token: 1, 0, 0.1),
                                 Make.put("bob", "x", "1", 0.2, 0.3),
                                 Make.get("bob", "x", "1", 0.4, 0.5)])
        #expect(report.verdict == .linearizable)
        #expect(report.keyCount == 2)
    }
}
