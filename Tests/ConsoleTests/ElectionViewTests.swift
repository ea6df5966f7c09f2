import Cluster
import Raft
import Testing
import Wire
@testable import Console

/// Raft explaining itself on screen: a campaign's tally in its pane, a vote reply's answer on its arrow.
@Suite("Election view")
struct ElectionViewTests {
    /// The fixture's cluster with n2 campaigning in term 4 (n2 and n1 granted, n3 and n5 refused).
    static func campaigning(width: Int, height: Int, role: NodeRole = .candidate) -> ConsoleModel {
        var model = Fixtures.model(width: width, height: height)
        model.nodes[1].state?.role = role
        model.nodes[1].state?.term = 4
        model.nodes[1].state?.votes = [2, 1]
        let answers: [(NodeID, VoteReply)] = [(1, .granted), (3, .refused(.leaderLease(1))),
                                              (5, .refused(.logBehind))]
        for (voter, answer) in answers {
            let header = MessageHeader(from: voter, to: 2, type: .voteResponse, term: 4, entryCount: 0)
            model.apply(.message(MessageRecord(header: header, fate: .delivered, timeMs: 100, voteAnswer: answer)))
        }
        return model
    }

    @Test("a candidate's pane shows who voted for it against the quorum it needs")
    func tallyInPane() {
        let text = ConsoleView.render(Self.campaigning(width: 120, height: 40)).text
        #expect(text.contains("votes n2,n1 2/3 needed"))
    }

    @Test("a pre-candidate's tally counts pre-votes")
    func preVoteTallyInPane() {
        let text = ConsoleView.render(Self.campaigning(width: 120, height: 40, role: .preCandidate)).text
        #expect(text.contains("pre-votes n2,n1 2/3 needed"))
    }

    @Test("the compact line shows the tally in place of applied and keys")
    func tallyInCompactLine() {
        let screen = ConsoleView.render(Self.campaigning(width: 80, height: 24))
        let line = screen.line(2)
        #expect(line.contains("n2 CANDIDATE"))
        #expect(line.contains("votes n2,n1 2/3"))
        #expect(!line.contains("keys"))
    }

    @Test("a vote reply's arrow shows ✓, or ✗ and the reason, even between neighbours")
    func answerOnArrow() {
        let text = ConsoleView.render(Self.campaigning(width: 120, height: 40)).text
        #expect(text.contains("VoteResp t4 ✓"))
        #expect(text.contains("VoteResp t4 ✗ log behind"))
        // n3 → n2: too long for the arrow between neighbours, so it stands after the arrow head.
        #expect(text.contains("◀───────────────• VoteResp t4 ✗ lease n1"))
    }

    @Test("a follower's pane has no tally")
    func noTallyForFollowers() {
        var model = Self.campaigning(width: 120, height: 40)
        model.nodes[1].state?.role = .follower
        #expect(!ConsoleView.render(model).text.contains("votes n2"))
    }
}
