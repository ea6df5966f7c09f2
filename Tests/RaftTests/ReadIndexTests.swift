import Testing
@testable import Raft

/// ReadIndex (thesis §6.4): a read is served at the commit index once a quorum confirms leadership.
@Suite("ReadIndex")
struct ReadIndexTests {
    /// A leader whose no-op (index 1) is committed.
    static func committedLeader(count: Int) -> RaftNode {
        var leader = makeLeader(count: count)
        for peer in 2...(count / 2 + 1) {
            leader.step(message(from: peer, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 1))))
        }
        precondition(leader.commitIndex == 1, "test setup: no-op not committed")
        leader.drain()
        return leader
    }

    @Test("read confirmed only after a quorum of heartbeat acks")
    func confirmedByQuorum() throws {
        var leader = Self.committedLeader(count: 5)
        try leader.requestRead(id: 7).get()
        let batch = leader.drain()
        #expect(batch.readStates.isEmpty)
        // A heartbeat carrying the new round goes to every follower.
        let rounds = batch.messages.filter { $0.body.heartbeatReadRound != nil }
        #expect(rounds.map(\.to).sorted() == [2, 3, 4, 5])
        let round = try #require(rounds.first?.body.heartbeatReadRound)
        #expect(round > 0)

        // Acks of an older round prove nothing about this read.
        leader.step(message(from: 4, to: 1, term: 1, .heartbeatResponse(readRound: round - 1)))
        leader.step(message(from: 5, to: 1, term: 1, .heartbeatResponse(readRound: round - 1)))
        #expect(leader.drain().readStates.isEmpty)
        // Leader plus one follower is not a quorum of five.
        leader.step(message(from: 2, to: 1, term: 1, .heartbeatResponse(readRound: round)))
        #expect(leader.drain().readStates.isEmpty)
        leader.step(message(from: 3, to: 1, term: 1, .heartbeatResponse(readRound: round)))
        #expect(leader.drain().readStates == [ReadState(requestID: 7, index: 1)])
        // Handed out once.
        #expect(leader.ready().readStates.isEmpty)
    }

    @Test("read index is the commit index when the read arrived")
    func readIndexIsCommit() throws {
        var leader = Self.committedLeader(count: 3)
        _ = leader.propose([1])
        leader.step(message(from: 2, to: 1, term: 1, .appendResponse(.accepted(matchIndex: 2))))
        #expect(leader.commitIndex == 2)
        try leader.requestRead(id: 1).get()
        let round = try #require(leader.drainMessages().compactMap(\.body.heartbeatReadRound).max())
        _ = leader.propose([2])  // not committed: must not raise the read index
        leader.step(message(from: 3, to: 1, term: 1, .heartbeatResponse(readRound: round)))
        #expect(leader.drain().readStates == [ReadState(requestID: 1, index: 2)])
    }

    @Test("read aborted when leadership lost")
    func abortedOnStepDown() throws {
        var leader = Self.committedLeader(count: 3)
        try leader.requestRead(id: 9).get()
        leader.drain()
        leader.step(message(from: 3, to: 1, term: 2, .heartbeat(commit: 0, readRound: 0)))
        #expect(leader.role == .follower)
        let batch = leader.drain()
        #expect(batch.abortedReads == [9])
        #expect(batch.readStates.isEmpty)
        // A late ack from the old term confirms nothing.
        leader.step(message(from: 2, to: 1, term: 1, .heartbeatResponse(readRound: 1)))
        #expect(leader.ready().readStates.isEmpty)
        #expect(leader.ready().abortedReads.isEmpty)
    }

    @Test("read aborted when check-quorum deposes the leader")
    func abortedOnCheckQuorum() throws {
        var leader = Self.committedLeader(count: 3)
        try leader.requestRead(id: 4).get()
        leader.drain()
        // Node 2's ack counts for the first check; the second check finds nobody.
        for _ in 0..<10 { leader.tick() }
        #expect(leader.role == .leader)
        for _ in 0..<10 { leader.tick() }
        #expect(leader.role == .follower)
        #expect(leader.drain().abortedReads == [4])
    }

    @Test("read waits for first commit in term")
    func waitsForFirstCommit() throws {
        // Entries 1 and 2 are from term 1; the new leader's no-op (3) is not committed yet.
        var leader = makeLeader(term: 1, entries: log(terms: [1, 1]))
        try leader.requestRead(id: 5).get()
        let early = leader.drain()
        #expect(early.readStates.isEmpty)
        #expect(early.messages.compactMap(\.body.heartbeatReadRound).allSatisfy { $0 == 0 })
        // Heartbeat acks alone do not release it: the leader does not know the commit index yet.
        leader.step(message(from: 2, to: 1, term: 2, .heartbeatResponse(readRound: 0)))
        leader.step(message(from: 3, to: 1, term: 2, .heartbeatResponse(readRound: 0)))
        #expect(leader.drain().readStates.isEmpty)

        leader.step(message(from: 2, to: 1, term: 2, .appendResponse(.accepted(matchIndex: 3))))
        #expect(leader.commitIndex == 3)
        let afterCommit = leader.drain()
        #expect(afterCommit.readStates.isEmpty)
        let round = try #require(afterCommit.messages.compactMap(\.body.heartbeatReadRound).max())
        #expect(round > 0)
        leader.step(message(from: 3, to: 1, term: 2, .heartbeatResponse(readRound: round)))
        #expect(leader.drain().readStates == [ReadState(requestID: 5, index: 3)])
    }

    @Test("read waiting for the first commit is aborted when leadership is lost")
    func waitingReadAborted() throws {
        var leader = makeLeader(term: 1, entries: log(terms: [1, 1]))
        try leader.requestRead(id: 6).get()
        leader.step(message(from: 2, to: 1, term: 3, .voteResponse(.refused(.logBehind))))
        #expect(leader.drain().abortedReads == [6])
    }

    @Test("read request on a follower is refused with a leader hint")
    func followerRefusesRead() {
        var net = Network(3)
        net.campaign(1)
        var follower = net[2]
        #expect(throws: ProposalError.notLeader(leaderHint: 1)) { try follower.requestRead(id: 1).get() }
    }

    @Test("single-node leader confirms a read at once")
    func singleNodeRead() throws {
        var node = makeNode(Config(id: 1, members: [1]))
        node.campaignNow()
        try node.requestRead(id: 3).get()
        #expect(node.drain().readStates == [ReadState(requestID: 3, index: 1)])
    }

    @Test("reads through the network are confirmed at the leader's commit index")
    func readsOnNetwork() throws {
        var net = Network(3)
        net.campaign(1)
        _ = net.propose([1], at: 1)
        try net.nodes[1]!.requestRead(id: 11).get()
        net.stabilize()
        #expect(net.readStates[1] == [ReadState(requestID: 11, index: 2)])

        // Leader cut off: the read can never be confirmed, and is aborted when it steps down.
        net.isolated = [1]
        try net.nodes[1]!.requestRead(id: 12).get()
        net.stabilize()
        #expect(net.readStates[1]?.count == 1)
        net.tick(20, only: [1])
        #expect(net[1].role == .follower)
        #expect(net.abortedReads[1] == [12])
    }
}

@Suite("stale-leader-read knob")
struct StaleLeaderReadKnobTests {
    @Test("stale-leader-read knob answers a read at once, with no heartbeat round and before any commit")
    func answersWithoutConfirming() throws {
        var leader = makeLeader(count: 5, bugs: [.staleLeaderRead])
        #expect(leader.commitIndex == 0, "the no-op is not committed yet")
        try leader.requestRead(id: 9).get()
        let batch = leader.drain()
        #expect(batch.readStates == [ReadState(requestID: 9, index: 0)])
        #expect(!batch.messages.contains { $0.body.heartbeatReadRound != nil })
    }

    @Test("without the knob the same read waits for the first commit of the term")
    func correctLeaderWaits() throws {
        var leader = makeLeader(count: 5)
        try leader.requestRead(id: 9).get()
        #expect(leader.drain().readStates.isEmpty)
    }
}
