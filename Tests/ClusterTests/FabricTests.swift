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
        #expect(isDelivered(fabric.route(header(1, 2), payload: [], now: .zero)))
        #expect(isDelivered(fabric.route(header(4, 5), payload: [], now: .zero)))
        guard case .drop(.partitioned) = fabric.route(header(2, 3), payload: [], now: .zero) else {
            Issue.record("2 → 3 crosses the partition")
            return
        }
        #expect(fabric.summary.text == "1,2 | 3,4,5")
        fabric.heal()
        #expect(isDelivered(fabric.route(header(2, 3), payload: [], now: .zero)))
        #expect(fabric.summary.text == "none")
    }

    @Test("a one-way cut drops one direction only")
    func oneWayCut() {
        var fabric = Fabric<[UInt8]>(nodeCount: 3)
        fabric.cut(from: 1, to: 2)
        #expect(!isDelivered(fabric.route(header(1, 2), payload: [], now: .zero)))
        #expect(isDelivered(fabric.route(header(2, 1), payload: [], now: .zero)))
        #expect(fabric.summary.text == "1-x->2")
    }

    @Test("freezing holds messages in order; step releases them one by one")
    func freezeAndStep() {
        var fabric = Fabric<[UInt8]>(nodeCount: 3)
        fabric.freeze()
        for to in [2, 3] {
            guard case .hold = fabric.route(header(1, to), payload: [UInt8(to)], now: .zero) else {
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
        #expect(isDelivered(fabric.route(header(1, 2), payload: [], now: .zero)))
    }

    @Test("the hold queue is bounded: overflow is dropped and counted")
    func boundedHold() {
        var fabric = Fabric<[UInt8]>(nodeCount: 2)
        fabric.freeze()
        for _ in 0..<(Fabric<[UInt8]>.maximumHeld + 5) { _ = fabric.route(header(1, 2), payload: [], now: .zero) }
        #expect(fabric.held.count == Fabric<[UInt8]>.maximumHeld)
        #expect(fabric.counts[.overflow] == 5)
        #expect(fabric.counts[.held] == Fabric<[UInt8]>.maximumHeld)
    }

    @Test("delayed messages are bounded: at the limit a message is dropped whole and counted as overflow")
    func boundedDelay() {
        var fabric = Fabric<[UInt8]>(nodeCount: 2)
        let limit = Fabric<[UInt8]>.maximumDelayed
        fabric.setLink(from: 1, to: 2) { $0.delayMs = 10 }
        for _ in 0..<limit {
            guard case .deliver(10, 1) = fabric.route(header(1, 2), payload: [], now: .zero) else {
                Issue.record("below the limit a delayed message is kept")
                return
            }
        }
        #expect(fabric.delayedCount == limit)
        guard case .drop(.overflow) = fabric.route(header(1, 2), payload: [], now: .zero) else {
            Issue.record("a delayed message beyond the limit must be dropped as overflow")
            return
        }
        #expect(fabric.delayedCount == limit)
        #expect(fabric.counts[.overflow] == 1)
        // A duplicated message whose two copies do not both fit is dropped whole, counted once.
        _ = fabric.releaseDue(now: .milliseconds(10)).count
        fabric.setLink(from: 1, to: 2) { $0.duplicatePercent = 100 }
        for _ in 0..<(limit / 2) { _ = fabric.route(header(1, 2), payload: [], now: .milliseconds(10)) }
        #expect(fabric.delayedCount == limit)
        fabric.setLink(from: 2, to: 1) { $0.delayMs = 5 }
        guard case .drop(.overflow) = fabric.route(header(2, 1), payload: [], now: .milliseconds(10)) else {
            Issue.record("no room is left for another delayed message")
            return
        }
        #expect(fabric.counts[.overflow] == 2)
        #expect(fabric.counts[.delivered] == nil, "dropped or kept, nothing was delivered yet")
    }

    @Test("delayed messages come out when due, earliest first, in routing order at equal times")
    func releaseWhenDue() {
        var fabric = Fabric<[UInt8]>(nodeCount: 3)
        fabric.setLink(from: 1, to: 2) { $0.delayMs = 30 }
        fabric.setLink(from: 1, to: 3) { $0.delayMs = 10 }
        _ = fabric.route(header(1, 2), payload: [1], now: .zero)
        _ = fabric.route(header(1, 3), payload: [2], now: .zero)
        _ = fabric.route(header(1, 3), payload: [3], now: .zero)
        _ = fabric.route(header(1, 3), payload: [4], now: .milliseconds(20))
        #expect(fabric.nextDue == .milliseconds(10))
        #expect(fabric.releaseDue(now: .milliseconds(9)).isEmpty)
        #expect(fabric.releaseDue(now: .milliseconds(10)).map(\.payload) == [[2], [3]])
        #expect(fabric.nextDue == .milliseconds(30))
        #expect(fabric.releaseDue(now: .milliseconds(40)).map(\.payload) == [[1], [4]])
        #expect(fabric.nextDue == nil)
        #expect(fabric.delayedCount == 0)
    }

    @Test("loss of 100% drops everything; delay with jitter stays within bounds")
    func lossAndDelay() {
        var fabric = Fabric<[UInt8]>(nodeCount: 2)
        fabric.setLink(from: 1, to: 2) { $0.lossPercent = 100 }
        for _ in 0..<50 {
            guard case .drop(.lost) = fabric.route(header(1, 2), payload: [], now: .zero) else {
                Issue.record("a 100% lossy link delivered")
                return
            }
        }
        fabric.setLink(from: 2, to: 1) { $0.delayMs = 20; $0.jitterMs = 5; $0.duplicatePercent = 100 }
        for _ in 0..<50 {
            guard case .deliver(let delay, let copies) = fabric.route(header(2, 1), payload: [], now: .zero) else {
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
        #expect(!isDelivered(fabric.route(header(1, 7), payload: [], now: .zero)))
    }

    @Test("the same seed makes the same loss, duplication and jitter decisions; another seed does not")
    func seededDecisions() {
        func decisions(seed: UInt64) -> [String] {
            var fabric = Fabric<[UInt8]>(nodeCount: 3, seed: seed)
            fabric.setLink(from: 1, to: 2) { $0.lossPercent = 30; $0.duplicatePercent = 20; $0.jitterMs = 40 }
            return (0..<200).map { _ in
                switch fabric.route(header(1, 2), payload: [], now: .zero) {
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
