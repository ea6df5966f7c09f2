import Testing
@testable import Raft

/// Rules for followers, candidates and leaders around elections (Figure 2, "Rules for Servers").
@Suite("Elections")
struct ElectionTests {
    @Test("election timeout is randomized within [election, 2*election)")
    func randomizedTimeout() {
        var timeouts: Set<Int> = []
        for seed in UInt64(0)..<200 {
            var config = makeConfig(id: 1, count: 3, electionTicks: 10)
            config.randomSeed = seed
            var node = makeNode(config)
            var ticks = 0
            while node.role == .follower && ticks < 100 {
                node.tick()
                ticks += 1
            }
            #expect((10..<20).contains(ticks), "seed \(seed) campaigned after \(ticks) ticks")
            timeouts.insert(ticks)
        }
        // Randomized: many different timeouts, not one fixed value.
        #expect(timeouts.count >= 8)
    }

    @Test("the same seed replays the same election timeout")
    func seededTimeout() {
        func timeout(seed: UInt64) -> Int {
            var config = makeConfig(id: 1, count: 3)
            config.randomSeed = seed
            var node = makeNode(config)
            var ticks = 0
            while node.role == .follower && ticks < 100 {
                node.tick()
                ticks += 1
            }
            return ticks
        }
        for seed in UInt64(0)..<20 {
            #expect(timeout(seed: seed) == timeout(seed: seed))
        }
    }

