import Raft
@testable import Replica
import Services
import Testing

// MARK: Building loops

private func makeDriver(id: NodeID = 1, members: [NodeID] = [1], bugs: Set<BugKnob> = [],
                        snapshotEvery: Int = 1_000,
                        maximumPending: Int = ReplicaSettings.defaultMaximumPending) throws -> ReplicaDriver<RaftNode> {
    var config = Config(id: id, members: members)
    config.preVote = false
    config.heartbeatTicks = 1
    config.electionTicks = 10
    config.randomSeed = UInt64(id)
    config.bugs = bugs
    let core = try RaftNode(config: config)
    let settings = ReplicaSettings(tickMs: 10, heartbeatTicks: 2, snapshotEvery: snapshotEvery, bugs: bugs,
                                   maximumPendingWrites: maximumPending, maximumPendingReads: maximumPending)
    return try ReplicaDriver(core: core, restoring: PersistentState(), settings: settings)
}

/// A one-node cluster's leader: it elects itself, and its no-op is committed and applied.
private func makeSoloLeader(bugs: Set<BugKnob> = []) throws -> ReplicaDriver<RaftNode> {
    var driver = try makeDriver(bugs: bugs)
    driver.campaignNow()
    _ = driver.process()
    precondition(driver.core.isLeader, "test setup: the solo node did not lead")
    return driver
}

/// Node 1 of three, leading term 1 with its no-op committed (node 2 acknowledged it).
private func makeLeaderOfThree(
    maximumPending: Int = ReplicaSettings.defaultMaximumPending
) throws -> ReplicaDriver<RaftNode> {
    var driver = try makeDriver(members: [1, 2, 3], maximumPending: maximumPending)
    driver.campaignNow()
    _ = driver.process()
    driver.step(Message(from: 2, to: 1, term: 1, body: .voteResponse(.granted)))
    let elected = driver.process()
    let lastIndex = elected.persistedEntries.last?.index ?? 0
    driver.step(Message(from: 2, to: 1, term: 1, body: .appendResponse(.accepted(matchIndex: lastIndex))))
    _ = driver.process()
    precondition(driver.core.isLeader && driver.core.commitIndex == lastIndex, "test setup: no committed leader")
    return driver
}

private func put(_ key: String, _ value: String, id: UInt64, sequence: UInt64, client: UInt64 = 7) -> ClientRequest {
    ClientRequest(requestID: id, session: ClientSession(clientID: client, sequence: sequence),
                  operation: .write(.put(key: key, value: value)))
}

extension ReplicaEffects {
    var replies: [ClientReply] {
        actions.compactMap { if case .reply(let reply) = $0 { reply } else { nil } }
    }

    var persistedEntries: [Entry] {
        actions.flatMap { action -> [Entry] in
            if case .persist(let batch, _) = action { batch.entries } else { [] }
        }
    }

    /// The position of the first action matching `predicate`.
    func position(of predicate: (ReplicaAction) -> Bool) -> Int? { actions.firstIndex(where: predicate) }
}

private func isPersist(_ action: ReplicaAction) -> Bool {
    if case .persist = action { return true }
    return false
}

// MARK: Tests

@Suite("The node loop")
struct ReplicaDriverTests {
    @Test("a vote is sent only after the term and vote it promises are persisted")
    func votePersistedBeforeSent() throws {
        var follower = try makeDriver(id: 2, members: [1, 2, 3])
        follower.step(Message(from: 1, to: 2, term: 1, body: .vote(VoteRequest(lastLogIndex: 0, lastLogTerm: 0))))
        let effects = follower.process()
        let persist = try #require(effects.position(of: isPersist))
        let send = try #require(effects.position { if case .send = $0 { true } else { false } })
        #expect(persist < send)
        #expect(effects.position { if case .sendEarly = $0 { true } else { false } } == nil)
        guard case .persist(let batch, let sync) = effects.actions[persist] else { return }
        #expect(batch.hardState?.votedFor == 1)
        #expect(sync, "a new vote must survive power loss")
    }

