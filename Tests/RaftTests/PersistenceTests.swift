import Testing
@testable import Raft

/// Persistent state (Figure 2: currentTerm, votedFor, log[] updated on stable storage before responding).
@Suite("Persistence")
struct PersistenceTests {
    @Test("Ready contains hardState with vote before the vote response message")
    func voteIsDurableWithResponse() throws {
        var voter = makeNode(makeConfig(id: 2, count: 3, preVote: false),
                             restoring: PersistentState(hardState: HardState(term: 1)))
        voter.step(message(from: 1, to: 2, term: 2, .vote(VoteRequest(lastLogIndex: 0, lastLogTerm: 0))))
        let batch = voter.ready()
        // One batch: the application persists hardState first, then sends the response.
        #expect(batch.hardState == HardState(term: 2, votedFor: 1, commit: 0))
        #expect(batch.messages == [message(from: 2, to: 1, term: 2, .voteResponse(.granted))])
        voter.advance(batch)
        #expect(voter.ready().hardState == nil)
        #expect(!voter.hasReady)
    }

    @Test("candidate's Ready carries its new term and self-vote with its vote requests")
    func candidateVoteIsDurable() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false))
        node.campaignNow()
        let batch = node.ready()
        #expect(batch.hardState == HardState(term: 1, votedFor: 1, commit: 0))
        #expect(batch.messages.count == 2)
    }

    @Test("appended entries are handed out for persistence with the acknowledgement, once")
    func entriesDurableWithAck() {
        var follower = makeNode(makeConfig(id: 2, count: 3),
                                restoring: PersistentState(hardState: HardState(term: 1)))
        follower.step(message(from: 1, to: 2, term: 1,
                              .append(AppendRequest(prevLogIndex: 0, prevLogTerm: 0,
                                                    entries: [Entry(term: 1, index: 1)], leaderCommit: 0))))
        let batch = follower.drain()
        #expect(batch.entries == [Entry(term: 1, index: 1)])
        #expect(batch.messages.map(\.body) == [.appendResponse(.accepted(matchIndex: 1))])
        #expect(follower.ready().entries.isEmpty)
    }

    @Test("a node restored from PersistentState keeps term/vote/log")
    func restoreKeepsState() throws {
        var net = Network(3)
        net.campaign(1)
        _ = net.propose([1], at: 1)
        _ = net.propose([2], at: 1)
        let before = net[2]
        #expect(before.votedFor == 1)
        #expect(before.term == 1)
        net.restart(2)
        let after = net[2]
        #expect(after.role == .follower)
        #expect(after.term == before.term)
        #expect(after.votedFor == 1)
        #expect(after.lastIndex == 3)
        #expect(after.entries(from: 1, through: 3) == before.entries(from: 1, through: 3))
        #expect(after.commitIndex == before.commitIndex)
        #expect(after.appliedIndex == 0)

        // The durable vote still binds: no second vote in term 1.
        var voter = after
        voter.step(message(from: 3, to: 2, term: 1, .vote(VoteRequest(lastLogIndex: 3, lastLogTerm: 1))))
        #expect(voter.drainMessages().map(\.body.voteGranted) == [false])

        // And the restarted node re-applies its committed entries.
        net.tick()
        #expect(net.applied[2]?.map(\.index) == [1, 2, 3])
    }

    @Test("restoring clamps the commit index to the log it holds")
    func restoreClampsCommit() {
        let node = makeNode(makeConfig(id: 1, count: 3),
                            restoring: PersistentState(hardState: HardState(term: 1, commit: 9),
                                                       entries: log(terms: [1, 1])))
        #expect(node.commitIndex == 2)
    }

    @Test("forget-vote-on-restart knob drops the vote from the durable hard state")
    func forgetVoteKnob() {
        var net = Network(3, bugs: [.forgetVoteOnRestart])
        net.campaign(1)
        #expect(net[2].votedFor == 1)
        #expect(net.storage[2]?.hardState.votedFor == nil)
        #expect(net.hardStates[2]?.allSatisfy { $0.votedFor == nil } == true)
        net.restart(2)
        #expect(net[2].votedFor == nil)
        // After the restart node 2 votes a second time in term 1.
        var voter = net[2]
        voter.step(message(from: 3, to: 2, term: 1, .vote(VoteRequest(lastLogIndex: 1, lastLogTerm: 1))))
        #expect(voter.drainMessages().map(\.body.voteGranted) == [true])
    }

    @Test("without the knob the durable hard state holds the vote")
    func voteIsPersisted() {
        var net = Network(3)
        net.campaign(1)
        #expect(net.storage[2]?.hardState == HardState(term: 1, votedFor: 1, commit: 1))
    }
}
