@testable import Checker
import Testing

/// Writes that name what they replaced (`previous`): a value written once is replaced once.
@Suite("Exactly-once writes")
struct ExactlyOnceTests {
    private func replacing(_ operation: HistoryOperation, _ previous: String?) -> HistoryOperation {
        var operation = operation
        operation.previous = previous
        return operation
    }

    @Test("a history where each value is replaced once passes")
    func chainPasses() {
        let history = [
            replacing(Make.put("a", "x", "1", 0, 1), nil),
            replacing(Make.put("b", "x", "2", 2, 3), "1"),
            replacing(Make.cas("a", "x", "2", "3", 4, 5), "2"),
            replacing(Make.del("b", "x", 6, 7), "3"),
        ]
        #expect(ExactlyOnceChecker.firstFinding(in: history) == nil)
    }

    @Test("a put that replaced its own value applied twice")
    func ownValue() throws {
        let history = [replacing(Make.put("a", "x", "1", 0, 5), "1")]
        let finding = try #require(ExactlyOnceChecker.firstFinding(in: history))
        #expect(finding.explanation.contains("replaced its own value"))
        #expect(finding.operations.map(\.process) == ["a"])
    }

    @Test("a value written once but replaced by two writes was applied twice")
    func replacedTwice() throws {
        let history = [
            replacing(Make.put("a", "x", "1", 0, 9), nil),
            replacing(Make.put("b", "x", "2", 1, 2), "1"),
            replacing(Make.del("c", "x", 3, 4), "1"),
        ]
        let finding = try #require(ExactlyOnceChecker.firstFinding(in: history))
        #expect(finding.operations.map(\.process) == ["b", "c"])
        #expect(finding.time == 4)
    }

    @Test("values written twice, unanswered writes and failed ones are never evidence")
    func ambiguousHistoriesPass() {
        let history = [
            replacing(Make.put("a", "x", "1", 0, 1), nil),
            replacing(Make.put("b", "x", "1", 0, 1), "1"),
            replacing(Make.put("c", "x", "2", 2, 3), "1"),
            replacing(Make.put("d", "y", "7", 0, nil), "7"),
            replacing(Make.put("e", "y", "8", 0, 1, outcome: .fail), "8"),
        ]
        #expect(ExactlyOnceChecker.firstFinding(in: history) == nil)
    }
}
