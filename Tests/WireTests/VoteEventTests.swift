import Raft
import Testing
import Wire

@Suite("Vote events")
struct VoteEventTests {
    @Test("a vote refused for a leader's lease becomes an event that says so")
    func leaseRefusal() {
        let refusal = Message(from: 3, to: 2, term: 4, body: .preVoteResponse(.refused(.leaderLease(1))))
        let event = NodeEventFrame.explaining(refusal)
        #expect(event?.kind == .election)
        #expect(event?.term == 4)
        #expect(event?.text == "refused n2's pre-vote: it heard from leader n1 within an election timeout "
            + "(the leader's lease)")
        let byLeader = Message(from: 1, to: 2, term: 4, body: .voteResponse(.refused(.leaderLease(1))))
        #expect(NodeEventFrame.explaining(byLeader)?.text
            == "refused n2's vote: it leads and its lease holds (check-quorum)")
    }

    @Test("other answers and messages need no event",
          arguments: [MessageBody.voteResponse(.granted), .voteResponse(.refused(.logBehind)),
                      .preVoteResponse(.refused(.alreadyVoted(for: 3))), .heartbeatResponse(readRound: 0)])
    func noEvent(body: MessageBody) {
        #expect(NodeEventFrame.explaining(Message(from: 3, to: 2, term: 4, body: body)) == nil)
    }
}
