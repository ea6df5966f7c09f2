import Testing
@testable import Raft

/// The leader's commit rule (Figure 2, last rule for leaders; §5.4.2 and Figure 8).
@Suite("Leader commit")
struct CommitTests {
    /// Leader of term 4 whose log is [1: term 1, 2: term 2] plus its no-op at 3, sending one entry per
    /// append, after follower 2 (which held only entry 1) has been brought up to index 2 — the
    /// situation of Figure 8 (c): an entry of an older term stored on a majority.
    static func figure8Leader(bugs: Set<BugKnob> = []) -> RaftNode {
        var leader = makeLeader(term: 3, entries: [Entry(term: 1, index: 1), Entry(term: 2, index: 2)],
                                bugs: bugs) { $0.maxEntriesPerAppend = 1 }
        leader.step(message(from: 2, to: 1, term: 4,
                            .appendResponse(.rejected(rejectedIndex: 2, hintIndex: 2, hintTerm: 0))))
        let retry = leader.drainMessages().appends(to: 2)
        precondition(retry.map(\.prevLogIndex) == [1] && retry[0].entries.map(\.term) == [2],
                     "test setup: expected entry 2 to be re-sent, got \(retry)")
        leader.step(message(from: 2, to: 1, term: 4, .appendResponse(.accepted(matchIndex: 2))))
        return leader
    }

    @Test("leader commits only entries of its current term by counting replicas (Figure 8)")
    func onlyCurrentTermByCounting() {
        var leader = Self.figure8Leader()
        // Entry 2 (term 2) is on a majority (leader and node 2), but it is from an older term.
        #expect(leader.progress[2]?.match == 2)
        #expect(leader.commitIndex == 0)
        #expect(leader.drain().committedEntries.isEmpty)
        // Once the no-op of term 4 is on a majority, it and everything before it commit.
        leader.step(message(from: 2, to: 1, term: 4, .appendResponse(.accepted(matchIndex: 3))))
        #expect(leader.commitIndex == 3)
        #expect(leader.drain().committedEntries.map(\.index) == [1, 2, 3])
    }

    @Test("commit-old-term knob commits older-term entries")
    func commitOldTermKnob() {
        var leader = Self.figure8Leader(bugs: [.commitOldTerm])
        #expect(leader.commitIndex == 2)
        #expect(leader.drain().committedEntries.map(\.index) == [1, 2])
    }

    @Test("leader commits an entry once a majority holds it")
    func majorityCommits() {
        var leader = makeLeader(count: 5)
        _ = leader.propose([1])
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 2))))
        #expect(leader.commitIndex == 0)
        leader.step(message(from: 3, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        // Entry 1 is on leader, 2 and 3; entry 2 only on leader and 2.
        #expect(leader.commitIndex == 1)
        leader.step(message(from: 4, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 2))))
        #expect(leader.commitIndex == 2)
    }

    @Test("leader tells followers the new commit index")
    func leaderAnnouncesCommit() {
        var leader = makeLeader()
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        #expect(leader.commitIndex == 1)
        let appends = leader.drainMessages().appends(to: 2)
        #expect(appends.map(\.leaderCommit) == [1])
    }

    @Test("heartbeats carry the commit index capped at what the follower holds")
    func heartbeatCommitCapped() {
        var leader = makeLeader()
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        leader.drain()
        leader.tick()
        let heartbeats = leader.drainMessages().filter { $0.body.heartbeatReadRound != nil }
        #expect(heartbeats.first { $0.to == 2 }?.body == .heartbeat(commit: 1, readRound: 0))
        // Node 3 has not acknowledged entry 1, so it must not be told to commit it.
        #expect(heartbeats.first { $0.to == 3 }?.body == .heartbeat(commit: 0, readRound: 0))
    }
}
