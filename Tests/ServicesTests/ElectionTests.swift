import Raft
import Testing
@testable import Services

@Suite("Election service")
struct ElectionTests {
    @Test("the first campaigner leads with revision = its entry's index; later ones are candidates")
    func firstLeads() {
        var replica = Replica()
        replica.clock(10)
        #expect(replica.campaign("E", 1, "node-a") == .elected(revision: 2))
        #expect(replica.campaign("E", 2, "node-b") == .candidate(position: 1))
        #expect(replica.campaign("E", 3, "node-c") == .candidate(position: 2))
        #expect(replica.state.leader(of: "E")?.client == 1)
        #expect(replica.state.leader(of: "E")?.value == "node-a")
        #expect(replica.state.leader(of: "E")?.revision == 2)
        #expect(replica.campaign("E", 1, "node-a2") == .elected(revision: 2), "campaigning again keeps the revision")
        #expect(replica.state.leader(of: "E")?.value == "node-a2")
    }

    @Test("resign passes leadership to the next candidate with a new revision")
    func resignPasses() {
        var replica = Replica()
        replica.campaign("E", 1, "a")
        replica.campaign("E", 2, "b")
        replica.campaign("E", 3, "c")
        #expect(replica.resign("E", 1) == .resigned)
        let leader = replica.state.leader(of: "E")
        #expect(leader?.client == 2)
        #expect(leader?.value == "b")
        #expect(leader?.revision == replica.index)
        #expect(replica.resign("E", 3) == .withdrawn)
        #expect(replica.resign("E", 3) == .notHeld)
        #expect(replica.resign("E", 2) == .resigned)
        #expect(replica.state.leader(of: "E") == nil)
        #expect(replica.state.elections().isEmpty)
    }

    @Test("a leader whose lease expires is replaced on the clock entry")
    func expiredLeaderReplaced() {
        var replica = Replica()
        replica.campaign("E", 1, "a", ttl: 100)
        replica.campaign("E", 2, "b", ttl: 1000)
        replica.clock(100)
        #expect(replica.state.leader(of: "E")?.client == 1, "not before the lease has passed")
        replica.clock(101)
        #expect(replica.state.leader(of: "E")?.client == 2)
        #expect(replica.state.leader(of: "E")?.revision == replica.index, "the clock entry made it leader")
        #expect(replica.state.elections() == [
            ElectionInfo(name: "E", leader: 2, value: "b", revision: replica.index, leaseRemainingMs: 1000,
                         candidates: []),
        ])
    }

    @Test("a renewing leader keeps leading")
    func renewingLeader() {
        var replica = Replica()
        replica.campaign("E", 1, "a", ttl: 100)
        replica.campaign("E", 2, "b", ttl: 100)
        for now in stride(from: 60, through: 600, by: 60) {
            replica.clock(now)
            replica.renew(1)
            replica.renew(2)
        }
        #expect(replica.state.leader(of: "E")?.client == 1)
        #expect(replica.state.leader(of: "E")?.revision == 1)
        #expect(replica.state.elections().first?.candidates == [2])
    }
}
