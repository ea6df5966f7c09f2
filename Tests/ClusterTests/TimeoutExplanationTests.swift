import Raft
import Testing
import Wire
@testable import Cluster

/// `timeout N` answers with what the node will do under the current settings.
@Suite("timeout explains itself")
struct TimeoutExplanationTests {
    static func state(_ role: NodeRole, term: Term = 3) -> NodeStateFrame {
        NodeStateFrame(id: 2, role: role, term: term, votedFor: nil, leader: 1, commitIndex: 0,
                       appliedIndex: 0, firstIndex: 1, lastIndex: 0, snapshotIndex: 0, logTail: [], keyCount: 0,
                       sample: [:], followers: [], pace: "100ms/tick", frozen: false)
    }

    static func text(role: NodeRole = .follower, leader: NodeID? = 1, preVote: Bool, checkQuorum: Bool) -> String {
        TimeoutExplanation(node: 2, state: state(role), leader: leader, preVote: preVote,
                           checkQuorum: checkQuorum).text
    }

    @Test("pre-vote on, a live leader: it asks for pre-votes, which the leader's followers refuse")
    func preVoteAgainstLiveLeader() {
        #expect(Self.text(preVote: true, checkQuorum: true)
            == "n2's election timer fired: with pre-vote on it first asks for pre-votes for term 4; nodes "
            + "that heard from leader n1 within an election timeout (its lease) refuse, so n2 stays a "
            + "follower in term 3")
    }

    @Test("pre-vote on, no leader: pre-votes first, then an election")
    func preVoteWithoutLeader() {
        #expect(Self.text(leader: nil, preVote: true, checkQuorum: false)
            == "n2's election timer fired: with pre-vote on it first asks for pre-votes for term 4; if a "
            + "majority grants them, it starts an election in term 4")
    }

    @Test("pre-vote off, check-quorum on: an election the lease refuses, but the leader steps down")
    func electionAgainstLease() {
        let text = Self.text(preVote: false, checkQuorum: true)
        #expect(text.hasPrefix("n2's election timer fired: it starts an election in term 4; nodes in "
            + "leader n1's lease (check-quorum) refuse"))
        #expect(text.contains("n1 steps down when its next heartbeat meets term 4"))
    }

    @Test("pre-vote and check-quorum off: everyone moves to the new term")
    func plainElection() {
        #expect(Self.text(preVote: false, checkQuorum: false).contains(
            "it starts an election in term 4; every node that hears it moves to term 4 (leader n1 steps down)"))
        #expect(Self.text(leader: nil, preVote: false, checkQuorum: false)
            == "n2's election timer fired: it starts an election in term 4 and wins with a majority of nodes "
            + "whose logs are not ahead of its own")
    }

    @Test("a leader does nothing, and says so")
    func leaderDoesNothing() {
        #expect(Self.text(role: .leader, leader: 2, preVote: true, checkQuorum: true)
            == "n2 leads term 3: a leader's election timer does not run, so nothing happens")
    }
}
