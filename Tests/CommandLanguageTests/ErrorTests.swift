import Testing

@testable import CommandLanguage

/// A line that must be refused: where, and a piece of the message.
struct BadLine: Sendable, CustomTestStringConvertible {
    var line: String
    var nodeCount: Int?
    var column: Int
    var messagePart: String

    init(_ line: String, nodeCount: Int? = nil, column: Int, _ messagePart: String) {
        self.line = line
        self.nodeCount = nodeCount
        self.column = column
        self.messagePart = messagePart
    }

    var testDescription: String { line }
}

@Suite struct ErrorTests {
    static let unknownAndTokens: [BadLine] = [
        BadLine("frobnicate 1", column: 1, "unknown command `frobnicate`"),
        BadLine("kil 1", column: 1, "did you mean `kill`?"),
        BadLine("KILL 1", column: 1, "did you mean `kill`?"),
        BadLine("\"kill\" 1", column: 1, "unknown command"),
        BadLine("put k \"open", column: 7, "unterminated quoted string"),
        BadLine("put k \"ends in \\", column: 16, "the line ends after a backslash"),
        BadLine("put k \"a\\nb\"", column: 9, "unknown escape \\n"),
        BadLine("put k ab\"c\"", column: 9, "a quote may only start a word"),
        BadLine("put k \"a\"b", column: 10, "expected a space after the closing quote"),
        BadLine(String(repeating: "x", count: 5000), column: 1, "line is too long"),
    ]

    static let arguments: [BadLine] = [
        BadLine("start", column: 6, "missing a node count"),
        BadLine("start 0", column: 7, "a node count must be 1 to 9, not 0"),
        BadLine("start 10", column: 7, "a node count must be 1 to 9, not 10"),
        BadLine("start -3", column: 7, "must be 1 to 9"),
        BadLine("start 99999999999999999999999", column: 7, "must be 1 to 9"),
        BadLine("start five", column: 7, "expected a node count, found `five`"),
        BadLine("start 3 4", column: 9, "unexpected extra argument `4`"),
        BadLine("start \"3\"", column: 7, "found a quoted string"),
        BadLine("kill", column: 5, "missing a node id or leader"),
        BadLine("kill 0", column: 6, "no node 0: node ids are 1 to 9"),
        BadLine("kill 10", column: 6, "no node 10"),
        BadLine("kill 4", nodeCount: 3, column: 6, "node ids in this cluster are 1 to 3"),
        BadLine("kill 1", nodeCount: 0, column: 6, "the cluster has no nodes"),
        BadLine("kill -1", column: 6, "no node `-1`"),
        BadLine("kill 18446744073709551616", column: 6, "no node"),
        BadLine("kill boss", column: 6, "expected a node id or leader, found `boss`"),
        BadLine("kill 1 2", column: 8, "unexpected extra argument"),
        BadLine("pause", column: 6, "missing"),
        BadLine("resume leader", column: 8, "takes a node id, not leader"),
        BadLine("restart leader", column: 9, "takes a node id, not leader"),
        BadLine("wipe leader", column: 6, "takes a node id, not leader"),
        BadLine("wipe 1.5", column: 6, "expected a node id"),
        BadLine("heal now", column: 6, "unexpected extra argument `now`"),
        BadLine("status 1", column: 8, "unexpected extra argument"),
        BadLine("quit please", column: 6, "unexpected extra argument"),
    ]

