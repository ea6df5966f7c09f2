import Raft
import Testing
@testable import Simulation

@Suite("Safety checker")
struct SafetyCheckerTests {
    private func leader(_ id: NodeID, term: Term, entries: [Entry]) throws -> RaftNode {
        var config = Config(id: id, members: [1, 2, 3])
        config.randomSeed = UInt64(id)
        let hard = HardState(term: term, votedFor: id, commit: 0)
        return try RaftNode(config: config, restoring: PersistentState(hardState: hard, entries: entries))
    }

    @Test("flags two leaders in one term as election safety")
    func twoLeaders() throws {
        var checker = SafetyChecker()
        let node = try leader(1, term: 3, entries: [])
        #expect(checker.leaderElected(1, term: 3, log: node) == nil)
        #expect(checker.leaderElected(1, term: 3, log: node) == nil, "the same leader again is fine")
        let problem = checker.leaderElected(2, term: 3, log: node)
        #expect(problem?.contains("both leaders of term 3") == true)
    }

    @Test("flags one (index, term) written after different predecessors as log matching")
    func logMatching() {
        var checker = SafetyChecker()
        let entry = Entry(term: 2, index: 5, data: [1])
        #expect(checker.entryWritten(entry, previousTerm: 1, by: 1) == nil)
        #expect(checker.entryWritten(entry, previousTerm: 1, by: 2) == nil)
        #expect(checker.entryWritten(entry, previousTerm: 2, by: 3) != nil)
        #expect(checker.entryWritten(Entry(term: 2, index: 5, data: [9]), previousTerm: 1, by: 3) != nil)
    }

    @Test("flags a new leader that lacks an entry committed in an earlier term")
    func leaderCompleteness() throws {
        var checker = SafetyChecker()
        #expect(checker.committed(index: 1, entryTerm: 1, by: 1, nodeTerm: 1) == nil)
        #expect(checker.committed(index: 2, entryTerm: 1, by: 1, nodeTerm: 1) == nil)
        let complete = try leader(2, term: 2, entries: [Entry(term: 1, index: 1), Entry(term: 1, index: 2)])
        #expect(checker.leaderElected(2, term: 2, log: complete) == nil)
        let lacking = try leader(3, term: 3, entries: [Entry(term: 1, index: 1)])
        let problem = checker.leaderElected(3, term: 3, log: lacking)
        #expect(problem?.contains("holds nothing at index 2") == true)
    }

    @Test("does not flag a stale leader elected in a term older than the commit")
    func staleLeaderIsNotIncomplete() throws {
        var checker = SafetyChecker()
        #expect(checker.committed(index: 1, entryTerm: 5, by: 1, nodeTerm: 5) == nil)
        let stale = try leader(2, term: 4, entries: [])
        #expect(checker.leaderElected(2, term: 4, log: stale) == nil)
    }

    @Test("flags different entries committed or applied at one index as state machine safety")
    func stateMachineSafety() {
        var checker = SafetyChecker()
        #expect(checker.committed(index: 1, entryTerm: 1, by: 1, nodeTerm: 1) == nil)
        #expect(checker.committed(index: 1, entryTerm: 1, by: 2, nodeTerm: 2) == nil)
        #expect(checker.committed(index: 1, entryTerm: 2, by: 3, nodeTerm: 2) != nil)
        #expect(checker.applied(index: 1, hash: 42, by: 1) == nil)
        #expect(checker.applied(index: 1, hash: 42, by: 2) == nil)
        #expect(checker.applied(index: 1, hash: 43, by: 3) != nil)
    }

    @Test("replicas whose services differ at one snapshot index are flagged")
    func serviceDeterminism() {
        var checker = SafetyChecker()
        let position = LogPosition(term: 1, index: 5)
        #expect(checker.snapshotTaken(Snapshot(position: position, data: [1, 2]), by: 1) == nil)
        #expect(checker.snapshotTaken(Snapshot(position: position, data: [1, 2]), by: 2) == nil)
        #expect(checker.snapshotTaken(Snapshot(position: position, data: [1, 3]), by: 3) != nil)
    }

    @Test("the applied-history hash depends on every entry's data, kind and index")
    func appliedHashChain() {
        let first = SafetyChecker.chain(SafetyChecker.emptyHash, Entry(term: 1, index: 1, data: [7]))
        #expect(first != SafetyChecker.chain(SafetyChecker.emptyHash, Entry(term: 1, index: 1, data: [8])))
        #expect(first != SafetyChecker.chain(SafetyChecker.emptyHash, Entry(term: 1, index: 2, data: [7])))
        #expect(first != SafetyChecker.chain(SafetyChecker.emptyHash, Entry(term: 1, index: 1, kind: .noop)))
    }
}
