import Testing
@testable import Raft

/// Pre-vote (thesis §9.6) and check-quorum / leader lease (thesis §6.2, §4.2.3).
@Suite("Pre-vote")
struct PreVoteTests {
    static func preVoteRequest(from: NodeID, to: NodeID, term: Term, lastTerm: Term = 0,
                               lastIndex: LogIndex = 0) -> Message {
        message(from: from, to: to, term: term,
                .preVote(VoteRequest(lastLogIndex: lastIndex, lastLogTerm: lastTerm)))
    }

    @Test("pre-vote does not increment the term")
    func preVoteKeepsTerm() {
        var node = makeNode(makeConfig(id: 1, count: 3),
                            restoring: PersistentState(hardState: HardState(term: 3, votedFor: 2),
                                                       entries: log(terms: [1, 3])))
        node.campaignNow()
        #expect(node.role == .preCandidate)
        #expect(node.term == 3)
        #expect(node.votedFor == 2)
        let batch = node.drain()
        // Nothing durable changed.
        #expect(batch.hardState == nil)
        // The requests name the term it would campaign in.
        #expect(batch.messages.map(\.to).sorted() == [2, 3])
        #expect(batch.messages.allSatisfy {
            $0.term == 4 && $0.body == .preVote(VoteRequest(lastLogIndex: 2, lastLogTerm: 3))
        })
    }

    @Test("pre-vote request does not change the voter's term or vote")
    func preVoteLeavesVoterAlone() {
        var voter = makeNode(makeConfig(id: 2, count: 3),
                             restoring: PersistentState(hardState: HardState(term: 3, votedFor: 3)))
        voter.step(Self.preVoteRequest(from: 1, to: 2, term: 4))
        #expect(voter.term == 3)
        #expect(voter.votedFor == 3)
        let batch = voter.drain()
        #expect(batch.hardState == nil)
        // Granted in the term asked about, so the pre-candidate can count it.
        #expect(batch.messages == [message(from: 2, to: 1, term: 4, .preVoteResponse(.granted))])
    }

    @Test("pre-vote is refused to a node whose log is behind")
    func preVoteChecksLog() {
        var voter = makeNode(makeConfig(id: 2, count: 3),
                             restoring: PersistentState(hardState: HardState(term: 3),
                                                        entries: log(terms: [1, 3])))
        voter.step(Self.preVoteRequest(from: 1, to: 2, term: 4, lastTerm: 2, lastIndex: 5))
        #expect(voter.drainMessages().map(\.body.preVoteGranted) == [false])
    }

    @Test("pre-candidate with a majority of pre-votes becomes a candidate in the next term")
    func preVoteWins() {
        var node = makeNode(makeConfig(id: 1, count: 3),
                            restoring: PersistentState(hardState: HardState(term: 3)))
        node.campaignNow()
        node.drain()
        node.step(message(from: 2, to: 1, term: 4, .preVoteResponse(.granted)))
        #expect(node.role == .candidate)
        #expect(node.term == 4)
        #expect(node.votedFor == 1)
        let batch = node.drain()
        #expect(batch.hardState?.term == 4)
        #expect(batch.messages.filter { $0.term == 4 && $0.body == .vote(VoteRequest(lastLogIndex: 0, lastLogTerm: 0)) }
            .map(\.to).sorted() == [2, 3])
    }

    @Test("pre-candidate refused by a majority returns to follower in the same term")
    func preVoteLoses() {
        var node = makeNode(makeConfig(id: 1, count: 3),
                            restoring: PersistentState(hardState: HardState(term: 3)))
        node.campaignNow()
        node.step(message(from: 2, to: 1, term: 3, .preVoteResponse(.refused(.logBehind))))
        node.step(message(from: 3, to: 1, term: 3, .preVoteResponse(.refused(.logBehind))))
        #expect(node.role == .follower)
        #expect(node.term == 3)
    }

    @Test("pre-vote refused while a leader is heard from")
    func preVoteRefusedWithLeader() {
        // Check-quorum off, so the refusal is an explicit answer rather than silence.
        var voter = makeNode(makeConfig(id: 2, count: 3, checkQuorum: false, electionTicks: 10),
                             restoring: PersistentState(hardState: HardState(term: 1)))
        voter.step(message(from: 1, to: 2, term: 1, .heartbeat(commit: 0, readRound: 0)))
        voter.drain()
        voter.step(Self.preVoteRequest(from: 3, to: 2, term: 2))
        // Refused in the voter's own term.
        #expect(voter.drainMessages() == [message(from: 2, to: 3, term: 1, .preVoteResponse(.refused(.leaderLease(1))))])
        #expect(voter.term == 1)
        // After an election timeout without the leader, the same request is granted.
        for _ in 0..<10 { voter.tick() }
        voter.drain()
        voter.step(Self.preVoteRequest(from: 3, to: 2, term: 2))
        #expect(voter.drainMessages().map(\.body.preVoteGranted) == [true])
    }

    @Test("a partitioned node with pre-vote does not disrupt the cluster when it rejoins")
    func partitionedNodeRejoins() {
        var net = Network(3)
        net.campaign(1)
        #expect(net.leaders == [1])
        net.isolated = [3]
        net.tick(60)
        // Node 3 kept asking, but never moved its term.
        #expect(net[3].term == 1)
        net.isolated = []
        net.tick(30)
        #expect(net.leaders == [1])
        #expect(net.ids.allSatisfy { net[$0].term == 1 })
        #expect(net[3].leader == 1)
    }

    @Test("without pre-vote or check-quorum, a rejoining partitioned node forces a new term")
    func partitionedNodeDisruptsWithoutPreVote() {
        var net = Network(3, preVote: false, checkQuorum: false)
        net.campaign(1)
        #expect(net.leaders == [1])
        net.isolated = [3]
        net.tick(60)
        #expect(net[3].term > 1)
        net.isolated = []
        net.tick(30)
        #expect(net[1].term > 1)
        #expect(net.leaders.count == 1)
    }
}

