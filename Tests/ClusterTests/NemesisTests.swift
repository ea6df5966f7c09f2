import CommandLanguage
import Testing
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
            case .partition, .loss, .clock: Issue.record("unexpected \(step.fault)")
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