    @Test("a leader's appends go out before its own persist, and are flushed at once")
    func leaderSendsEarly() throws {
        var leader = try makeLeaderOfThree()
        leader.receive(put("x", "1", id: 1, sequence: 1))
        let effects = leader.process()
        let early = try #require(effects.position { if case .sendEarly = $0 { true } else { false } })
        let persist = try #require(effects.position(of: isPersist))
        #expect(early < persist)
        guard case .sendEarly(let messages) = effects.actions[early] else { return }
        #expect(messages.allSatisfy { $0.body.entryCount == 1 || $0.body.name == "Heartbeat" })
        #expect(effects.replies.isEmpty, "not committed: no majority has it on disk yet")
    }

    @Test("a batch that only moves the commit index is persisted without fsync")
    func commitOnlyBatchNotSynced() throws {
        var follower = try makeDriver(id: 2, members: [1, 2, 3])
        let entry = Entry(term: 1, index: 1, kind: .noop)
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(
            prevLogIndex: 0, prevLogTerm: 0, entries: [entry], leaderCommit: 0))))
        let appended = follower.process()
        guard case .persist(_, let entriesSynced)? = appended.actions.first(where: isPersist) else {
            Issue.record("no persist for the appended entry")
            return
        }
        #expect(entriesSynced)
        follower.step(Message(from: 1, to: 2, term: 1, body: .heartbeat(commit: 1, readRound: 0)))
        let committed = follower.process()
        guard case .persist(let batch, let sync)? = committed.actions.first(where: isPersist) else {
            Issue.record("the new commit index was not written")
            return
        }
        #expect(batch.entries.isEmpty && batch.hardState?.commit == 1)
        #expect(!sync)
    }

    @Test("a retried write (same session and sequence) applies once and gets the first answer")
    func retriedWriteAppliesOnce() throws {
        var leader = try makeSoloLeader()
        leader.receive(put("x", "a", id: 1, sequence: 1))
        leader.receive(put("x", "b", id: 2, sequence: 2))
        leader.receive(put("x", "b", id: 3, sequence: 2))
        leader.receive(put("x", "a", id: 4, sequence: 1))
        let replies = leader.process().replies
        #expect(replies.map(\.requestID) == [1, 2, 3, 4])
        guard replies.count == 4 else { return }
        // Applied twice, the retry would have replaced "b" (its own value) rather than "a".
        if case .ok("a", _) = replies[2].outcome {} else { Issue.record("retry answered \(replies[2].outcome)") }
        // An older sequence than the client's latest: its answer is no longer kept.
        if case .unknown = replies[3].outcome {} else { Issue.record("stale retry answered \(replies[3].outcome)") }
        #expect(leader.services.value(of: "x") == "b")
    }

    @Test("an entry refused when applied (a stale fence, a failed cas) is remembered with its reason")
    func refusedEntriesAreRemembered() throws {
        var leader = try makeSoloLeader()
        func write(_ change: KVOperation, id: UInt64) -> ClientRequest {
            ClientRequest(requestID: id, session: ClientSession(clientID: 7, sequence: id), operation: .write(change))
        }
        let first = leader.core.lastIndex + 1
        leader.receive(write(.put(key: "balance", value: "100", fence: 2), id: 1))
        leader.receive(write(.put(key: "balance", value: "0", fence: 1), id: 2))
        leader.receive(write(.compareAndSwap(key: "balance", expected: "5", new: "6"), id: 3))
        _ = leader.process()
        #expect(leader.refusal(at: first) == nil, "the first fenced put took effect")
        #expect(leader.refusal(at: first + 1) == "refused: fence below 2")
        #expect(leader.refusal(at: first + 2) == "cas failed")
        #expect(leader.services.value(of: "balance") == "100")
    }

    @Test("with session-forgets the same retry applies again")
    func sessionForgetsAppliesTwice() throws {
        var leader = try makeSoloLeader(bugs: [.sessionForgets])
        leader.receive(put("x", "a", id: 1, sequence: 1))
        leader.receive(put("x", "b", id: 2, sequence: 2))
        leader.receive(put("x", "b", id: 3, sequence: 2))
        let replies = leader.process().replies
        #expect(replies.count == 3)
        guard replies.count == 3 else { return }
        if case .ok("b", _) = replies[2].outcome {} else { Issue.record("retry answered \(replies[2].outcome)") }
    }

    @Test("a linearizable read waits for its ReadIndex round, then for the services to apply")
    func readWaitsForReadIndex() throws {
        var leader = try makeLeaderOfThree()
        leader.receive(ClientRequest(requestID: 9, session: nil, operation: .read(key: "x")))
        let asked = leader.process()
        #expect(asked.replies.isEmpty, "answered before a quorum confirmed the leadership")
        let round = asked.actions.lazy.compactMap { action -> Int? in
            guard case .sendEarly(let messages) = action, case .heartbeat(_, let round)? = messages.first?.body
            else { return nil }
            return round
        }.first
        let readRound = try #require(round)
        leader.step(Message(from: 3, to: 1, term: 1, body: .heartbeatResponse(readRound: readRound)))
        let confirmed = leader.process()
        #expect(confirmed.replies.map(\.requestID) == [9])
        #expect(confirmed.actions.contains { if case .readConfirmed(9, _) = $0 { true } else { false } })
    }

    @Test("a follower refuses a linearizable read with the leader's hint")
    func followerRefusesRead() throws {
        var follower = try makeDriver(id: 2, members: [1, 2, 3])
        follower.step(Message(from: 1, to: 2, term: 1, body: .heartbeat(commit: 0, readRound: 0)))
        follower.receive(ClientRequest(requestID: 4, session: nil, operation: .read(key: "x")))
        #expect(follower.process().replies == [ClientReply(requestID: 4, outcome: .notLeader(leaderHint: 1))])
    }

    @Test("the leader proposes clock entries only while a lease exists")
    func clockOnlyWhileLeased() throws {
        var leader = try makeSoloLeader()
        let idle = leader.core.lastIndex
        for _ in 0..<20 { leader.tick(); _ = leader.process() }
        #expect(leader.core.lastIndex == idle, "an idle log stays quiet")
        #expect(leader.services.nowMs == 0)
        leader.receive(ClientRequest(requestID: 1, session: ClientSession(clientID: 3, sequence: 1),
                                     operation: .service(.lock(.acquire(lock: "L", client: 3, ttlMs: 10_000)))))
        _ = leader.process()
        for _ in 0..<20 { leader.tick(); _ = leader.process() }
        #expect(leader.core.lastIndex > idle + 1)
        #expect(leader.services.nowMs >= 300, "20 ticks of 10 ms, less the first heartbeat")
    }

    @Test("a new leader continues the replicated service time, not its own clock")
    func newLeaderContinuesReplicatedTime() throws {
        var fixed = try makeDriver()
        var buggy = try makeDriver(bugs: [.leaseLocalClock])
        for _ in 0..<50 {
            fixed.tick()
            buggy.tick()
        }
        fixed.campaignNow()
        buggy.campaignNow()
        _ = fixed.process()
        _ = buggy.process()
        #expect(fixed.serviceClockMs == 0, "the replicated time is still 0")
        #expect(buggy.serviceClockMs == 500, "lease-local-clock keeps the node's own 50 ticks")
    }

    @Test("snapshots of the services are stored after the entries they cover")
    func snapshotStoredAfterPersist() throws {
        var leader = try makeSoloLeader()
        var effects = ReplicaEffects()
        for sequence in UInt64(1)...3 {
            leader.receive(put("k\(sequence)", "v", id: sequence, sequence: sequence))
        }
        effects = leader.process()
        #expect(!effects.actions.contains { if case .storeSnapshot = $0 { true } else { false } })
        var small = try makeDriver(snapshotEvery: 2)
        small.campaignNow()
        _ = small.process()
        small.receive(put("x", "1", id: 1, sequence: 1))
        effects = small.process()
        let stored = try #require(effects.position { if case .storeSnapshot = $0 { true } else { false } })
        let persisted = try #require(effects.position(of: isPersist))
        #expect(persisted < stored)
        guard case .storeSnapshot(let snapshot) = effects.actions[stored] else { return }
        #expect(try ServiceState(snapshotData: snapshot.data).value(of: "x") == "1")
    }
}

