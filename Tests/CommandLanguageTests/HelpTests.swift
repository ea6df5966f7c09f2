import Testing

@testable import CommandLanguage

@Suite struct HelpTests {
    static let expectedNames = [
        "start", "kill", "pause", "resume", "restart", "wipe", "partition", "isolate", "cut",
        "link", "heal", "freeze", "step", "thaw", "pace", "put", "get", "del", "cas", "status",
        "log", "wait", "sleep", "help", "quit", "timeout", "skew", "set", "transfer", "member", "client", "clients", "lock", "unlock", "locks",
        "campaign", "resign", "leader", "check", "show", "hide", "back", "seek",
    ]

    @Test func commandNamesAreTheLanguage() {
        #expect(CommandHelp.commandNames == Self.expectedNames)
    }

    @Test(arguments: expectedNames)
    func everyCommandHasHelp(name: String) throws {
        let help = try #require(CommandHelp.help(for: name))
        let parts = help.split(separator: "\n\n", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(parts[0].hasPrefix("usage: \(name)"))
        #expect(!parts[1].contains("\n"))
        #expect(parts[1].count > 30)
        #expect(parts[2].hasPrefix("example: \(name)"))
    }

    @Test(arguments: expectedNames)
    func everyExampleParses(name: String) throws {
        let help = try #require(CommandHelp.help(for: name))
        let example = try #require(help.split(separator: "\n").last)
        let line = String(example.dropFirst("example: ".count))
        #expect(try CommandParser.parse(line) != nil)
        #expect(try CommandParser.parse("help \(name)") == .help(topic: name))
    }

    @Test(arguments: expectedNames)
    func errorUsageMatchesHelp(name: String) throws {
        let help = try #require(CommandHelp.help(for: name))
        let usage = help.split(separator: "\n").first.map { String($0.dropFirst("usage: ".count)) }
        // A stray argument or a missing one: every command refuses one of the two.
        let line = name == "help" ? "help kill extra" : "\(name) 1 2 3 4 5 6 7 8 9"
        guard case .failure(let error) = parsed(line) else {
            Issue.record("`\(line)` parsed")
            return
        }
        #expect(error.usage == usage)
    }

    @Test func wipeWarnsThatItBreaksTheFaultModel() throws {
        let help = try #require(CommandHelp.help(for: "wipe"))
        #expect(help.contains("outside Raft's fault model"))
        #expect(help.contains("may break safety"))
        #expect(help.contains("Drills never use it"))
    }

    @Test func helpIgnoresCaseAndSpacesButNotUnknownNames() {
        #expect(CommandHelp.help(for: " Kill ") == CommandHelp.help(for: "kill"))
        #expect(CommandHelp.help(for: "frobnicate") == nil)
        #expect(CommandHelp.help(for: "") == nil)
    }

    @Test func overviewHasOneAlignedLinePerCommand() {
        let lines = CommandHelp.overview.split(separator: "\n")
        #expect(lines.count == Self.expectedNames.count)
        for (line, name) in zip(lines, Self.expectedNames) {
            #expect(line.hasPrefix(name))
        }
        let summaryColumns = Set(lines.compactMap { line -> Int? in
            let usage = CommandName(rawValue: String(line.prefix { $0 != " " }))?.spec.usage ?? ""
            guard usage.count <= CommandHelp.overviewUsageWidth else { return nil }
            return line.dropFirst(usage.count).prefix { $0 == " " }.count + usage.count
        })
        #expect(summaryColumns == [CommandHelp.overviewUsageWidth + 2])
        #expect(lines.allSatisfy { $0.count <= 80 })
    }
}