    static let network: [BadLine] = [
        BadLine("partition", column: 10, "missing groups"),
        BadLine("partition 1,2,3", column: 11, "at least two groups"),
        BadLine("partition 1,2 | 2,3", column: 17, "node 2 is listed twice"),
        BadLine("partition 1,2 | | 3", column: 17, "expected a node id, found `|`"),
        BadLine("partition 1,,2 | 3", column: 13, "expected a node id, found `,`"),
        BadLine("partition 1,2 |", column: 16, "missing a node id at the end"),
        BadLine("partition 1,2 | 3,", column: 19, "missing a node id at the end"),
        BadLine("partition | 1", column: 11, "expected a node id, found `|`"),
        BadLine("partition 1 2 | 3", column: 13, "expected `,` or `|`, found `2`"),
        BadLine("partition 0 | 1", column: 11, "no node 0"),
        BadLine("partition 1,a | 3", column: 13, "expected a node id, found `a`"),
        BadLine("partition 1,2 | 3", nodeCount: 5, column: 11, "node 4 is in no group"),
        BadLine("partition 1,2 | 6", nodeCount: 5, column: 17, "no node 6"),
        BadLine("partition 1,leader | 2", column: 13, "found `leader`"),
        BadLine("partition \"1,2\" | 3", column: 11, "found a quoted string"),
        BadLine("isolate", column: 8, "missing"),
        BadLine("isolate 1 2", column: 11, "unexpected extra argument"),
        BadLine("cut", column: 4, "missing a link like 1->2"),
        BadLine("cut 1", column: 6, "missing -> and a second node id"),
        BadLine("cut 1->", column: 8, "missing a node id after ->"),
        BadLine("cut 1 2", column: 7, "expected -> between the node ids, found `2`"),
        BadLine("cut 1-2", column: 6, "expected -> between the node ids, found `-`"),
        BadLine("cut 1->1", column: 5, "two different nodes"),
        BadLine("cut 1->12", column: 8, "no node 12"),
        BadLine("cut leader->2", column: 5, "expected a link like 1->2, found `leader`"),
        BadLine("cut 1->2->3", column: 9, "unexpected `->` after the link"),
        BadLine("cut 1->2 3", column: 10, "unexpected extra argument `3`"),
        BadLine("cut \"1->2\"", column: 5, "found a quoted string"),
        BadLine("link 1->2", column: 10, "missing a setting"),
        BadLine("link 1->2 speed 5ms", column: 11, "unknown link setting `speed`"),
        BadLine("link 1->2 delay", column: 16, "missing a delay"),
        BadLine("link 1->2 delay 5ms delay 6ms", column: 21, "`delay` is given twice"),
        BadLine("link 1->2 delay -5ms", column: 17, "a delay must not be negative"),
        BadLine("link 1->2 delay 5", column: 17, "`5` needs a unit: ms, s or m"),
        BadLine("link 1->2 delay 5h", column: 17, "unknown unit `h`"),
        BadLine("link 1->2 delay 2m", column: 17, "a delay must be 0ms to 1m"),
        BadLine("link 1->2 jitter 0.5ms", column: 18, "not a whole number of milliseconds"),
        BadLine("link 1->2 loss 10", column: 16, "expected a loss percentage like 10%"),
        BadLine("link 1->2 loss 101%", column: 16, "must be 0% to 100%"),
        BadLine("link 1->2 loss -1%", column: 16, "must be 0% to 100%"),
        BadLine("link 1->2 dup abc%", column: 15, "like 10%, found `abc%`"),
        BadLine("link 1->2 loss 1e5%", column: 16, "like 10%"),
    ]

    static let timeAndData: [BadLine] = [
        BadLine("step 0", column: 6, "a count must be 1 to 10000, not 0"),
        BadLine("step -1", column: 6, "a count must be 1 to 10000"),
        BadLine("step 10001", column: 6, "a count must be 1 to 10000"),
        BadLine("step 1 2", column: 8, "unexpected extra argument"),
        BadLine("step x", column: 6, "expected a count"),
        BadLine("pace", column: 5, "missing teach, real or a factor"),
        BadLine("pace fast", column: 6, "expected teach, real or a factor like 0.5"),
        BadLine("pace 0", column: 6, "a factor must be 0.1 to 100.0"),
        BadLine("pace 0.05", column: 6, "a factor must be 0.1 to 100.0, not 0.05"),
        BadLine("pace -2", column: 6, "a factor must be"),
        BadLine("pace 101", column: 6, "a factor must be"),
        BadLine("pace inf", column: 6, "expected teach, real or a factor"),
        BadLine("pace nan", column: 6, "expected teach, real or a factor"),
        BadLine("pace .5", column: 6, "expected teach, real or a factor"),
        BadLine("pace 2.", column: 6, "expected teach, real or a factor"),
        BadLine("put", column: 4, "missing a key"),
        BadLine("put k", column: 6, "missing a value"),
        BadLine("put k hello world", column: 13, "unexpected extra argument `world`"),
        BadLine("put \"\" v", column: 5, "a key must not be empty"),
        BadLine("get", column: 4, "missing a key"),
        BadLine("get --stale --node 2", column: 5, "expected a key before the options"),
        BadLine("get x --stale", column: 14, "--stale needs --node N"),
        BadLine("get x --node 2", column: 15, "--node N needs --stale"),
        BadLine("get x --node", column: 13, "missing a node id"),
        BadLine("get x --node leader --stale", column: 14, "takes a node id, not leader"),
        BadLine("get x --stale --stale --node 1", column: 15, "`--stale` is given twice"),
        BadLine("get x --fresh", column: 7, "unknown option `--fresh`"),
        BadLine("get x y", column: 7, "unknown option `y`"),
        BadLine("del", column: 4, "missing a key"),
        BadLine("del a b", column: 7, "unexpected extra argument"),
        BadLine("cas k", column: 6, "missing OLD"),
        BadLine("cas k 1", column: 8, "missing NEW"),
        BadLine("cas k 1 2 3", column: 11, "unexpected extra argument"),
    ]

