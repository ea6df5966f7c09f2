import ClusterAPI
import EtcdBackend
import Testing

@Suite struct PeerLinkRulesTests {
    private let open = PeerLinkRules.Decision.pass(delayMs: 0, jitterMs: 0)

    @Test func aCutStopsOneDirectionOnly() {
        var rules = PeerLinkRules()
        rules.cut(from: 1, to: 2)
        #expect(rules.decide(from: 1, to: 2) == .block)
        #expect(rules.decide(from: 2, to: 1) == open)
        #expect(rules.decide(from: 1, to: 3) == open)
        #expect(rules.network.text == "1-x->2")
    }

    @Test func aPartitionBlocksAcrossGroupsAndHealRestores() {
        var rules = PeerLinkRules()
        rules.partition(.groups([[1], [2, 3]]))
        #expect(rules.decide(from: 1, to: 2) == .block)
        #expect(rules.decide(from: 3, to: 1) == .block)
        #expect(rules.decide(from: 2, to: 3) == open)
        rules.heal()
        #expect(rules.decide(from: 1, to: 2) == open)
        #expect(rules.network.isNone)
    }

    @Test func aRingOfThreeKeepsSomeLinksOneWay() throws {
        var rules = PeerLinkRules()
        rules.partition(try PartitionShape.ring(order: nil, nodeCount: 3))
        let blocked = [(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)].filter { rules.decide(from: $0.0, to: $0.1) == .block }
        // Each node hears a different bare majority: exactly one link of each pair is cut.
        #expect(blocked.count == 3)
    }

    @Test func aDelayIsKeptPerLinkAndInOrder() {
        var rules = PeerLinkRules()
        rules.slow(from: 3, to: 1, delayMs: 200, jitterMs: nil)
        rules.slow(from: 1, to: 2, delayMs: 50, jitterMs: 10)
        #expect(rules.decide(from: 3, to: 1) == .pass(delayMs: 200, jitterMs: 0))
        #expect(rules.decide(from: 1, to: 2) == .pass(delayMs: 50, jitterMs: 10))
        #expect(rules.decide(from: 1, to: 3) == open)
        #expect(rules.network.links.map { "\($0.from)->\($0.to)" } == ["1->2", "3->1"])
        // Set back to nothing, a link is no longer listed.
        rules.slow(from: 3, to: 1, delayMs: 0, jitterMs: nil)
        #expect(rules.network.links.count == 1)
    }

    @Test func aDelayedLinkInsideAPartitionStaysCut() {
        var rules = PeerLinkRules()
        rules.partition(.groups([[1], [2, 3]]))
        rules.slow(from: 1, to: 2, delayMs: 100, jitterMs: nil)
        #expect(rules.decide(from: 1, to: 2) == .block)
    }
}
