import Testing
@testable import Raft

/// AppendEntries receiver rules and the leader's nextIndex/matchIndex rules (Figure 2).
@Suite("AppendEntries")
struct ReplicationTests {
    /// Node 2 of three, following in `term`, with `terms` in its log.
    static func follower(term: Term, terms: [Term], commit: LogIndex = 0) -> RaftNode {
        makeNode(makeConfig(id: 2, count: 3),
                 restoring: PersistentState(hardState: HardState(term: term, commit: commit),
                                            entries: log(terms: terms)))
    }

    static func append(term: Term, prev: LogIndex, prevTerm: Term, entries: [Entry], commit: LogIndex)
        -> Message {
        message(from: 1, to: 2, term: term,
                .append(AppendRequest(prevLogIndex: prev, prevLogTerm: prevTerm, entries: entries,
                                      leaderCommit: commit)))
    }

    static func terms(of node: RaftNode) -> [Term] {
        node.entries(from: node.firstIndex, through: node.lastIndex).map(\.term)
    }

    /// Delivers messages between `leader` (node 1) and `follower` (node 2) until neither has anything to
    /// say to the other; returns every append the leader sent.
    static func exchange(_ leader: inout RaftNode, _ follower: inout RaftNode) -> [AppendRequest] {
        var appends: [AppendRequest] = []
        for _ in 0..<100 {
            let toFollower = leader.drainMessages().filter { $0.to == 2 }
            appends += toFollower.compactMap(\.body.appendRequest)
            toFollower.forEach { follower.step($0) }
            let toLeader = follower.drainMessages().filter { $0.to == 1 }
            toLeader.forEach { leader.step($0) }
            if toFollower.isEmpty && toLeader.isEmpty { break }
        }
        return appends
    }

    @Test("rejects append from a stale term")
    func rejectsStaleTerm() throws {
        var node = Self.follower(term: 5, terms: [1, 1])
        node.step(Self.append(term: 4, prev: 2, prevTerm: 1, entries: [Entry(term: 4, index: 3)], commit: 3))
        #expect(node.lastIndex == 2)
        #expect(node.commitIndex == 0)
        #expect(node.leader == nil)
        #expect(node.term == 5)
        // The answer carries the newer term, so the stale leader learns it has been deposed.
        let reply = try #require(node.drainMessages().first)
        #expect(reply.term == 5)
        #expect(reply.to == 1)
        guard case .rejected = reply.body.appendResponse else {
            Issue.record("expected a rejection, got \(reply.body)")
            return
        }
    }