    static let console: [BadLine] = [
        BadLine("log", column: 4, "missing"),
        BadLine("log 11", column: 5, "no node 11"),
        BadLine("wait", column: 5, "missing what to wait for"),
        BadLine("wait follower", column: 6, "can only wait for leader"),
        BadLine("wait leader 5s", column: 13, "expected within, found `5s`"),
        BadLine("wait leader within", column: 19, "missing a time limit"),
        BadLine("wait leader within 0s", column: 20, "a time limit must be 1ms to 60m"),
        BadLine("wait leader within 2h", column: 20, "unknown unit `h`"),
        BadLine("wait leader within 5s now", column: 23, "unexpected extra argument"),
        BadLine("sleep", column: 6, "missing a duration"),
        BadLine("sleep -2s", column: 7, "a duration must not be negative"),
        BadLine("sleep 2", column: 7, "needs a unit"),
        BadLine("sleep 61m", column: 7, "a duration must be 0ms to 60m"),
        BadLine("sleep 99999999999999999999s", column: 7, "is too long: at most 60m"),
        BadLine("sleep 9999999999999m", column: 7, "must be 0ms to 60m"),
        BadLine("sleep 1.2.3s", column: 7, "expected a duration like 500ms"),
        BadLine("sleep s", column: 7, "expected a duration like 500ms"),
        BadLine("sleep 1.0000000000000001s", column: 7, "is too long"),
        BadLine("help nothing", column: 6, "no help for `nothing`"),
        BadLine("help kil", column: 6, "did you mean `kill`?"),
        BadLine("help kill now", column: 11, "unexpected extra argument"),
        BadLine("start 3 --cold", column: 9, "expected --frozen, found `--cold`"),
        BadLine("start 3 --frozen now", column: 18, "unexpected extra argument"),
        BadLine("hide", column: 5, "missing heartbeats"),
        BadLine("hide votes", column: 6, "expected heartbeats, found `votes`"),
        BadLine("show heartbeats now", column: 17, "unexpected extra argument"),
    ]

    static func check(_ bad: BadLine) {
        switch parsed(bad.line, nodeCount: bad.nodeCount) {
        case .success(let command):
            Issue.record("`\(bad.line)` parsed as \(String(describing: command))")
        case .failure(let error):
            #expect(error.message.contains(bad.messagePart), "\(error)")
            #expect(error.column == bad.column, "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test(arguments: unknownAndTokens)
    func refusesBadWordsAndQuotes(bad: BadLine) { Self.check(bad) }

    @Test(arguments: arguments)
    func refusesBadArguments(bad: BadLine) { Self.check(bad) }

    @Test(arguments: network)
    func refusesBadNetworkCommands(bad: BadLine) { Self.check(bad) }

    @Test(arguments: timeAndData)
    func refusesBadTimeAndDataCommands(bad: BadLine) { Self.check(bad) }

    @Test(arguments: console)
    func refusesBadConsoleCommands(bad: BadLine) { Self.check(bad) }

    @Test func errorsOfKnownCommandsCarryTheirUsage() {
        guard case .failure(let error) = parsed("link 1->2") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.usage == "link A->B [delay D] [jitter D] [loss P%] [dup P%]")
        #expect(
            error.description == "column 10: missing a setting: delay, jitter, loss or dup "
                + "(usage: link A->B [delay D] [jitter D] [loss P%] [dup P%])"
        )
    }

    @Test func tokenizerErrorsCarryTheUsageWhenTheCommandIsKnown() {
        guard case .failure(let error) = parsed("put k \"open") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.usage == "put K V")
    }

    @Test func unknownCommandsHaveNoUsage() {
        guard case .failure(let error) = parsed("frobnicate") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.usage == nil)
        #expect(
            error.description
                == "column 1: unknown command `frobnicate` (type `help` for the list)"
        )
    }

    @Test func messagesShowControlCharactersVisibly() {
        guard case .failure(let error) = parsed("kill \u{7}x") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.contains("\\u{7}x"))
    }

    @Test func longInputIsShortenedInMessages() {
        let word = String(repeating: "y", count: 200)
        guard case .failure(let error) = parsed("kill \(word)") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.count < 100)
    }
}
