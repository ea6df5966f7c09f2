import Testing
@testable import Checker

@Suite("Timelines and report text")
struct TimelineTests {
    @Test("two operations on one axis: bars where they ran, intervals at the right")
    func twoOperations() {
        let lines = Timeline.lines([
            Make.get("bob", "x", "1", 1.9, 2.1),
            Make.put("alice", "x", "1", 1.0, 1.2),
        ])
        let blank = { (count: Int) in String(repeating: " ", count: count) }
        #expect(lines == [
            "  process  operation  1.00 s" + blank(28) + "2.10 s",
            "  alice    put x 1    [======]" + blank(32) + "  1.000–1.200 s",
            "  bob      get x → 1  " + blank(32) + "[======]  1.900–2.100 s",
        ])
    }

    @Test("an unknown operation runs to the right edge; an instant is one bar")
    func unknownAndInstant() {
        let lines = Timeline.lines([
            Make.put("a", "x", "1", 0, 1.0),
            Make.put("a", "x", "2", 0.5, nil),
            Make.get("b", "x", "1", 1.0, 1.0),
        ])
        let dashes = String(repeating: "-", count: 18)
        #expect(lines[2].contains("[" + dashes + ">  0.500–? s (unknown)"))
        #expect(lines[3].contains(String(repeating: " ", count: 39) + "|  1.000–1.000 s"))
    }

    @Test("long names and values are cut so a line stays within 100 columns")
    func longNames() {
        let long = String(repeating: "k", count: 200)
        let lines = Timeline.lines([Make.put(long, long, long, 0, 1),
                                    Make.get("b", long, long, 2, 3)])
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(lines[1].contains("kkkkkkkkk…"))
    }

    @Test("operations read as commands")
    func operationText() {
        #expect(OperationText.describe(Make.cas("a", "x", "1", "2", 0, 1)) == "cas x 1→2")
        #expect(OperationText.describe(Make.get("a", "x", nil, 0, 1)) == "get x → nothing")
        let fenced = Make.put("a", "x", "a b", 0, 1, fence: 3)
        #expect(OperationText.describe(fenced) == "put x \"a b\" fence 3")
        #expect(OperationText.describe(Make.lock("a", "L", token: 3, 0, 1)) == "lock L → token 3")
        #expect(OperationText.describe(Make.unlock("a", "L", 0, nil)) == "unlock L → unknown")
    }

    @Test("a linearizable history reports yes with its counts")
    func yesLine() throws {
        let campaign = HistoryOperation(process: "a", f: "campaign", key: "e", invoke: 0,
                                        complete: 1, outcome: .ok)
        let report = LinearizabilityChecker.check([Make.put("a", "x", "1", 0, 1),
                                                   Make.get("a", "y", nil, 0, 1), campaign])
        let line = try #require(report.lines.first)
        #expect(report.lines.count == 1)
        #expect(line.hasPrefix("linearizable: yes (3 operations, 2 keys, "))
        #expect(line.hasSuffix(" ms)"))
    }

    @Test("a violation reports the verdict, the timeline, then the sentence")
    func noLines() {
        let report = LinearizabilityChecker.check([
            Make.put("a", "x", "1", 0, 0.5), Make.put("a", "x", "2", 1.0, 1.5),
            Make.get("b", "x", "1", 2.0, 2.1),
        ])
        #expect(report.lines.count == 5)
        #expect(report.lines[0].hasPrefix("linearizable: NO (3 operations, 1 key, "))
        #expect(report.lines[0].hasSuffix("register x"))
        #expect(report.lines[1].hasPrefix("  process"))
        #expect(report.lines[4]
            == "get x → 1 at 2.10 s, but x was 2 since put x 2 completed at 1.50 s")
    }
}