    @Test("rejects append whose previous entry has a different term")
    func rejectsMismatchedPrevious() {
        var node = Self.follower(term: 3, terms: [1, 1, 2])
        node.step(Self.append(term: 3, prev: 3, prevTerm: 3, entries: [Entry(term: 3, index: 4)], commit: 4))
        #expect(Self.terms(of: node) == [1, 1, 2])
        #expect(node.commitIndex == 0)
        #expect(node.drainMessages().map(\.body)
            == [.appendResponse(.rejected(rejectedIndex: 3, hintIndex: 3, hintTerm: 2))])
    }

    @Test("rejects append whose previous index is past the end of the log")
    func rejectsMissingPrevious() {
        var node = Self.follower(term: 3, terms: [1, 1])
        node.step(Self.append(term: 3, prev: 5, prevTerm: 3, entries: [Entry(term: 3, index: 6)], commit: 6))
        #expect(node.lastIndex == 2)
        #expect(node.drainMessages().map(\.body)
            == [.appendResponse(.rejected(rejectedIndex: 5, hintIndex: 3, hintTerm: 0))])
    }

    @Test("follower truncates conflicting entries and appends new ones")
    func truncatesConflicts() {
        var node = Self.follower(term: 2, terms: [1, 1, 2, 2])
        node.drain()
        node.step(Self.append(term: 3, prev: 2, prevTerm: 1,
                              entries: [Entry(term: 3, index: 3), Entry(term: 3, index: 4),
                                        Entry(term: 3, index: 5)], commit: 0))
        #expect(Self.terms(of: node) == [1, 1, 3, 3, 3])
        let batch = node.drain()
        // The rewritten suffix is handed out for persistence, from the first conflict on.
        #expect(batch.entries.map(\.index) == [3, 4, 5])
        #expect(batch.messages.map(\.body) == [.appendResponse(.accepted(matchIndex: 5))])
    }

    @Test("follower keeps entries it already holds when an append repeats them")
    func keepsMatchingEntries() {
        var node = Self.follower(term: 1, terms: [1, 1, 1, 1])
        node.drain()
        // A delayed append that covers only a prefix must not cut off the entries after it.
        node.step(Self.append(term: 1, prev: 1, prevTerm: 1, entries: [Entry(term: 1, index: 2, data: [2])],
                              commit: 0))
        #expect(node.lastIndex == 4)
        let batch = node.drain()
        #expect(batch.entries.isEmpty)
        #expect(batch.messages.map(\.body) == [.appendResponse(.accepted(matchIndex: 2))])
    }

    @Test("follower sets commit to min(leaderCommit, last new index)")
    func followerCommitRule() {
        // leaderCommit below the last new entry: commit follows the leader.
        var behind = Self.follower(term: 1, terms: [1])
        behind.step(Self.append(term: 1, prev: 1, prevTerm: 1,
                                entries: [Entry(term: 1, index: 2), Entry(term: 1, index: 3)], commit: 2))
        #expect(behind.commitIndex == 2)

        // leaderCommit beyond what this append verified: commit stops at the last new entry, even though
        // the follower holds (unverified) entries after it.
        var ahead = Self.follower(term: 2, terms: [1, 1, 1, 1])
        ahead.step(Self.append(term: 2, prev: 1, prevTerm: 1, entries: [Entry(term: 1, index: 2)], commit: 9))
        #expect(ahead.commitIndex == 2)
        #expect(ahead.lastIndex == 4)
    }

    @Test("follower acknowledges through its commit index an append that starts inside its snapshot")
    func appendBelowSnapshot() {
        // Entries 1...3 are compacted; 4 and 5 are held and committed.
        var node = makeNode(makeConfig(id: 2, count: 3),
                            restoring: PersistentState(
                                hardState: HardState(term: 1, commit: 5),
                                snapshot: Snapshot(position: LogPosition(term: 1, index: 3), data: []),
                                entries: [Entry(term: 1, index: 4), Entry(term: 1, index: 5)]))
        node.step(Self.append(term: 1, prev: 2, prevTerm: 1,
                              entries: (3...6).map { Entry(term: 1, index: $0) }, commit: 5))
        #expect(node.drainMessages().map(\.body) == [.appendResponse(.accepted(matchIndex: 5))])
        #expect(node.snapshotPosition.index == 3)
    }

    @Test("follower never moves its commit index backwards")
    func commitIsMonotonic() {
        var node = Self.follower(term: 1, terms: [1, 1, 1], commit: 3)
        node.step(Self.append(term: 1, prev: 3, prevTerm: 1, entries: [], commit: 1))
        #expect(node.commitIndex == 3)
    }

    @Test("committed entries are handed out for applying exactly once, in order")
    func appliesCommittedInOrder() {
        var node = Self.follower(term: 1, terms: [1, 1, 1])
        node.step(Self.append(term: 1, prev: 3, prevTerm: 1, entries: [], commit: 2))
        #expect(node.drain().committedEntries.map(\.index) == [1, 2])
        #expect(node.appliedIndex == 2)
        #expect(node.ready().committedEntries.isEmpty)
        node.step(message(from: 1, to: 2, term: 1, .heartbeat(commit: 3, readRound: 0)))
        #expect(node.drain().committedEntries.map(\.index) == [3])
        #expect(node.appliedIndex == 3)
    }

    @Test("leader updates matchIndex and nextIndex after a successful append")
    func leaderTracksProgress() throws {
        var leader = makeLeader()
        _ = leader.propose([7])
        leader.drain()
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 2))))
        let progress = try #require(leader.progress[2])
        #expect(progress.match == 2)
        #expect(progress.next == 3)
        #expect(progress.mode == .replicate)
        #expect(leader.progress[3]?.match == 0)
    }

    @Test("leader sends new entries starting at nextIndex")
    func leaderSendsFromNext() {
        var leader = makeLeader()
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        leader.drain()
        _ = leader.propose([1])
        _ = leader.propose([2])
        let appends = leader.drainMessages().appends(to: 2)
        #expect(appends.map(\.prevLogIndex) == [1, 2])
        #expect(appends.map { $0.entries.map(\.index) } == [[2], [3]])
        #expect(appends.map { $0.entries.map(\.data) } == [[[1]], [[2]]])
    }

    @Test("leader retries with a lower nextIndex after a rejection")
    func leaderBacksOff() {
        var leader = makeLeader(term: 1, entries: log(terms: [1, 1]))
        // The initial append went out with prev 2; the follower holds only entry 1.
        leader.step(message(from: 2, to: 1, term: 2,
                            .appendResponse(.rejected(rejectedIndex: 2, hintIndex: 2, hintTerm: 0))))
        let retry = leader.drainMessages().appends(to: 2)
        #expect(retry.map(\.prevLogIndex) == [1])
        #expect(retry.first?.entries.map(\.index) == [2, 3])
        #expect(leader.progress[2]?.next == 2)
    }

    @Test("leader ignores a rejection that does not answer its latest probe")
    func leaderIgnoresStaleRejection() {
        var leader = makeLeader(term: 1, entries: log(terms: [1, 1, 1]))
        leader.step(message(from: 2, to: 1, term: 2,
                            .appendResponse(.rejected(rejectedIndex: 1, hintIndex: 1, hintTerm: 0))))
        #expect(leader.drainMessages().appends(to: 2).isEmpty)
        #expect(leader.progress[2]?.next == 4)
    }

    @Test("fast back-off: leader skips a whole conflicting term it does not hold")
    func fastBackOffSkipsTerm() {
        var leader = makeLeader(term: 3, entries: log(terms: [1, 1, 1, 3, 3, 3]), drainOutput: false)
        var follower = Self.follower(term: 2, terms: [1, 1, 1, 2, 2, 2, 2, 2])
        let appends = Self.exchange(&leader, &follower)
        // Probe at 6 is refused with the hint "term 2 starts at 4"; the leader holds no term 2, so it
        // goes straight to 4 instead of walking back one entry at a time.
        #expect(appends.map(\.prevLogIndex).prefix(2) == [6, 3])
        #expect(Self.terms(of: follower) == [1, 1, 1, 3, 3, 3, 4])
        #expect(leader.progress[2]?.match == 7)
    }

    @Test("fast back-off: follower hints its conflicting term and where it starts")
    func followerConflictHint() {
        var follower = Self.follower(term: 2, terms: [1, 1, 1, 2, 2, 2, 2, 2])
        follower.step(Self.append(term: 4, prev: 6, prevTerm: 3, entries: [], commit: 0))
        #expect(follower.drainMessages().map(\.body)
            == [.appendResponse(.rejected(rejectedIndex: 6, hintIndex: 4, hintTerm: 2))])
    }

    @Test("fast back-off: leader resumes after its last entry of the follower's conflicting term")
    func fastBackOffResumesAfterSharedTerm() {
        var leader = makeLeader(term: 2, entries: log(terms: [1, 1, 2, 2, 2, 2]), drainOutput: false)
        var follower = Self.follower(term: 1, terms: [1, 1, 1, 1, 1])
        let appends = Self.exchange(&leader, &follower)
        // 6: too short; 5: term 1 there (first at 1), and the leader's last term-1 entry is 2, so it
        // resumes at 3 rather than at the follower's hint 1.
        #expect(appends.map(\.prevLogIndex).prefix(3) == [6, 5, 2])
        #expect(Self.terms(of: follower) == [1, 1, 2, 2, 2, 2, 3])
        #expect(leader.progress[2]?.match == 7)
    }

    @Test("leader keeps at most maxInflightAppends unacknowledged appends per follower")
    func inflightLimit() {
        var leader = makeLeader { config in
            config.maxEntriesPerAppend = 1
            config.maxInflightAppends = 2
        }
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        leader.drain()
        for value in UInt8(0)..<5 { _ = leader.propose([value]) }
        let first = leader.drainMessages()
        #expect(first.appends(to: 2).map { $0.entries.map(\.index) } == [[2], [3]])
        // Node 3 never answered the first probe: nothing more goes to it.
        #expect(first.appends(to: 3).isEmpty)
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 2))))
        #expect(leader.drainMessages().appends(to: 2).map { $0.entries.map(\.index) } == [[4]])
    }

    @Test("leader limits entries per append to maxEntriesPerAppend")
    func appendSizeLimit() {
        var leader = makeLeader { $0.maxEntriesPerAppend = 3 }
        // Node 2 has not answered the first probe yet, so proposals pile up for it.
        for value in UInt8(0)..<7 { _ = leader.propose([value]) }
        #expect(leader.drainMessages().appends(to: 2).isEmpty)
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        #expect(leader.drainMessages().appends(to: 2).map { $0.entries.map(\.index) } == [[2, 3, 4]])
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 4))))
        #expect(leader.drainMessages().appends(to: 2).map { $0.entries.map(\.index) } == [[5, 6, 7]])
    }

    @Test("the network replicates proposals to every node in the same order")
    func networkReplicates() {
        var net = Network(3)
        net.campaign(1)
        #expect(net.leaders == [1])
        for value in UInt8(1)...5 {
            guard case .success = net.propose([value], at: 1) else {
                Issue.record("proposal refused")
                return
            }
        }
        net.tick()
        for id in net.ids {
            #expect(net[id].commitIndex == 6)
            #expect(net.applied[id]?.filter { $0.kind == .command }.map(\.data) == [[1], [2], [3], [4], [5]])
        }
    }

    @Test("proposal on a follower is refused with a leader hint")
    func followerRefusesProposal() {
        var net = Network(3)
        net.campaign(2)
        var follower = net[1]
        #expect(follower.propose([1]) == .failure(.notLeader(leaderHint: 2)))
    }

    @Test("a follower claiming more of the log than the leader holds is believed only up to the leader's end")
    func clampsImpossibleMatch() {
        // Only a broken rule (a bug knob) lets a leader with a shorter log than a follower's committed
        // entries win; the leader must not trust the claim past its own last entry, nor crash on it.
        var leader = makeLeader(count: 3, term: 1, entries: log(terms: [1]))
        let last = leader.lastIndex
        leader.step(message(from: 2, to: 1, term: 2, .appendResponse(.accepted(matchIndex: last + 5))))
        leader.drain()
        #expect(leader.role == .leader)
        #expect(leader.commitIndex == last)
        #expect(leader.lastIndex == last)
    }
}