    @Test("follower becomes a candidate when the election timeout elapses")
    func followerTimesOut() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false, electionTicks: 10))
        for _ in 0..<9 { node.tick() }
        #expect(node.role == .follower)
        for _ in 0..<10 { node.tick() }
        #expect(node.role == .candidate)
    }

    @Test("a follower that hears from the leader does not start an election")
    func heartbeatsKeepFollower() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false),
                            restoring: PersistentState(hardState: HardState(term: 1)))
        for _ in 0..<100 {
            node.tick()
            node.step(message(from: 2, to: 1, term: 1, .heartbeat(commit: 0, readRound: 0)))
        }
        #expect(node.role == .follower)
        #expect(node.leader == 2)
        #expect(node.term == 1)
    }

    @Test("candidate increments its term, votes for itself and requests votes from every peer")
    func candidateStartsElection() throws {
        var node = makeNode(makeConfig(id: 1, count: 5, preVote: false),
                            restoring: PersistentState(hardState: HardState(term: 4),
                                                       entries: log(terms: [1, 3, 4])))
        node.campaignNow()
        #expect(node.role == .candidate)
        #expect(node.term == 5)
        #expect(node.votedFor == 1)
        let batch = node.drain()
        #expect(batch.hardState == HardState(term: 5, votedFor: 1, commit: 0))
        let requests = batch.messages.filter { $0.body == .vote(VoteRequest(lastLogIndex: 3, lastLogTerm: 4)) }
        #expect(requests.map(\.to).sorted() == [2, 3, 4, 5])
        #expect(requests.allSatisfy { $0.term == 5 })
    }

    @Test("candidate with a majority of votes becomes leader")
    func majorityWins() {
        var node = makeNode(makeConfig(id: 1, count: 5, preVote: false))
        node.campaignNow()
        node.step(message(from: 2, to: 1, term: 1, .voteResponse(.granted)))
        #expect(node.role == .candidate)
        node.step(message(from: 3, to: 1, term: 1, .voteResponse(.refused(.logBehind))))
        #expect(node.role == .candidate)
        node.step(message(from: 4, to: 1, term: 1, .voteResponse(.granted)))
        #expect(node.role == .leader)
        #expect(node.leader == 1)
        #expect(node.term == 1)
    }

    @Test("a vote counts once however often it arrives")
    func duplicateVotesCountOnce() {
        var node = makeNode(makeConfig(id: 1, count: 5, preVote: false))
        node.campaignNow()
        for _ in 0..<3 {
            node.step(message(from: 2, to: 1, term: 1, .voteResponse(.granted)))
        }
        #expect(node.role == .candidate)
    }

    @Test("candidate refused by a majority returns to follower")
    func majorityRefuses() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false))
        node.campaignNow()
        node.step(message(from: 2, to: 1, term: 1, .voteResponse(.refused(.logBehind))))
        #expect(node.role == .candidate)
        node.step(message(from: 3, to: 1, term: 1, .voteResponse(.refused(.logBehind))))
        #expect(node.role == .follower)
        #expect(node.term == 1)
    }

    @Test("single-node cluster elects itself at once")
    func singleNode() {
        var node = makeNode(Config(id: 1, members: [1]))
        node.campaignNow()
        #expect(node.role == .leader)
        #expect(node.commitIndex == 1)
    }

    @Test("candidate steps down on append from a leader of the same term")
    func candidateStepsDownOnAppend() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false))
        node.campaignNow()
        #expect(node.role == .candidate)
        node.drain()
        node.step(message(from: 2, to: 1, term: 1,
                          .append(AppendRequest(prevLogIndex: 0, prevLogTerm: 0,
                                                entries: [Entry(term: 1, index: 1, kind: .noop)],
                                                leaderCommit: 0))))
        #expect(node.role == .follower)
        #expect(node.leader == 2)
        #expect(node.term == 1)
        #expect(node.lastIndex == 1)
        #expect(node.drainMessages().map(\.body) == [.appendResponse(.accepted(matchIndex: 1))])
    }

    @Test("candidate starts a new election when its election timeout elapses")
    func candidateRetries() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false, electionTicks: 10))
        node.campaignNow()
        #expect(node.term == 1)
        for _ in 0..<19 { node.tick() }
        #expect(node.role == .candidate)
        #expect(node.term == 2)
        #expect(node.votedFor == 1)
    }

    @Test("leader appends a no-op entry on election")
    func leaderAppendsNoop() throws {
        let node = makeLeader(term: 2, entries: log(terms: [1, 2]))
        #expect(node.term == 3)
        #expect(node.lastIndex == 3)
        let noop = try #require(node.entries(from: 3, through: 3).first)
        #expect(noop.kind == .noop)
        #expect(noop.term == 3)
        #expect(noop.data.isEmpty)
    }

    @Test("leader sends AppendEntries to every peer on election")
    func leaderAnnouncesItself() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false),
                            restoring: PersistentState(hardState: HardState(term: 2),
                                                       entries: log(terms: [1, 2])))
        node.campaignNow()
        node.drain()
        node.step(message(from: 2, to: 1, term: 3, .voteResponse(.granted)))
        #expect(node.role == .leader)
        let messages = node.drainMessages()
        for peer in [2, 3] {
            let appends = messages.appends(to: peer)
            #expect(appends.count == 1)
            #expect(appends.first?.prevLogIndex == 2)
            #expect(appends.first?.prevLogTerm == 2)
            #expect(appends.first?.entries.map(\.kind) == [.noop])
        }
    }

    static let higherTermBodies: [MessageBody] = [
        .vote(VoteRequest(lastLogIndex: 10, lastLogTerm: 4)),
        .voteResponse(.refused(.logBehind)),
        .preVoteResponse(.refused(.logBehind)),
        .append(AppendRequest(prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0)),
        .appendResponse(.accepted(matchIndex: 0)),
        .appendResponse(.rejected(rejectedIndex: 0, hintIndex: 0, hintTerm: 0)),
        .heartbeat(commit: 0, readRound: 0),
        .heartbeatResponse(readRound: 0),
        .installSnapshot(Snapshot(position: LogPosition(term: 4, index: 5), data: [])),
    ]

    @Test("a higher term in any message turns a leader into a follower", arguments: higherTermBodies)
    func higherTermDeposesLeader(body: MessageBody) {
        // Check-quorum off: with it on, a leader ignores vote requests while its lease holds.
        var node = makeLeader(checkQuorum: false)
        #expect(node.role == .leader)
        node.step(message(from: 2, to: 1, term: 5, body))
        #expect(node.role == .follower)
        #expect(node.term == 5)
        if case .vote = body {
            #expect(node.votedFor == 2)  // it then votes in the new term: the candidate's log is ahead
        } else {
            #expect(node.votedFor == nil)
        }
        #expect(node.progress.isEmpty)
        switch body {
        case .append, .heartbeat, .installSnapshot: #expect(node.leader == 2)
        default: #expect(node.leader == nil)
        }
    }

    @Test("a higher term turns a candidate into a follower")
    func higherTermStopsCandidate() {
        var node = makeNode(makeConfig(id: 1, count: 3, preVote: false))
        node.campaignNow()
        node.step(message(from: 2, to: 1, term: 4, .voteResponse(.refused(.logBehind))))
        #expect(node.role == .follower)
        #expect(node.term == 4)
        #expect(node.votedFor == nil)
    }

    @Test("a leader ignores an append from another node in its own term")
    func leaderIgnoresSameTermAppend() {
        var node = makeLeader()
        node.step(message(from: 2, to: 1, term: 1,
                          .append(AppendRequest(prevLogIndex: 0, prevLogTerm: 0,
                                                entries: [Entry(term: 1, index: 1, data: [9])],
                                                leaderCommit: 1))))
        #expect(node.role == .leader)
        #expect(node.entries(from: 1, through: 1).first?.kind == .noop)
        #expect(node.commitIndex == 0)
    }
}
