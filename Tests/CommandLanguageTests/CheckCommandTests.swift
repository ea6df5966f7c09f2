import Testing
@testable import CommandLanguage

@Suite("check")
struct CheckCommandTests {
    @Test("`check` parses, with surrounding blanks, and writes back as itself")
    func parses() throws {
        #expect(try CommandParser.parse("check") == .check)
        #expect(try CommandParser.parse("  check  ", nodeCount: 3) == .check)
        #expect(Command.check.description == "check")
        #expect(try CommandParser.parse(Command.check.description) == .check)
    }

    @Test("`check` takes no arguments and no client",
          arguments: ["check x", "check as alice", "check --all"])
    func refusesArguments(line: String) {
        do {
            _ = try CommandParser.parse(line, nodeCount: 3)
            Issue.record("\(line) parsed")
        } catch {
            #expect(error.usage == "check")
            #expect(error.column == 7)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("help explains check, and the command name completes")
    func helpAndCompletion() throws {
        let help = try #require(CommandHelp.help(for: "check"))
        #expect(help.hasPrefix("usage: check\n\n"))
        #expect(help.contains("linearizable"))
        #expect(CommandHelp.overview.split(separator: "\n").contains { $0.hasPrefix("check ") })
        #expect(CommandHelp.completions(for: "che", nodeCount: 3) == ["check"])
        #expect(CommandHelp.completions(for: "check ", nodeCount: 3).isEmpty)
    }

    @Test("`check` is not a client command")
    func notAClientCommand() {
        #expect(!Command.check.takesClient)
    }
}
