import CommandLanguage
import Testing

/// Errors the console refuses before anything reaches a node: each is a `CommandError` whose text is
/// one line, so the shell prints it as a single `error:` line.
@Suite("Command errors are one line")
struct CommandErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var line: String
        var nodeCount: Int?
        var part: String
        var testDescription: String { line }
    }

    static let cases: [Case] = [
        // Unknown commands.
        Case(line: "frobnicate", nodeCount: 3, part: "unknown command"),
        Case(line: "kil 1", nodeCount: 3, part: "did you mean `kill`?"),
        Case(line: "partition-all", nodeCount: 3, part: "unknown command"),
        // Bad numbers and durations.
        Case(line: "step many", nodeCount: 3, part: "many"),
        Case(line: "step 0", nodeCount: 3, part: "0"),
        Case(line: "sleep -5ms", nodeCount: 3, part: "-5ms"),
        Case(line: "sleep 5", nodeCount: 3, part: "needs a unit"),
        Case(line: "wait leader within 3 parsecs", nodeCount: 3, part: ""),
        Case(line: "pace 1000", nodeCount: 3, part: "a factor must be"),
        Case(line: "pace fast", nodeCount: 3, part: "fast"),
        Case(line: "link 1->2 loss 150", nodeCount: 3, part: ""),
        Case(line: "start 10", nodeCount: nil, part: "a node count must be 1 to 9, not 10"),
        Case(line: "start 99999999999999999999", nodeCount: nil, part: ""),
        // Node ids outside the cluster.
        Case(line: "kill 7", nodeCount: 3, part: "7"),
        Case(line: "kill 0", nodeCount: 3, part: "0"),
        Case(line: "restart 4", nodeCount: 3, part: "4"),
        Case(line: "restart leader", nodeCount: 3, part: "leader"),
        Case(line: "get k --stale --node 9", nodeCount: 5, part: "9"),
        Case(line: "cut 1->1", nodeCount: 3, part: ""),
        Case(line: "cut 1->4", nodeCount: 3, part: "4"),
        Case(line: "partition 1,2 | 3", nodeCount: 5, part: ""),
        Case(line: "partition 1,2 | 2,3", nodeCount: 3, part: ""),
        // Missing or extra arguments.
        Case(line: "put onlykey", nodeCount: 3, part: "missing"),
        Case(line: "get k --stale", nodeCount: 3, part: "--stale needs --node N"),
        Case(line: "heal now", nodeCount: 3, part: ""),
        Case(line: "cas k 1", nodeCount: 3, part: "missing"),
    ]

    @Test("a bad line throws a one-line error", arguments: cases)
    func refused(_ bad: Case) {
        do {
            let command = try CommandParser.parse(bad.line, nodeCount: bad.nodeCount)
            Issue.record("\"\(bad.line)\" parsed as \(String(describing: command))")
        } catch {
            let text = error.description
            #expect(!text.isEmpty)
            #expect(!text.contains("\n"), "multi-line error: \(text)")
            #expect(!error.message.isEmpty && !error.message.contains("\n"))
            #expect(error.column >= 1 && error.column <= bad.line.count + 1, "column \(error.column)")
            if !bad.part.isEmpty {
                #expect(text.contains(bad.part), "\(text) does not mention \(bad.part)")
            }
        }
    }

    @Test("the good lines the tests rely on parse")
    func goodLines() throws {
        #expect(try CommandParser.parse("wait leader within 10s", nodeCount: 3) == .waitLeader(withinMs: 10_000))
        #expect(try CommandParser.parse("get k --stale --node 2", nodeCount: 3) == .get(key: "k", staleNode: 2))
        #expect(try CommandParser.parse("partition 1,2 | 3,4,5", nodeCount: 5) == .partition([[1, 2], [3, 4, 5]]))
        #expect(try CommandParser.parse("cas counter 0 1", nodeCount: 3) == .cas(key: "counter", old: "0", new: "1"))
        #expect(try CommandParser.parse("step", nodeCount: 3) == .step(count: 1))
        #expect(try CommandParser.parse("  # a comment", nodeCount: 3) == nil)
    }
}
