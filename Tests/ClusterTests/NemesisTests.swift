import CommandLanguage
import Testing
import Wire
@testable import Cluster

@Suite("Nemesis plans")
struct NemesisTests {
    @Test("a seed gives the same plan; another seed another plan", arguments: [1, 2, 99] as [UInt64])
    func seeded(seed: UInt64) {
        let plan = NemesisPlan.make(seed: seed, kinds: FaultKind.allCases, durationSeconds: 30, nodes: 5)
        #expect(plan == NemesisPlan.make(seed: seed, kinds: FaultKind.allCases, durationSeconds: 30, nodes: 5))
        #expect(plan != NemesisPlan.make(seed: seed + 1, kinds: FaultKind.allCases, durationSeconds: 30, nodes: 5))
    }

    @Test("faults come one at a time inside the run; only clock skew overlaps them", arguments: 1...20)
    func oneAtATime(seed: Int) {
        let plan = NemesisPlan.make(seed: UInt64(seed), kinds: FaultKind.allCases, durationSeconds: 30, nodes: 5)
        #expect(!plan.isEmpty, "seed \(seed)")
        for step in plan {
            #expect(step.start >= 0 && step.start < step.end && step.end <= 30, "seed \(seed): \(step)")
        }
        let main = plan.filter { if case .clock = $0.fault { false } else { true } }
        for (earlier, later) in zip(main, main.dropFirst()) {
            #expect(earlier.end <= later.start, "seed \(seed): \(earlier) overlaps \(later)")
        }
    }

    @Test("only the kinds asked for are planned")
    func onlyKindsAsked() {
        let plan = NemesisPlan.make(seed: 5, kinds: [.kill, .pause], durationSeconds: 60, nodes: 3)
        for step in plan {
            switch step.fault {
            case .kill, .pause: break
            case .partition, .partitionRing, .partitionBridge, .loss, .clock: Issue.record("unexpected \(step.fault)")
            }
        }
        #expect(NemesisPlan.make(seed: 5, kinds: [], durationSeconds: 60, nodes: 3).isEmpty)
    }

    @Test("each fault has an undo: restart after kill, resume after pause, heal after a cut, clock back to 1")
    func undo() {
        let kill = Fault.kill(.leader).commands(nodes: 5, leader: 3)
        #expect(kill.start == [.kill(.id(3))] && kill.undo == [.restart(.id(3))])
        let pause = Fault.pause(.node(2)).commands(nodes: 5, leader: 3)
        #expect(pause.start == [.pause(.id(2))] && pause.undo == [.resume(.id(2))])
        let cut = Fault.partition(minority: []).commands(nodes: 5, leader: 4)
        #expect(cut.start == [.partition([[4], [1, 2, 3, 5]])] && cut.undo == [.heal])
        let loss = Fault.loss(nodes: [1, 2], percent: 40).commands(nodes: 3, leader: 1)
        #expect(loss.start.count == 2 && loss.undo == [.heal])
        let clock = Fault.clock(.leader, factor: 0.25).commands(nodes: 3, leader: 2)
        #expect(clock.start == [.skew(node: 2, factor: 0.25)] && clock.undo == [.skew(node: 2, factor: 1)])
    }
}

@Suite("Nemesis: ring and bridge, and one seed for the whole drill")
struct NemesisShapeTests {
    @Test("the nemesis draws rings and bridges from the seed; their commands parse back and fit the fabric",
          arguments: [3, 5, 7])
    func drawsShapes(nodes: Int) throws {
        let plan = NemesisPlan.make(seed: 7, kinds: [.partitionRing, .partitionBridge], durationSeconds: 60,
                                    nodes: nodes)
        var rings = 0, bridges = 0
        for step in plan {
            let commands = step.fault.commands(nodes: nodes, leader: 2)
            #expect(commands.undo == [.heal])
            let command = try #require(commands.start.first)
            // The journal and the event log write the command; it must read back as itself.
            #expect(try CommandParser.parse(command.description, nodeCount: nodes) == command)
            #expect(commands.text == command.description + (commands.text.hasSuffix("(leader)") ? " (leader)" : ""))
            switch (step.fault, command) {
            case (.partitionRing(let order), .partitionRing(let given)):
                rings += 1
                #expect(order.sorted() == Array(1...nodes) && given == order)
                _ = try PartitionShape.ring(order: given, nodeCount: nodes)
            case (.partitionBridge(let target, _), .partitionBridge(.id(let bridge)?, let halves?)):
                bridges += 1
                if target == .leader { #expect(bridge == 2) }
                _ = try PartitionShape.bridge(node: bridge, halves: halves, nodeCount: nodes)
            default:
                Issue.record("unexpected \(step.fault) → \(command)")
            }
        }
        #expect(rings > 0 && bridges > 0, "\(plan)")
    }

    @Test("a cluster too small for a ring or a bridge gets the leader cut off instead")
    func tooSmall() {
        let plan = NemesisPlan.make(seed: 3, kinds: [.partitionRing, .partitionBridge], durationSeconds: 20, nodes: 2)
        #expect(!plan.isEmpty && plan.allSatisfy { $0.fault == .partition(minority: []) })
    }

    /// The fabric's decisions on the same 500 messages, once the plan's first loss fault is applied the
    /// way the drill applies it (its `link` commands).
    private func lossDecisions(_ run: SeededRunOptions) throws -> [String] {
        let plan = run.drill.nemesisPlan(nodes: run.cluster.nodeCount)
        let loss = try #require(plan.first { if case .loss = $0.fault { true } else { false } })
        // As the engine makes its fabric: the cluster's size and seed.
        var fabric = Fabric<[UInt8]>(nodeCount: run.cluster.nodeCount, seed: run.cluster.seed)
        for case .link(let from, let to, let settings) in loss.fault.commands(nodes: run.cluster.nodeCount, leader: 1).start {
            fabric.setLink(from: from, to: to) { $0.lossPercent = settings.lossPercent ?? 0 }
        }
        fabric.setLink(from: 1, to: 2) { $0.jitterMs = 30; $0.duplicatePercent = 10 }
        return (0..<500).map { index in
            let header = RoutingHeader(from: index % 5 + 1, to: (index + 1 + index / 5) % 5 + 1, type: .preVote,
                                       term: 1, entryCount: 0)
            return switch fabric.route(header, payload: [], now: .zero) {
            case .deliver(let delayMs, let copies): "deliver \(delayMs) ×\(copies)"
            case .drop(let fate): "drop \(fate.rawValue)"
            case .hold: "hold"
            }
        }
    }

    @Test("drill --seed S twice: the same nemesis schedule and the same fabric decisions with loss on")
    func drillSeedRepeats() throws {
        func run(_ seed: UInt64) -> SeededRunOptions {
            SeededRunOptions(seed: seed, executablePath: "/bin/true", nodes: 5, clients: 8, durationSeconds: 60,
                             faults: FaultKind.allCases)
        }
        let first = run(42), again = run(42), other = run(43)
        #expect(first.cluster.seed == 42 && first.drill.seed == 42, "one seed for the engine and the drill")
        let plan = first.drill.nemesisPlan(nodes: 5)
        #expect(plan == again.drill.nemesisPlan(nodes: 5))
        #expect(plan != other.drill.nemesisPlan(nodes: 5))
        let decisions = try lossDecisions(first)
        #expect(decisions == (try lossDecisions(again)))
        #expect(decisions != (try lossDecisions(other)))
        #expect(decisions.contains("drop lost") && decisions.contains { $0.hasPrefix("deliver") })
    }
}