@Suite("Check-quorum")
struct CheckQuorumTests {
    @Test("leader steps down without hearing from a majority within an election timeout")
    func leaderStepsDown() {
        var leader = makeLeader()  // electionTicks 10
        for _ in 0..<9 { leader.tick() }
        #expect(leader.role == .leader)
        leader.tick()
        #expect(leader.role == .follower)
        #expect(leader.term == 1)
        #expect(leader.leader == nil)
    }

    @Test("leader that hears from a majority within each election timeout stays leader")
    func leaderStaysWithQuorum() {
        var leader = makeLeader()
        for round in 0..<5 {
            for _ in 0..<5 { leader.tick() }
            leader.step(message(from: 2, to: 1, term: 1, .heartbeatResponse(readRound: 0)))
            for _ in 0..<5 { leader.tick() }
            #expect(leader.role == .leader, "round \(round)")
        }
        // Then silence for a whole timeout.
        for _ in 0..<10 { leader.tick() }
        #expect(leader.role == .follower)
    }

    @Test("with checkQuorum off, a leader that hears from nobody stays leader")
    func checkQuorumOff() {
        var leader = makeLeader(checkQuorum: false)
        for _ in 0..<200 { leader.tick() }
        #expect(leader.role == .leader)
    }

    @Test("an isolated leader steps down and the majority elects a new one")
    func isolatedLeaderOnNetwork() throws {
        var net = Network(3)
        net.campaign(1)
        net.isolated = [1]
        net.tick(40)
        #expect(net[1].role != .leader)
        #expect(net.leaders.count == 1)
        let newLeader = try #require(net.leaders.first)
        #expect(newLeader != 1)
        #expect(net[newLeader].term > 1)
    }

    @Test("with check-quorum, a node that heard from a leader refuses a higher-term vote request")
    func leaseIgnoresVotes() {
        var voter = makeNode(makeConfig(id: 2, count: 3, preVote: false),
                             restoring: PersistentState(hardState: HardState(term: 1)))
        voter.step(message(from: 1, to: 2, term: 1, .heartbeat(commit: 0, readRound: 0)))
        voter.drain()
        voter.step(message(from: 3, to: 2, term: 2, .vote(VoteRequest(lastLogIndex: 5, lastLogTerm: 1))))
        #expect(voter.term == 1)
        #expect(voter.votedFor == nil)
        #expect(voter.leader == 1)
        // Refused in its own term, which the candidate (already in term 2) drops unread.
        #expect(voter.drainMessages()
            == [message(from: 2, to: 3, term: 1, .voteResponse(.refused(.leaderLease(1))))])
    }

    @Test("without check-quorum, a higher-term vote request is answered even with a leader")
    func noLeaseWithoutCheckQuorum() {
        var voter = makeNode(makeConfig(id: 2, count: 3, preVote: false, checkQuorum: false),
                             restoring: PersistentState(hardState: HardState(term: 1)))
        voter.step(message(from: 1, to: 2, term: 1, .heartbeat(commit: 0, readRound: 0)))
        voter.drain()
        voter.step(message(from: 3, to: 2, term: 2, .vote(VoteRequest(lastLogIndex: 5, lastLogTerm: 1))))
        #expect(voter.term == 2)
        #expect(voter.votedFor == 3)
        #expect(voter.drainMessages().map(\.body.voteGranted) == [true])
    }

    @Test("a deposed leader learns the newer term from a follower's answer to its append")
    func stalLeaderLearnsTerm() {
        // Node 2 moved to term 3 while node 1 still leads term 1.
        var follower = makeNode(makeConfig(id: 2, count: 3),
                                restoring: PersistentState(hardState: HardState(term: 3)))
        var leader = makeLeader()
        leader.tick()
        for heartbeat in leader.drainMessages() where heartbeat.to == 2 {
            follower.step(heartbeat)
        }
        for reply in follower.drainMessages() {
            leader.step(reply)
        }
        #expect(leader.role == .follower)
        #expect(leader.term == 3)
    }
}
