import Raft
@testable import Replica
import Services
import Testing

@Suite struct PrimaryBackupTests {
    @Test func aQuorumOfMonitorsPromotesOnePrimaryInEpochOne() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(2)
        #expect(cluster.primaries == [2])
        #expect(cluster.core(2).epoch == 1)
        #expect(cluster.core(1).primary == 2 && cluster.core(3).primary == 2)
        #expect(cluster.core(1).role == .replica)
    }

    @Test func asyncWritesAreAnsweredAndReplicasApplyThemInOrder() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        let first = cluster.put("x", "1", on: 1)
        let second = cluster.put("x", "2", on: 1)
        #expect(cluster.replies[first] == .ok(value: nil, index: 2))
        #expect(cluster.replies[second] == .ok(value: "1", index: 3))
        #expect(cluster.value("x", on: 2) == "2" && cluster.value("x", on: 3) == "2")
        #expect(cluster.core(3).appliedIndex == 3)
    }

    @Test func aReplicaRefusesWritesWithThePrimaryAsHint() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        let id = cluster.put("x", "1", on: 3)
        #expect(cluster.replies[id] == .notLeader(leaderHint: 1))
    }

    @Test func asyncAnswersEvenWhenNoReplicaHearsThePrimary() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        cluster.isolate(1)
        let id = cluster.put("x", "1", on: 1)
        #expect(cluster.replies[id] == .ok(value: nil, index: 2))
        #expect(cluster.value("x", on: 2) == nil)
    }

    @Test func semiSyncWaitsForKReplicas() throws {
        var cluster = try PrimaryBackupHarness(count: 3, acknowledgement: .semiSync(replicas: 1, fallbackTicks: nil))
        cluster.elect(1)
        cluster.cut = [[1, 2], [2, 1]]
        let answered = cluster.put("x", "1", on: 1)
        #expect(cluster.replies[answered] == .ok(value: nil, index: 2), "node 3 acknowledged it")
        cluster.isolate(1)
        let waiting = cluster.put("x", "2", on: 1)
        cluster.tick(1, times: 50)
        #expect(cluster.replies[waiting] == nil, "no replica has it, and this mode never gives up")
        #expect(cluster.value("x", on: 1) == "1", "the primary applies it only once acknowledged")
    }

    @Test func semiSyncFallsBackToAsyncAfterItsTimeoutAndSaysSo() throws {
        var cluster = try PrimaryBackupHarness(count: 3, acknowledgement: .semiSync(replicas: 1, fallbackTicks: 4))
        cluster.elect(1)
        cluster.isolate(1)
        let id = cluster.put("x", "1", on: 1)
        cluster.tick(1, times: 3)
        #expect(cluster.replies[id] == nil)
        cluster.tick(1)
        #expect(cluster.replies[id] == .ok(value: nil, index: 2))
        #expect(cluster.core(1).fellBackToAsync)
        #expect(cluster.events.contains { $0.hasPrefix("semi-sync timed out") })
        cluster.heal()
        cluster.tick(1, times: 3)
        #expect(!cluster.core(1).fellBackToAsync)
        #expect(cluster.events.contains { $0.hasPrefix("semi-sync on again") })
    }

    @Test func aMonitorThatStillHearsThePrimaryRefusesAPromotion() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        cluster.cut = [[1, 3], [3, 1]]
        cluster.tick(3, times: 10)
        #expect(cluster.core(3).role == .candidate)
        #expect(cluster.primaries == [1], "node 2 still hears node 1, so node 3 gets one vote of two")
        #expect(cluster.core(1).epoch == 1)
    }

    @Test func failoverPromotesTheHighestOffsetAndTheOldPrimarysWritesVanish() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        cluster.put("a", "1", on: 1)
        cluster.cut = [[1, 3], [3, 1]]
        cluster.put("b", "1", on: 1)  // node 2 has it, node 3 does not
        cluster.isolate(1)
        let lost = cluster.put("c", "1", on: 1)
        #expect(cluster.replies[lost] == .ok(value: nil, index: 4), "acknowledged by the old primary alone")
        // Node 3 may ask first, but node 2 holds a longer stream and refuses it: node 2 is promoted.
        cluster.tickAll(25)
        #expect(cluster.core(2).role == .primary && cluster.core(2).epoch >= 2)
        #expect(cluster.primaries.sorted() == [1, 2], "the old primary has heard nothing yet")
        cluster.put("d", "2", on: 2)
        cluster.heal()
        cluster.tickAll(3)
        #expect(cluster.primaries == [2])
        #expect(cluster.events.contains { $0.hasPrefix("stepped down") })
        for node in 1...3 {
            #expect(cluster.value("c", on: node) == nil, "n\(node) still holds the vanished write")
            #expect(cluster.value("b", on: node) == "1" && cluster.value("d", on: node) == "2")
        }
        #expect(cluster.core(1).lastIndex == cluster.core(2).lastIndex)
    }

    @Test func aReconnectingReplicaResyncsFromItsOffset() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        cluster.put("a", "1", on: 1)
        cluster.cut = [[1, 3], [3, 1]]
        cluster.put("b", "2", on: 1)
        cluster.put("c", "3", on: 1)
        cluster.heal()
        cluster.tick(1, times: 3)
        #expect(cluster.value("c", on: 3) == "3")
        #expect(cluster.core(3).snapshot == nil, "no full copy was needed")
    }

    @Test func anOldPrimaryStepsDownWhenAReplicaAnswersFromANewerEpoch() throws {
        var cluster = try PrimaryBackupHarness(count: 3)
        cluster.elect(1)
        cluster.isolate(1)
        cluster.tick(3, times: 5)
        cluster.tick(2, times: 10)
        #expect(cluster.core(2).role == .primary)
        cluster.cut = [[2, 1], [1, 2]]  // node 1 hears only node 3
        cluster.tick(1)
        #expect(cluster.core(1).role == .replica)
        #expect(cluster.core(1).epoch == cluster.core(2).epoch)
    }

    @Test func theStaleEpochKnobLetsAReplicaApplyADeposedPrimarysStream() throws {
        var cluster = try PrimaryBackupHarness(count: 3, bugs: [.acceptStaleEpoch])
        cluster.elect(1)
        cluster.isolate(1)
        cluster.tick(3, times: 5)
        cluster.tick(2, times: 10)
        #expect(cluster.core(2).role == .primary && cluster.core(3).epoch == cluster.core(2).epoch)
        cluster.cut = [[2, 3], [3, 2], [1, 2], [2, 1]]
        cluster.put("x", "old", on: 1)
        #expect(cluster.value("x", on: 3) == "old", "node 3 follows epoch 2 yet applied epoch 1's write")
        #expect(cluster.core(3).epoch == cluster.core(2).epoch)
    }

    @Test func aRestartedNodeComesBackAsAReplicaOfItsEpoch() throws {
        let state = PersistentState(
            hardState: HardState(term: 3, votedFor: 2, commit: 2),
            entries: [Entry(term: 1, index: 1, kind: .noop), Entry(term: 3, index: 2, kind: .noop)])
        var config = PrimaryBackupConfig(id: 1, members: [1, 2, 3])
        config.downTicks = 5
        let core = try PrimaryBackup(config: config, restoring: state)
        #expect(core.role == .replica && core.epoch == 3 && core.voteEpoch == 3 && core.votedFor == 2)
        #expect(core.ready().committedEntries.isEmpty, "applied again only once a primary's stream continues them")
    }

    @Test func semiSyncNeedsAsManyReplicasAsItAsksFor() {
        var config = PrimaryBackupConfig(id: 1, members: [1, 2, 3])
        config.acknowledgement = .semiSync(replicas: 3, fallbackTicks: nil)
        #expect(throws: ConfigError.self) { try config.validate() }
    }
}
