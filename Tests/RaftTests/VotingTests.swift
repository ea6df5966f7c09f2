import Testing
@testable import Raft

/// RequestVote receiver rules (Figure 2), one at a time, on node 1 of a three-node cluster whose log holds
/// terms [1, 1, 2] and whose current term is 2.
@Suite("RequestVote")
struct VotingTests {
    static func voter(bugs: Set<BugKnob> = [], votedFor: NodeID? = nil) -> RaftNode {
        makeNode(makeConfig(id: 1, count: 3, preVote: false, bugs: bugs),
                 restoring: PersistentState(hardState: HardState(term: 2, votedFor: votedFor),
                                            entries: log(terms: [1, 1, 2])))
    }

    static func voteRequest(from candidate: NodeID, term: Term, lastTerm: Term, lastIndex: LogIndex)
        -> Message {
        message(from: candidate, to: 1, term: term,
                .vote(VoteRequest(lastLogIndex: lastIndex, lastLogTerm: lastTerm)))
    }

    /// The single vote answer in the node's pending output.
    static func answer(_ node: inout RaftNode) -> Bool? {
        let answers = node.drainMessages().compactMap(\.body.voteGranted)
        return answers.count == 1 ? answers[0] : nil
    }

    @Test("does not vote for a candidate whose log is behind",
          arguments: [LogPosition(term: 1, index: 10), LogPosition(term: 2, index: 2),
                      LogPosition(term: 0, index: 0)])
    func refusesCandidateBehind(candidateLast: LogPosition) {
        var node = Self.voter()
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: candidateLast.term,
                                   lastIndex: candidateLast.index))
        #expect(Self.answer(&node) == false)
        #expect(node.votedFor == nil)
        // The higher term is still adopted (rule for all servers).
        #expect(node.term == 3)
    }

    @Test("votes for a candidate whose log is at least as up to date",
          arguments: [LogPosition(term: 2, index: 3), LogPosition(term: 2, index: 7),
                      LogPosition(term: 3, index: 1)])
    func grantsCandidateUpToDate(candidateLast: LogPosition) {
        var node = Self.voter()
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: candidateLast.term,
                                   lastIndex: candidateLast.index))
        #expect(Self.answer(&node) == true)
        #expect(node.votedFor == 2)
        #expect(node.term == 3)
    }

    @Test("votes at most once per term")
    func votesOncePerTerm() {
        var node = Self.voter()
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == true)
        node.step(Self.voteRequest(from: 3, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == false)
        #expect(node.votedFor == 2)
    }

    @Test("a vote cast before a restart still counts in the same term")
    func restoredVoteCounts() {
        var node = Self.voter(votedFor: 3)
        node.step(Self.voteRequest(from: 2, term: 2, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == false)
        #expect(node.votedFor == 3)
    }

    @Test("grants vote to the same candidate again")
    func grantsSameCandidateAgain() {
        var node = Self.voter()
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == true)
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == true)
        #expect(node.votedFor == 2)
    }

    @Test("a new term frees the vote")
    func newTermFreesVote() {
        var node = Self.voter(votedFor: 3)
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == true)
        #expect(node.votedFor == 2)
    }

    @Test("refuses a vote request from a stale term")
    func refusesStaleTerm() {
        var node = Self.voter()
        node.step(Self.voteRequest(from: 2, term: 1, lastTerm: 2, lastIndex: 9))
        let output = node.drainMessages()
        #expect(!output.contains { $0.body.voteGranted == true })
        #expect(node.votedFor == nil)
        #expect(node.term == 2)
    }

    @Test("vote-twice knob grants a second candidate in the same term")
    func voteTwiceKnob() {
        var node = Self.voter(bugs: [.voteTwice])
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == true)
        node.step(Self.voteRequest(from: 3, term: 3, lastTerm: 2, lastIndex: 3))
        #expect(Self.answer(&node) == true)
        #expect(node.votedFor == 3)
    }

    @Test("skip-log-check knob grants a vote to a candidate whose log is behind")
    func skipLogCheckKnob() {
        var node = Self.voter(bugs: [.skipLogCheck])
        node.step(Self.voteRequest(from: 2, term: 3, lastTerm: 1, lastIndex: 1))
        #expect(Self.answer(&node) == true)
        #expect(node.votedFor == 2)
    }

    @Test("granting a vote resets the election timer")
    func grantResetsTimer() {
        let config = makeConfig(id: 1, count: 3, preVote: false)
        let restored = PersistentState(hardState: HardState(term: 1))
        // How long this seed waits before campaigning.
        var probe = makeNode(config, restoring: restored)
        var timeout = 0
        while probe.role == .follower && timeout < 100 {
            probe.tick()
            timeout += 1
        }
        #expect(probe.role == .candidate)

        var node = makeNode(config, restoring: restored)
        for _ in 0..<(timeout - 1) { node.tick() }
        node.step(message(from: 2, to: 1, term: 1, .vote(VoteRequest(lastLogIndex: 0, lastLogTerm: 0))))
        #expect(Self.answer(&node) == true)
        for _ in 0..<(timeout - 1) { node.tick() }
        #expect(node.role == .follower)
        node.tick()
        #expect(node.role == .candidate)
    }
}
