import Testing

@testable import CommandLanguage

@Suite struct CompletionTests {
    func complete(_ line: String, nodes: Int = 5) -> [String] {
        CommandHelp.completions(for: line, nodeCount: nodes)
    }

    @Test func completesCommandNames() {
        #expect(complete("") == CommandHelp.commandNames)
        #expect(complete("   ") == CommandHelp.commandNames.map { "   " + $0 })
        #expect(complete("p") == ["pause", "partition", "pace", "put"])
        #expect(complete("pa") == ["pause", "partition", "pace"])
        #expect(complete("st") == ["start", "step", "status"])
        #expect(complete("kill") == [])
        #expect(complete("zz") == [])
    }

    @Test func completesNodeIds() {
        #expect(complete("kill ") == [
            "kill 1", "kill 2", "kill 3", "kill 4", "kill 5", "kill leader",
        ])
        #expect(complete("kill l") == ["kill leader"])
        #expect(complete("kill 3", nodes: 3) == [])
        #expect(complete("restart ", nodes: 3) == ["restart 1", "restart 2", "restart 3"])
        #expect(complete("log ", nodes: 1) == ["log 1", "log leader"])
        #expect(complete("kill ", nodes: 0) == ["kill leader"])
        #expect(complete("kill 1 ") == [])
        #expect(complete("start ", nodes: 0).count == 9)
    }

    @Test func completesConsoleWords() {
        #expect(complete("start 3 ") == ["start 3 --frozen"])
        #expect(complete("hide h") == ["hide heartbeats"])
        #expect(complete("show ") == ["show heartbeats"])
    }

    @Test func completesPartitionsWithUnlistedNodes() {
        #expect(complete("partition 1,2 | 3,", nodes: 5) == [
            "partition 1,2 | 3,4", "partition 1,2 | 3,5",
        ])
        #expect(complete("partition 1,2|", nodes: 3) == ["partition 1,2|3"])
        #expect(complete("partition ", nodes: 2) == ["partition 1", "partition 2"])
    }

    @Test func completesLinkEnds() {
        #expect(complete("cut ", nodes: 2) == ["cut 1", "cut 2"])
        #expect(complete("cut 1->", nodes: 3) == ["cut 1->2", "cut 1->3"])
        #expect(complete("cut 2 -> ", nodes: 3) == ["cut 2 -> 1", "cut 2 -> 3"])
        #expect(complete("cut 1->2 ", nodes: 3) == [])
        #expect(complete("link 1->", nodes: 2) == ["link 1->2"])
    }

    @Test func completesKeywords() {
        #expect(complete("link 1->2 ") == [
            "link 1->2 delay", "link 1->2 jitter", "link 1->2 loss", "link 1->2 dup",
        ])
        #expect(complete("link 1->2 d") == ["link 1->2 delay", "link 1->2 dup"])
        #expect(complete("link 1->2 delay 5ms ") == [
            "link 1->2 delay 5ms jitter", "link 1->2 delay 5ms loss", "link 1->2 delay 5ms dup",
        ])
        #expect(complete("link 1->2 delay ") == [])
        #expect(complete("pace ") == ["pace teach", "pace real"])
        #expect(complete("wait ") == ["wait leader", "wait elected"])
        #expect(complete("wait leader w") == ["wait leader within"])
        #expect(complete("get x ") == ["get x --stale", "get x --node"])
        #expect(complete("get x --stale ") == ["get x --stale --node"])
        #expect(complete("get x --stale --node ", nodes: 2) == [
            "get x --stale --node 1", "get x --stale --node 2",
        ])
        #expect(complete("help wi") == ["help wipe"])
        #expect(complete("put ") == [])
    }

    @Test func everyCompletionOfAFullCommandParses() throws {
        for line in complete("kill ") + complete("partition 1,2 | 3,4,") + complete("cut 1->") {
            #expect(try CommandParser.parse(line, nodeCount: 5) != nil, "\(line)")
        }
    }

    @Test func linesWithQuotesOrNoiseCompleteToNothing() {
        #expect(complete("put \"a b") == [])
        #expect(complete("\u{0}\u{1}") == [])
        #expect(complete(String(repeating: "k", count: 5000)) == [])
    }
}