@Suite("The node loop's limits")
struct ReplicaLimitTests {
    private func read(_ key: String, id: UInt64) -> ClientRequest {
        ClientRequest(requestID: id, session: nil, operation: .read(key: key))
    }

    /// The read rounds of the heartbeats a leader sent, for acknowledging them.
    private func readRounds(in effects: ReplicaEffects) -> [Int] {
        let sent = effects.actions.flatMap { action -> [Message] in
            switch action {
            case .sendEarly(let messages), .send(let messages): messages
            default: []
            }
        }
        let rounds = sent.compactMap { message -> Int? in
            guard case .heartbeat(_, let round) = message.body, round > 0 else { return nil }
            return round
        }
        return Array(Set(rounds)).sorted()
    }

    @Test("at the write limit a new write is refused at once as busy, proposes nothing, and is taken again once one applies")
    func writesRefusedAtLimit() throws {
        var leader = try makeLeaderOfThree(maximumPending: 2)
        leader.receive(put("x", "1", id: 1, sequence: 1))
        leader.receive(put("x", "2", id: 2, sequence: 2))
        let proposed = leader.process()
        #expect(proposed.replies.isEmpty, "not committed yet")
        #expect(proposed.persistedEntries.count == 2)

        leader.receive(put("x", "3", id: 3, sequence: 3))
        let refused = leader.process()
        #expect(refused.replies == [ClientReply(requestID: 3, outcome: .failed(reason: "node busy: 2 writes pending"))])
        #expect(refused.persistedEntries.isEmpty, "a refused write must not enter the log")

        let lastIndex = try #require(proposed.persistedEntries.last?.index)
        leader.step(Message(from: 2, to: 1, term: 1, body: .appendResponse(.accepted(matchIndex: lastIndex))))
        let applied = leader.process()
        #expect(applied.replies.map(\.requestID) == [1, 2])
        #expect(leader.services.value(of: "x") == "2", "the refused write never applied")

        leader.receive(put("x", "4", id: 4, sequence: 4))
        let takenAgain = leader.process()
        #expect(takenAgain.replies.isEmpty)
        #expect(takenAgain.persistedEntries.count == 1)
    }

    @Test("at the read limit a new linearizable read is refused at once as busy; stale reads still answer")
    func readsRefusedAtLimit() throws {
        var leader = try makeLeaderOfThree(maximumPending: 2)
        leader.receive(read("x", id: 1))
        leader.receive(read("y", id: 2))
        let asked = leader.process()
        #expect(asked.replies.isEmpty)

        leader.receive(read("z", id: 3))
        leader.receive(ClientRequest(requestID: 4, session: nil, operation: .staleRead(key: "z")))
        let refused = leader.process()
        #expect(refused.replies.map(\.requestID) == [3, 4])
        #expect(refused.replies.first?.outcome == .failed(reason: "node busy: 2 reads pending"))

        // Each read has its own round: acknowledge every round the leader sent.
        var answered: [UInt64] = []
        for round in readRounds(in: asked) + readRounds(in: refused) {
            leader.step(Message(from: 3, to: 1, term: 1, body: .heartbeatResponse(readRound: round)))
            answered += leader.process().replies.map(\.requestID)
        }
        #expect(answered == [1, 2])

        leader.receive(read("z", id: 5))
        #expect(leader.process().replies.isEmpty, "a slot is free again: the read waits for its round")
    }
}
