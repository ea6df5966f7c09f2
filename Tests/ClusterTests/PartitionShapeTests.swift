import CommandLanguage
import Foundation
import Raft
import Testing
import Wire
@testable import Cluster

@Suite("Partition shapes: ring and bridge")
struct PartitionShapeTests {
    /// Who hears whom through a fabric cut to `shape`: `heard[to]` is the set of senders delivered.
    private func heard(_ shape: PartitionShape, nodes: Int) -> [Int: Set<Int>] {
        var fabric = Fabric<[UInt8]>(nodeCount: nodes)
        fabric.partition(shape: shape)
        var heard: [Int: Set<Int>] = [:]
        for to in 1...nodes {
            heard[to] = [to]
            for from in 1...nodes where from != to {
                let header = RoutingHeader(from: from, to: to, type: .preVote, term: 1, entryCount: 0)
                if case .deliver = fabric.route(header, payload: [], now: .zero) { heard[to, default: []].insert(from) }
            }
        }
        return heard
    }

    @Test("a ring: every node hears a bare majority, no two the same, and the fabric cuts exactly that",
          arguments: [3, 4, 5, 6, 7, 9])
    func ringMajorities(nodes: Int) throws {
        let shape = try PartitionShape.ring(order: nil, nodeCount: nodes)
        let heard = heard(shape, nodes: nodes)
        for id in 1...nodes {
            #expect(heard[id]?.count == nodes / 2 + 1, "n\(id) hears \(heard[id] ?? [])")
        }
        #expect(Set(heard.values).count == nodes, "two nodes hear the same majority: \(heard)")
        // Non-transitive: somebody hears a node that hears a node it does not hear itself.
        #expect((1...nodes).contains { a in
            heard[a]!.contains { b in !heard[b]!.isSubset(of: heard[a]!) }
        })
    }

    @Test("the ring's links, for 3, 5 and 7 nodes in id order")
    func ringLinks() throws {
        // 5 nodes: a node hears its two neighbours, both ways.
        let five = heard(try .ring(order: nil, nodeCount: 5), nodes: 5)
        #expect(five[1] == [5, 1, 2] && five[3] == [2, 3, 4] && five[5] == [4, 5, 1])
        // 3 nodes: each hears the next one only, so every kept link is one way.
        let three = heard(try .ring(order: nil, nodeCount: 3), nodes: 3)
        #expect(three == [1: [1, 2], 2: [2, 3], 3: [3, 1]])
        // 7 nodes: one behind, two ahead; the far link works one way.
        let seven = heard(try .ring(order: nil, nodeCount: 7), nodes: 7)
        #expect(seven[1] == [7, 1, 2, 3] && seven[4] == [3, 4, 5, 6])
        #expect(seven[1]!.contains(3) && !seven[3]!.contains(1))
        // The order given is the ring: 1,3,5,2,4 puts 3 and 4 beside 1.
        let shuffled = heard(try .ring(order: [1, 3, 5, 2, 4], nodeCount: 5), nodes: 5)
        #expect(shuffled[1] == [4, 1, 3])
    }

    @Test("a bridge: the halves cannot talk, the bridge talks to everyone", arguments: [3, 5, 7])
    func bridge(nodes: Int) throws {
        let shape = try PartitionShape.bridge(node: nil, halves: nil, nodeCount: nodes)
        let middle = nodes / 2 + 1
        let first = Set(1..<middle), second = Set((middle + 1)...nodes)
        #expect(shape == .bridge(node: middle, halves: [first.sorted(), second.sorted()]))
        let heard = heard(shape, nodes: nodes)
        #expect(heard[middle] == Set(1...nodes))
        for id in first { #expect(heard[id] == first.union([middle]), "n\(id)") }
        for id in second { #expect(heard[id] == second.union([middle]), "n\(id)") }
    }

    @Test("a bridge at a node of choice, between halves of choice")
    func bridgeOfChoice() throws {
        let shape = try PartitionShape.bridge(node: 1, halves: nil, nodeCount: 5)
        #expect(shape == .bridge(node: 1, halves: [[2, 3], [4, 5]]))
        let chosen = try PartitionShape.bridge(node: 2, halves: [[1, 4], [3, 5]], nodeCount: 5)
        let heard = heard(chosen, nodes: 5)
        #expect(heard[1] == [1, 2, 4] && heard[3] == [2, 3, 5] && heard[2] == [1, 2, 3, 4, 5])
    }

    @Test("shapes that do not fit the cluster are refused with a reason")
    func refusals() {
        #expect(throws: PartitionShapeError.self) { try PartitionShape.ring(order: nil, nodeCount: 2) }
        #expect(throws: PartitionShapeError("a ring lists every node 1–5 exactly once")) {
            try PartitionShape.ring(order: [1, 2, 3], nodeCount: 5)
        }
        #expect(throws: PartitionShapeError.self) { try PartitionShape.bridge(node: 6, halves: nil, nodeCount: 5) }
        #expect(throws: PartitionShapeError("the halves list every node but the bridge n3 exactly once")) {
            try PartitionShape.bridge(node: 3, halves: [[1, 2], [3, 4]], nodeCount: 5)
        }
    }

    @Test("the summary is data: the shape, then the links that differ from it")
    func summaryAsData() throws {
        var fabric = Fabric<[UInt8]>(nodeCount: 5)
        fabric.partition(shape: try .ring(order: nil, nodeCount: 5))
        #expect(fabric.summary == NetworkSummary(partition: .ring([1, 2, 3, 4, 5])))
        #expect(fabric.summary.text == "ring 1,2,3,4,5")
        fabric.cut(from: 1, to: 2)
        fabric.setLink(from: 3, to: 1) { $0.lossPercent = 40 }
        let summary = fabric.summary
        // A cut inside the ring is listed; so is a loss set on a link the ring already cuts.
        #expect(summary.links == [LinkState(from: 1, to: 2, up: false),
                                  LinkState(from: 3, to: 1, up: false, lossPercent: 40)])
        #expect(!summary.reaches(from: 1, to: 2) && summary.reaches(from: 2, to: 1))
        #expect(!summary.reaches(from: 1, to: 3), "3 → 1 is cut by the ring and stays cut under its loss")
        fabric.partition(shape: try .bridge(node: nil, halves: nil, nodeCount: 5))
        #expect(fabric.summary.text == "bridge 3 between 1,2 | 4,5")
        fabric.heal()
        #expect(fabric.summary == .none && fabric.summary.text == "none")
    }

    @Test("the summary round-trips through JSON, and old journals' strings still read")
    func summaryCoding() throws {
        let summaries = [
            NetworkSummary.none, NetworkSummary(partition: .groups([[1, 2], [3]])),
            NetworkSummary(partition: .ring([3, 1, 2])),
            NetworkSummary(partition: .bridge(node: 3, halves: [[1, 2], [4, 5]]),
                           links: [LinkState(from: 1, to: 3, delayMs: 20, lossPercent: 10)]),
        ]
        for summary in summaries {
            let data = try JSONEncoder().encode(summary)
            #expect(try JSONDecoder().decode(NetworkSummary.self, from: data) == summary)
            #expect(String(decoding: data, as: UTF8.self).contains("\"text\""), "readable in the journal")
        }
        #expect(NetworkSummary(legacyText: "none") == .none)
        #expect(NetworkSummary(legacyText: "1,2 | 3,4,5") == NetworkSummary(partition: .groups([[1, 2], [3, 4, 5]])))
        #expect(NetworkSummary(legacyText: "1-x->2 2->3 slowed")
            == NetworkSummary(links: [LinkState(from: 1, to: 2, up: false), LinkState(from: 2, to: 3)]))
        // A whole summary as an old journal wrote it: the network as a string.
        let current = try JSONEncoder().encode(ClusterSummary(timing: .teach))
        var object = try #require(try JSONSerialization.jsonObject(with: current) as? [String: Any])
        object["network"] = "1,2 | 3"
        let old = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONDecoder().decode(ClusterSummary.self, from: old)
        #expect(decoded.network.partition == .groups([[1, 2], [3]]))
        #expect(decoded.network.text == "1,2 | 3", "the digest reads as it did")
    }
}
