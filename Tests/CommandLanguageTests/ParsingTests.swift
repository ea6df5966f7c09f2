import Testing

@testable import CommandLanguage

/// Parses `line`, recording the error instead of throwing it.
func parsed(_ line: String, nodeCount: Int? = nil) -> Result<Command?, CommandError> {
    do throws(CommandError) {
        return .success(try CommandParser.parse(line, nodeCount: nodeCount))
    } catch {
        return .failure(error)
    }
}

@Suite struct ParsingTests {
    static let valid: [(String, Command)] = [
        ("start 1", .start(nodes: 1)),
        ("start 9", .start(nodes: 9)),
        ("  start   5  ", .start(nodes: 5)),
        ("start\t3", .start(nodes: 3)),
        ("start 3 --frozen", .start(nodes: 3, frozen: true)),
        ("show heartbeats", .heartbeats(shown: true)),
        ("hide heartbeats", .heartbeats(shown: false)),
        ("kill 2", .kill(.id(2))),
        ("kill leader", .kill(.leader)),
        ("pause 3", .pause(.id(3))),
        ("pause leader", .pause(.leader)),
        ("resume 3", .resume(.id(3))),
        ("restart 4", .restart(.id(4))),
        ("wipe 5", .wipe(.id(5))),
        ("partition 1,2 | 3,4,5", .partition([[1, 2], [3, 4, 5]])),
        ("partition 1,2|3,4,5", .partition([[1, 2], [3, 4, 5]])),
        ("partition 1 , 2 |3", .partition([[1, 2], [3]])),
        ("partition 1 | 2 | 3", .partition([[1], [2], [3]])),
        ("partition 5,1 | 2", .partition([[5, 1], [2]])),
        ("isolate 1", .isolate(.id(1))),
        ("isolate leader", .isolate(.leader)),
        ("transfer 2", .transfer(to: 2)),
        ("member add", .member(.add)),
        ("member list", .member(.list)),
        ("member promote 4", .member(.promote(4))),
        ("member remove 1", .member(.remove(.id(1)))),
        ("member remove leader", .member(.remove(.leader))),
        ("cut 1->2", .cut(from: 1, to: 2)),
        ("cut 1 -> 2", .cut(from: 1, to: 2)),
        ("cut 1 ->2", .cut(from: 1, to: 2)),
        ("cut 1-> 2", .cut(from: 1, to: 2)),
        ("link 1->2 delay 20ms", .link(from: 1, to: 2, LinkSettings(delayMs: 20))),
        (
            "link 1->2 delay 20ms jitter 5ms loss 10% dup 1%",
            .link(
                from: 1, to: 2,
                LinkSettings(delayMs: 20, jitterMs: 5, lossPercent: 10, duplicatePercent: 1)
            )
        ),
        ("link 3 -> 1 loss 0.5%", .link(from: 3, to: 1, LinkSettings(lossPercent: 0.5))),
        (
            "link 2->1 dup 100% jitter 1s",
            .link(from: 2, to: 1, LinkSettings(jitterMs: 1000, duplicatePercent: 100))
        ),
        ("link 2->1 delay 0ms", .link(from: 2, to: 1, LinkSettings(delayMs: 0))),
        ("link 2->1 loss 0%", .link(from: 2, to: 1, LinkSettings(lossPercent: 0))),
        ("heal", .heal),
        ("freeze", .freeze),
        ("step", .step(count: 1)),
        ("step 1", .step(count: 1)),
        ("step 25", .step(count: 25)),
        ("thaw", .thaw),
        ("pace teach", .pace(.teach)),
        ("pace real", .pace(.real)),
        ("pace 0.5", .pace(.factor(0.5))),
        ("pace 2", .pace(.factor(2))),
        ("pace 0.1", .pace(.factor(0.1))),
        ("pace 100", .pace(.factor(100))),
        ("pace 12.75", .pace(.factor(12.75))),
        ("put x 1", .put(key: "x", value: "1")),
        ("put color \"deep blue\"", .put(key: "color", value: "deep blue")),
        ("put \"a key\" \"\"", .put(key: "a key", value: "")),
        (#"put q "say \"hi\"""#, .put(key: "q", value: #"say "hi""#)),
        (#"put path "C:\\dir""#, .put(key: "path", value: #"C:\dir"#)),
        ("put arrows a->b|c,d", .put(key: "arrows", value: "a->b|c,d")),
        ("put k #not-a-comment", .put(key: "k", value: "#not-a-comment")),
        ("put k \"as\"", .put(key: "k", value: "as")),
        ("put ключ значение", .put(key: "ключ", value: "значение")),
        ("get x", .get(key: "x", staleNode: nil)),
        ("get x --stale --node 3", .get(key: "x", staleNode: 3)),
        ("get x --node 3 --stale", .get(key: "x", staleNode: 3)),
        ("get \"--stale\"", .get(key: "--stale", staleNode: nil)),
        ("del x", .del(key: "x")),
        ("cas x 1 2", .cas(key: "x", old: "1", new: "2")),
        ("cas x \"\" first", .cas(key: "x", old: "", new: "first")),
        ("status", .status),
        ("log 1", .log(.id(1))),
        ("log leader", .log(.leader)),
        ("wait leader", .waitLeader(withinMs: nil)),
        ("wait leader within 5s", .waitLeader(withinMs: 5000)),
        ("wait leader within 1.5s", .waitLeader(withinMs: 1500)),
        ("sleep 2s", .sleep(ms: 2000)),
        ("sleep 500ms", .sleep(ms: 500)),
        ("sleep 1.5s", .sleep(ms: 1500)),
        ("sleep 1m", .sleep(ms: 60_000)),
        ("sleep 0.25m", .sleep(ms: 15_000)),
        ("sleep 0ms", .sleep(ms: 0)),
        ("sleep 007ms", .sleep(ms: 7)),
        ("sleep 1.250s", .sleep(ms: 1250)),
        ("sleep 60m", .sleep(ms: 3_600_000)),
        ("help", .help(topic: nil)),
        ("help partition", .help(topic: "partition")),
        ("quit", .quit),
    ]

    @Test(arguments: valid)
    func parsesValidLine(line: String, expected: Command) throws {
        #expect(try CommandParser.parse(line) == expected)
    }

    @Test(arguments: ["", "   ", "\t", "# a comment", "   # indented comment", "#", "# \"open"])
    func blankAndCommentLinesAreNil(line: String) throws {
        #expect(try CommandParser.parse(line) == nil)
    }

    @Test func nodeIdsFollowTheClusterSize() throws {
        #expect(try CommandParser.parse("kill 3", nodeCount: 3) == .kill(.id(3)))
        #expect(try CommandParser.parse("kill 9") == .kill(.id(9)))
        #expect(try CommandParser.parse("start 7", nodeCount: 3) == .start(nodes: 7))
        #expect(throws: CommandError.self) { try CommandParser.parse("kill 4", nodeCount: 3) }
        // A member just added may not be in the caller's count yet: the back end checks its ids.
        #expect(try CommandParser.parse("member promote 4", nodeCount: 3) == .member(.promote(4)))
        #expect(throws: CommandError.self) { try CommandParser.parse("member promote 10", nodeCount: 3) }
        #expect(throws: CommandError.self) { try CommandParser.parse("member join") }
        #expect(throws: CommandError.self) { try CommandParser.parse("member remove") }
    }

    @Test func partitionWithKnownSizeListsEveryNode() throws {
        let line = "partition 1,2 | 3,4,5"
        #expect(try CommandParser.parse(line, nodeCount: 5) == .partition([[1, 2], [3, 4, 5]]))
        #expect(try CommandParser.parse("partition 1 | 3") == .partition([[1], [3]]))
    }

    @Test(arguments: valid.map(\.1))
    func canonicalTextParsesBack(command: Command) throws {
        #expect(try CommandParser.parse(command.description) == command)
    }

    @Test func canonicalTextIsReadable() {
        #expect(Command.cut(from: 1, to: 2).description == "cut 1->2")
        #expect(Command.partition([[1, 2], [3]]).description == "partition 1,2 | 3")
        #expect(Command.put(key: "k", value: "two words").description == #"put k "two words""#)
        #expect(Command.sleep(ms: 1500).description == "sleep 1500ms")
        #expect(Command.waitLeader(withinMs: 5000).description == "wait leader within 5s")
        #expect(Command.get(key: "x", staleNode: 2).description == "get x --stale --node 2")
    }
}
