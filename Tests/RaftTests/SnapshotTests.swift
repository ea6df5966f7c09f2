import Testing
@testable import Raft

/// Log compaction and InstallSnapshot (§7).
@Suite("Snapshots")
struct SnapshotTests {
    @Test("leader sends InstallSnapshot to a follower behind the compaction point")
    func leaderSendsSnapshot() throws {
        var net = Network(3)
        net.campaign(1)
        net.isolated = [3]
        for value in UInt8(1)...5 { _ = net.propose([value], at: 1) }
        #expect(net[1].commitIndex == 6)
        #expect(net[1].appliedIndex == 6)
        net.compact(1, through: 6)
        let snapshot = try #require(net[1].snapshot)
        #expect(snapshot.position == LogPosition(term: 1, index: 6))
        #expect(net[1].term(at: 5) == nil)

        net.isolated = []
        let mark = net.delivered.count
        net.tick(1, only: [1])
        let sent = net.deliveredMessages(since: mark) { $0.to == 3 && $0.body.isSnapshot }
        #expect(sent.map(\.body) == [.installSnapshot(snapshot)])
        #expect(net[3].snapshotPosition == snapshot.position)
        #expect(net[3].commitIndex == 6)
        #expect(net.restoredSnapshots[3] == [snapshot])
        #expect(net[1].progress[3]?.match == 6)
        #expect(net[1].progress[3]?.mode == .replicate)

        // Replication carries on from after the snapshot.
        _ = net.propose([9], at: 1)
        #expect(net[3].commitIndex == 7)
        #expect(net.applied[3]?.map(\.data) == [[9]])
    }

    @Test("follower restores and Ready carries the snapshot")
    func followerRestores() throws {
        var follower = makeNode(makeConfig(id: 2, count: 3),
                                restoring: PersistentState(hardState: HardState(term: 1, commit: 1),
                                                           entries: log(terms: [1, 1, 1])))
        follower.drain()
        let snapshot = Snapshot(position: LogPosition(term: 2, index: 5), data: [42])
        follower.step(message(from: 1, to: 2, term: 2, .installSnapshot(snapshot)))
        let batch = follower.ready()
        #expect(batch.snapshot == snapshot)
        #expect(batch.hardState == HardState(term: 2, votedFor: nil, commit: 5))
        #expect(batch.committedEntries.isEmpty)
        #expect(batch.messages.map(\.body) == [.appendResponse(.accepted(matchIndex: 5))])
        // The old log is gone: the snapshot replaces it entirely.
        #expect(follower.snapshotPosition == snapshot.position)
        #expect(follower.lastIndex == 5)
        #expect(follower.term(at: 5) == 2)
        #expect(follower.term(at: 3) == nil)
        #expect(follower.commitIndex == 5)
        #expect(follower.appliedIndex == 5)
        follower.advance(batch)
        #expect(follower.ready().snapshot == nil)

        // Appends continue after the snapshot.
        follower.step(message(from: 1, to: 2, term: 2,
                              .append(AppendRequest(prevLogIndex: 5, prevLogTerm: 2,
                                                    entries: [Entry(term: 2, index: 6)], leaderCommit: 6))))
        let next = follower.drain()
        #expect(next.messages.map(\.body) == [.appendResponse(.accepted(matchIndex: 6))])
        #expect(next.committedEntries.map(\.index) == [6])
    }

    @Test("follower ignores a snapshot its commit index already covers")
    func followerIgnoresOldSnapshot() {
        var follower = makeNode(makeConfig(id: 2, count: 3),
                                restoring: PersistentState(hardState: HardState(term: 1, commit: 3),
                                                           entries: log(terms: [1, 1, 1, 1])))
        follower.drain()
        follower.step(message(from: 1, to: 2, term: 1,
                              .installSnapshot(Snapshot(position: LogPosition(term: 1, index: 2), data: []))))
        let batch = follower.drain()
        #expect(batch.snapshot == nil)
        #expect(batch.messages.map(\.body) == [.appendResponse(.accepted(matchIndex: 3))])
        #expect(follower.lastIndex == 4)
        #expect(follower.snapshot == nil)
    }

    @Test("follower that holds the snapshot's last entry keeps its log and commits it")
    func followerKeepsMatchingLog() {
        var follower = makeNode(makeConfig(id: 2, count: 3),
                                restoring: PersistentState(hardState: HardState(term: 1),
                                                           entries: log(terms: [1, 1, 1, 1])))
        follower.drain()
        follower.step(message(from: 1, to: 2, term: 1,
                              .installSnapshot(Snapshot(position: LogPosition(term: 1, index: 3), data: []))))
        let batch = follower.drain()
        #expect(batch.snapshot == nil)
        #expect(follower.commitIndex == 3)
        #expect(follower.lastIndex == 4)
        #expect(batch.committedEntries.map(\.index) == [1, 2, 3])
    }

    @Test("compaction ignored for unapplied index")
    func compactionNeedsApplied() throws {
        var node = makeNode(makeConfig(id: 2, count: 3),
                            restoring: PersistentState(hardState: HardState(term: 1, commit: 3),
                                                       entries: log(terms: [1, 1, 1, 1])))
        #expect(node.commitIndex == 3)
        #expect(node.appliedIndex == 0)
        node.compact(through: 2, snapshotData: [2])
        #expect(node.snapshot == nil)
        #expect(node.firstIndex == 1)

        #expect(node.drain().committedEntries.map(\.index) == [1, 2, 3])
        // Index 4 is not committed, let alone applied.
        node.compact(through: 4, snapshotData: [4])
        #expect(node.snapshot == nil)
        node.compact(through: 2, snapshotData: [2])
        let snapshot = try #require(node.snapshot)
        #expect(snapshot == Snapshot(position: LogPosition(term: 1, index: 2), data: [2]))
        #expect(node.firstIndex == 3)
        #expect(node.term(at: 1) == nil)
        #expect(node.term(at: 2) == 1)
        #expect(node.lastIndex == 4)
        // The application keeps its own snapshot: it is not handed out again.
        #expect(node.ready().snapshot == nil)
    }

    @Test("compaction never moves the snapshot backwards")
    func compactionIsMonotonic() {
        var node = makeNode(makeConfig(id: 2, count: 3),
                            restoring: PersistentState(hardState: HardState(term: 1, commit: 4),
                                                       entries: log(terms: [1, 1, 1, 1])))
        node.drain()
        node.compact(through: 3, snapshotData: [3])
        node.compact(through: 2, snapshotData: [2])
        #expect(node.snapshot?.position.index == 3)
    }

    @Test("a node restarted from a snapshot keeps it and the entries after it")
    func restartFromSnapshot() {
        var net = Network(3)
        net.campaign(1)
        for value in UInt8(1)...4 { _ = net.propose([value], at: 1) }
        net.compact(2, through: 3)
        #expect(net[2].snapshot?.position.index == 3)
        net.restart(2)
        #expect(net[2].snapshotPosition == LogPosition(term: 1, index: 3))
        #expect(net[2].lastIndex == 5)
        #expect(net[2].term(at: 4) == 1)
        #expect(net[2].appliedIndex == 3)
        net.tick()
        // Only what the snapshot does not cover is applied again.
        #expect(net.applied[2]?.map(\.index) == [4, 5])
    }
}
