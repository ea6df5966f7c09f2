import Raft
import Testing
@testable import Checker

@Suite("Generated histories")
struct GeneratedHistoryTests {
    static func generator(seed: UInt64, operations: Int = 600) -> HistoryGenerator {
        var generator = HistoryGenerator(seed: seed)
        generator.operationCount = operations
        generator.keyCount = 3
        generator.unknownWritePercent = 5
        return generator
    }

    @Test("a generated history looks like a real one: concurrent, several keys, some unknowns")
    func realistic() {
        let history = Self.generator(seed: 7).history()
        #expect(history.count == 600)
        #expect(Set(history.map(\.key)).count == 3)
        #expect(Set(history.map(\.process)).count == 8)
        #expect(history.contains { $0.outcome == .unknown })
        #expect(Set(history.map(\.f)) == ["get", "put", "del", "cas"])
        let overlapping = zip(history, history.dropFirst()).filter { first, second in
            second.invoke < (first.complete ?? .infinity)
        }
        #expect(overlapping.count > 100)
        #expect(history.allSatisfy { $0.problem == nil })
    }

    @Test("one seed gives one history")
    func deterministic() {
        #expect(Self.generator(seed: 3).history() == Self.generator(seed: 3).history())
        #expect(Self.generator(seed: 3).history() != Self.generator(seed: 4).history())
    }

    @Test("every generated history is linearizable", arguments: 1...40)
    func accepted(seed: UInt64) {
        let report = LinearizabilityChecker.check(Self.generator(seed: seed).history())
        let text = LinearizabilityChecker.text(report)
        #expect(report.verdict == .linearizable, "seed \(seed): \(text)")
    }

    @Test("a read changed to a value nobody wrote is caught", arguments: 1...20)
    func neverWrittenCaught(seed: UInt64) throws {
        var history = Self.generator(seed: seed).history()
        var random = SeededRandom(seed: seed)
        let reads = history.indices.filter { history[$0].f == "get" }
        let index = try #require(reads.randomElement(using: &random), "seed \(seed)")
        history[index].value = "never-written"
        let report = LinearizabilityChecker.check(history)
        #expect(report.verdict == .notLinearizable, "seed \(seed)")
        #expect(report.violations.map(\.key) == [history[index].key], "seed \(seed)")
        let explanation = report.violation?.explanation ?? ""
        #expect(explanation.contains("no operation wrote never-written"), "seed \(seed)")
    }

    @Test("a write that was read, turned into a failure, is caught", arguments: 1...20)
    func lostWriteCaught(seed: UInt64) throws {
        var history = Self.generator(seed: seed).history()
        var random = SeededRandom(seed: seed)
        let read = Set(history.filter { $0.f == "get" }.compactMap(\.value))
        let writes = history.indices.filter { history[$0].f == "put" && history[$0].outcome == .ok }
            .filter { read.contains(history[$0].value ?? "") }
        let index = try #require(writes.randomElement(using: &random), "seed \(seed)")
        history[index].outcome = .fail
        let report = LinearizabilityChecker.check(history)
        #expect(report.verdict == .notLinearizable, "seed \(seed)")
        #expect(report.violations.map(\.key) == [history[index].key], "seed \(seed)")
    }

    @Test("a search over budget says undecided instead of hanging")
    func budget() {
        let history = Self.generator(seed: 1).history()
        let options = CheckOptions(stepBudgetPerKey: 10)
        let report = LinearizabilityChecker.check(history, options: options)
        #expect(report.verdict == .undecided)
        #expect(report.undecidedKeys == ["k0", "k1", "k2"])
        let first = report.lines.first ?? ""
        #expect(first.hasPrefix("linearizable: undecided (600 operations, 3 keys, "))
        #expect(report.lines.first?.hasSuffix("the search gave up on k0, k1, k2") == true)
    }
}
