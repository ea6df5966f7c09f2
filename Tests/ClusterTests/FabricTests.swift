import Raft
import Testing
import Wire
@testable import Cluster

@Suite("Fabric")
struct FabricTests {
    private func header(_ from: NodeID, _ to: NodeID) -> RoutingHeader {
        RoutingHeader(from: from, to: to, type: .preVote, term: 1, entryCount: 0)
    }

    private func isDelivered(_ decision: Fabric<[UInt8]>.Decision) -> Bool {
        if case .deliver = decision { return true }
        return false
    }

    @Test("a partition cuts links between groups only, and heal restores them")
    func partition() {
        var fabric = Fabric<[UInt8]>(nodeCount: 5)
        fabric.partition([[1, 2], [3, 4, 5]])
        #expect(isDelivered(fabric.route(header(1, 2), payload: [])))
        #expect(isDelivered(fabric.route(header(4, 5), payload: [])))
        guard case .drop(.partitioned) = fabric.route(header(2, 3), payload: []) else {
            Issue.record("2 → 3 crosses the partition")
            return
        }
        #expect(fabric.summary == "1,2 | 3,4,5")
        fabric.heal()
        #expect(isDelivered(fabric.route(header(2, 3), payload: [])))
        #expect(fabric.summary == "none")
    }

    @Test("a one-way cut drops one direction only")
    func oneWayCut() {
        var fabric = Fabric<[UInt8]>(nodeCount: 3)
        fabric.cut(from: 1, to: 2)
        #expect(!isDelivered(fabric.route(header(1, 2), payload: [])))
        #expect(isDelivered(fabric.route(header(2, 1), payload: [])))
        #expect(fabric.summary == "1-x->2")
    }

    @Test("freezing holds messages in order; step releases them one by one")
    func freezeAndStep() {
        var fabric = Fabric<[UInt8]>(nodeCount: 3)
        fabric.freeze()
        for to in [2, 3] {
            guard case .hold = fabric.route(header(1, to), payload: [UInt8(to)]) else {
                Issue.record("frozen fabric must hold")
                return
            }
        }
        #expect(fabric.held.count == 2)
        let first = fabric.step(1)
        #expect(first.map(\.payload) == [[2]])
        #expect(fabric.held.count == 1)
        let rest = fabric.thaw()
        #expect(rest.map(\.payload) == [[3]])
        #expect(!fabric.frozen)
        #expect(isDelivered(fabric.route(header(1, 2), payload: [])))
    }

    @Test("the hold queue is bounded: overflow is dropped and counted")
    func boundedHold() {
        var fabric = Fabric<[UInt8]>(nodeCount: 2)
        fabric.freeze()
        for _ in 0..<(Fabric<[UInt8]>.maximumHeld + 5) { _ = fabric.route(header(1, 2), payload: []) }
        #expect(fabric.held.count == Fabric<[UInt8]>.maximumHeld)
        #expect(fabric.counts[.overflow] == 5)
        #expect(fabric.counts[.held] == Fabric<[UInt8]>.maximumHeld)
    }

    @Test("loss of 100% drops everything; delay with jitter stays within bounds")
    func lossAndDelay() {
        var fabric = Fabric<[UInt8]>(nodeCount: 2)
        fabric.setLink(from: 1, to: 2) { $0.lossPercent = 100 }
        for _ in 0..<50 {
            guard case .drop(.lost) = fabric.route(header(1, 2), payload: []) else {
                Issue.record("a 100% lossy link delivered")
                return
            }
        }
        fabric.setLink(from: 2, to: 1) { $0.delayMs = 20; $0.jitterMs = 5; $0.duplicatePercent = 100 }
        for _ in 0..<50 {
            guard case .deliver(let delay, let copies) = fabric.route(header(2, 1), payload: []) else {
                Issue.record("2 → 1 must deliver")
                return
            }
            #expect((15...25).contains(delay))
            #expect(copies == 2)
        }
        #expect(fabric.counts[.delivered] == nil, "a delivery counts when it happens, not when decided")
        #expect(fabric.counts[.lost] == 50)
    }

    @Test("messages naming a node outside the cluster are dropped")
    func outOfRange() {
        var fabric = Fabric<[UInt8]>(nodeCount: 3)
        #expect(!isDelivered(fabric.route(header(1, 7), payload: [])))
    }

    @Test("the same seed makes the same loss, duplication and jitter decisions; another seed does not")
    func seededDecisions() {
        func decisions(seed: UInt64) -> [String] {
            var fabric = Fabric<[UInt8]>(nodeCount: 3, seed: seed)
            fabric.setLink(from: 1, to: 2) { $0.lossPercent = 30; $0.duplicatePercent = 20; $0.jitterMs = 40 }
            return (0..<200).map { _ in
                switch fabric.route(header(1, 2), payload: []) {
                case .deliver(let delayMs, let copies): "deliver \(delayMs) ×\(copies)"
                case .drop(let fate): "drop \(fate.rawValue)"
                case .hold: "hold"
                }
            }
        }
        let first = decisions(seed: 42)
        #expect(first == decisions(seed: 42))
        #expect(first != decisions(seed: 43))
        #expect(first.contains("drop lost") && first.contains { $0.hasSuffix("×2") }, "\(first.prefix(20))")
    }
}
