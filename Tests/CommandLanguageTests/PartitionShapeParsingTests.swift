import Testing

@testable import CommandLanguage

@Suite struct PartitionShapeParsingTests {
    static let valid: [(String, Int?, Command)] = [
        ("partition ring", nil, .partitionRing(order: nil)),
        ("partition ring", 5, .partitionRing(order: nil)),
        ("partition ring 3,1,5,2,4", 5, .partitionRing(order: [3, 1, 5, 2, 4])),
        ("partition ring 1, 2 ,3", nil, .partitionRing(order: [1, 2, 3])),
        ("partition bridge", 5, .partitionBridge(node: nil, halves: nil)),
        ("partition bridge 3", nil, .partitionBridge(node: .id(3), halves: nil)),
        ("partition bridge leader", 5, .partitionBridge(node: .leader, halves: nil)),
        ("partition bridge 3 between 1,4 | 2,5", 5, .partitionBridge(node: .id(3), halves: [[1, 4], [2, 5]])),
        ("partition bridge 2 between 1|3", 3, .partitionBridge(node: .id(2), halves: [[1], [3]])),
    ]

    @Test(arguments: valid)
    func parses(line: String, nodeCount: Int?, command: Command) throws {
        #expect(try CommandParser.parse(line, nodeCount: nodeCount) == command)
        // The canonical line (journal, history) parses back to the same command.
        #expect(try CommandParser.parse(command.description, nodeCount: nodeCount) == command)
    }

    @Test func canonicalLines() {
        #expect(Command.partitionRing(order: nil).description == "partition ring")
        #expect(Command.partitionRing(order: [2, 1, 3]).description == "partition ring 2,1,3")
        #expect(Command.partitionBridge(node: nil, halves: nil).description == "partition bridge")
        #expect(Command.partitionBridge(node: .leader, halves: nil).description == "partition bridge leader")
        #expect(Command.partitionBridge(node: .id(3), halves: [[1, 2], [4, 5]]).description
            == "partition bridge 3 between 1,2 | 4,5")
    }

    static let invalid: [BadLine] = [
        BadLine("partition rin", column: 11, "unknown partition shape `rin`, did you mean `ring`?"),
        BadLine("partition brige 3", column: 11, "did you mean `bridge`?"),
        BadLine("partition star", column: 11, "(ring, bridge, or groups like 1,2 | 3,4,5)"),
        BadLine("partition ring", nodeCount: 2, column: 15, "a ring needs at least 3 nodes"),
        BadLine("partition ring 1,2", column: 16, "a ring needs at least 3 nodes"),
        BadLine("partition ring 1,2 | 3", column: 20, "no `|`"),
        BadLine("partition ring 1,2,3", nodeCount: 5, column: 16, "node 4 is not in the ring"),
        BadLine("partition ring 1,2,2", column: 20, "node 2 is listed twice"),
        BadLine("partition bridge", nodeCount: 2, column: 17, "a bridge needs at least 3 nodes"),
        BadLine("partition bridge 6", nodeCount: 5, column: 18, "no node 6"),
        BadLine("partition bridge 3 via 1 | 2", column: 20, "expected between A,B | C,D, found `via`"),
        BadLine("partition bridge leader between 1 | 2", column: 25, "not leader"),
        BadLine("partition bridge 3 between", column: 27, "missing the two halves"),
        BadLine("partition bridge 3 between 1 | 2 | 4", column: 28, "exactly two halves"),
        BadLine("partition bridge 3 between 1,3 | 4", column: 30, "node 3 is the bridge"),
        BadLine("partition bridge 3 between 1 | 4,5", nodeCount: 5, column: 28, "node 2 is in neither half"),
    ]

    @Test(arguments: invalid)
    func refuses(bad: BadLine) { ErrorTests.check(bad) }

    @Test func completesShapes() {
        let complete = { (line: String, nodes: Int) in CommandHelp.completions(for: line, nodeCount: nodes) }
        #expect(complete("partition r", 5) == ["partition ring"])
        #expect(complete("partition ", 3) == ["partition 1", "partition 2", "partition 3", "partition ring",
                                             "partition bridge"])
        #expect(complete("partition ", 2) == ["partition 1", "partition 2"])
        #expect(complete("partition ring 3,1,", 4) == ["partition ring 3,1,2", "partition ring 3,1,4"])
        #expect(complete("partition bridge ", 3) == ["partition bridge 1", "partition bridge 2",
                                                    "partition bridge 3", "partition bridge leader"])
        #expect(complete("partition bridge 3 ", 5) == ["partition bridge 3 between"])
        #expect(complete("partition bridge leader ", 5) == [])
        #expect(complete("partition bridge 3 between 1,", 5) == ["partition bridge 3 between 1,2",
                                                                "partition bridge 3 between 1,4",
                                                                "partition bridge 3 between 1,5"])
    }

    @Test func helpExplainsRingAndBridge() throws {
        let help = try #require(CommandHelp.help(for: "partition"))
        #expect(help.hasPrefix("usage: partition A,B | C,D or ring or bridge N"))
        #expect(help.contains("`partition ring [A,B,C,…]`") && help.contains("overlapping majorities"))
        #expect(help.contains("`partition bridge [N|leader] [between A,B | C,D]`"))
        #expect(CommandHelp.overview.contains("cut the network: groups, ring, bridge"))
    }
}
