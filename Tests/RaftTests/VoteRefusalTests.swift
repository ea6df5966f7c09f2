import Testing
@testable import Raft

/// Every vote answer says why: one test per refusal reason, and the tally a campaign keeps.
@Suite("Vote refusal reasons")
struct VoteRefusalTests {
    /// Node 2 of three, in `term`, with a log of terms [1, 1, 2].
    static func voter(term: Term = 2, votedFor: NodeID? = nil, preVote: Bool = false,
                      checkQuorum: Bool = true) -> RaftNode {
        makeNode(makeConfig(id: 2, count: 3, preVote: preVote, checkQuorum: checkQuorum),
                 restoring: PersistentState(hardState: HardState(term: term, votedFor: votedFor),
                                            entries: log(terms: [1, 1, 2])))
    }

    static func request(from candidate: NodeID, term: Term, preVote: Bool = false,
                        last: LogPosition = LogPosition(term: 2, index: 3)) -> Message {
        let request = VoteRequest(lastLogIndex: last.index, lastLogTerm: last.term)
        return message(from: candidate, to: 2, term: term, preVote ? .preVote(request) : .vote(request))
    }

    /// Makes `leader` the leader node 2 has just heard from, in node 2's term.
    static func hear(from leader: NodeID, _ voter: inout RaftNode) {
        voter.step(message(from: leader, to: 2, term: voter.term, .heartbeat(commit: 0, readRound: 0)))
        voter.drain()
    }

    @Test("granted: the answer says so")
    func granted() {
        var voter = Self.voter()
        voter.step(Self.request(from: 1, term: 3))
        #expect(voter.drainMessages() == [message(from: 2, to: 1, term: 3, .voteResponse(.granted))])
    }

    @Test("log behind: the candidate's last entry is older than the voter's")
    func logBehind() {
        var voter = Self.voter()
        voter.step(Self.request(from: 1, term: 3, last: LogPosition(term: 1, index: 9)))
        #expect(voter.drainMessages() == [message(from: 2, to: 1, term: 3, .voteResponse(.refused(.logBehind)))])
    }

    @Test("pre-vote, log behind: the same reason")
    func preVoteLogBehind() {
        var voter = Self.voter(preVote: true)
        voter.step(Self.request(from: 1, term: 3, preVote: true, last: LogPosition(term: 2, index: 2)))
        #expect(voter.drainMessages()
            == [message(from: 2, to: 1, term: 2, .preVoteResponse(.refused(.logBehind)))])
    }

    @Test("already voted: names the candidate that has the vote")
    func alreadyVoted() {
        var voter = Self.voter(votedFor: 3)
        voter.step(Self.request(from: 1, term: 2))
        #expect(voter.drainMessages()
            == [message(from: 2, to: 1, term: 2, .voteResponse(.refused(.alreadyVoted(for: 3))))])
        #expect(voter.votedFor == 3)
    }

    @Test("has a leader: a node that follows this term's leader votes for no one else")
    func hasLeader() {
        var voter = Self.voter()
        Self.hear(from: 3, &voter)
        voter.step(Self.request(from: 1, term: 2))
        #expect(voter.drainMessages() == [message(from: 2, to: 1, term: 2, .voteResponse(.refused(.hasLeader(3))))])
    }

    @Test("leader's lease (check-quorum): refused in the voter's own term, which it keeps",
          arguments: [false, true])
    func leaderLease(preVote: Bool) {
        var voter = Self.voter(preVote: preVote)
        Self.hear(from: 3, &voter)
        voter.step(Self.request(from: 1, term: 3, preVote: preVote))
        let refusal = VoteAnswer.refused(.leaderLease(3))
        let body: MessageBody = preVote ? .preVoteResponse(refusal) : .voteResponse(refusal)
        #expect(voter.drainMessages() == [message(from: 2, to: 1, term: 2, body)])
        #expect(voter.term == 2)
        #expect(voter.leader == 3)
    }

    @Test("pre-vote without check-quorum: a leader heard from recently still refuses, with the same reason")
    func preVoteLeaseWithoutCheckQuorum() {
        var voter = Self.voter(preVote: true, checkQuorum: false)
        Self.hear(from: 3, &voter)
        voter.step(Self.request(from: 1, term: 3, preVote: true))
        #expect(voter.drainMessages()
            == [message(from: 2, to: 1, term: 2, .preVoteResponse(.refused(.leaderLease(3))))])
    }

    @Test("stale term: answered in the voter's newer term, and the candidate catches up",
          arguments: [false, true])
    func staleTerm(preVote: Bool) {
        var voter = Self.voter(term: 5, preVote: preVote)
        voter.step(Self.request(from: 1, term: 3, preVote: preVote))
        let refusal = VoteAnswer.refused(.staleTerm)
        let reply = message(from: 2, to: 1, term: 5, preVote ? .preVoteResponse(refusal) : .voteResponse(refusal))
        #expect(voter.drainMessages() == [reply])

        var candidate = makeNode(makeConfig(id: 1, count: 3, preVote: preVote),
                                 restoring: PersistentState(hardState: HardState(term: 2)))
        candidate.campaignNow()
        candidate.drain()
        candidate.step(reply)
        #expect(candidate.role == .follower)
        #expect(candidate.term == 5)
    }

    @Test("a candidate's tally lists who granted, itself first, in the order they answered")
    func tally() {
        var candidate = makeNode(makeConfig(id: 3, count: 5, preVote: false))
        candidate.campaignNow()
        #expect(candidate.votesGranted == [3])
        candidate.step(message(from: 5, to: 3, term: 1, .voteResponse(.granted)))
        candidate.step(message(from: 1, to: 3, term: 1, .voteResponse(.refused(.logBehind))))
        // A duplicated answer is counted once.
        candidate.step(message(from: 5, to: 3, term: 1, .voteResponse(.granted)))
        #expect(candidate.votesGranted == [3, 5])
        #expect(candidate.role == .candidate)
        candidate.step(message(from: 2, to: 3, term: 1, .voteResponse(.granted)))
        #expect(candidate.role == .leader)
        #expect(candidate.votesGranted.isEmpty, "a leader has no campaign")
    }

    @Test("a pre-candidate's tally counts pre-votes and starts over as a candidate")
    func preVoteTally() {
        var node = makeNode(makeConfig(id: 1, count: 5))
        node.campaignNow()
        node.step(message(from: 4, to: 1, term: 1, .preVoteResponse(.granted)))
        #expect(node.role == .preCandidate)
        #expect(node.votesGranted == [1, 4])
        node.step(message(from: 2, to: 1, term: 1, .preVoteResponse(.granted)))
        #expect(node.role == .candidate)
        #expect(node.votesGranted == [1])
    }
}
