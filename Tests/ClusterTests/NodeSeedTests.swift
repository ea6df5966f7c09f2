import Testing
@testable import Cluster

@Suite("Node seeds")
struct NodeSeedTests {
    @Test("each node's election timeouts draw from the run's seed: the same run seed gives the same node seeds, each node and each life its own")
    func nodeSeedsFollowTheRunSeed() {
        let seeds = (1...5).flatMap { id in (1...3).map { NodeSupervisor.nodeSeed(run: 42, node: id, life: $0) } }
        let again = (1...5).flatMap { id in (1...3).map { NodeSupervisor.nodeSeed(run: 42, node: id, life: $0) } }
        let other = (1...5).flatMap { id in (1...3).map { NodeSupervisor.nodeSeed(run: 43, node: id, life: $0) } }
        #expect(seeds == again)
        #expect(Set(seeds).count == seeds.count, "two nodes or two lives share a seed")
        #expect(Set(seeds).isDisjoint(with: other))
    }
}
