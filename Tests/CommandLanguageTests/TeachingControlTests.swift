import Testing
@testable import CommandLanguage

@Suite("Teaching controls")
struct TeachingControlTests {
    @Test("timeout, skew and set parse and write back", arguments: [
        ("timeout 3", Command.timeout(.id(3))),
        ("timeout leader", Command.timeout(.leader)),
        ("skew 2 3", Command.skew(node: 2, factor: 3)),
        ("skew 1 0.5", Command.skew(node: 1, factor: 0.5)),
        ("set prevote off", Command.set(.prevote, false)),
        ("set checkquorum on", Command.set(.checkquorum, true)),
        ("set fsync off", Command.set(.fsync, false)),
    ])
    func parses(line: String, command: Command) throws {
        #expect(try CommandParser.parse(line, nodeCount: 5) == command)
        #expect(try CommandParser.parse(command.description, nodeCount: 5) == command)
    }

    @Test("bad teaching controls are one-line errors with the usage", arguments: [
        "timeout", "timeout 7", "skew 2", "skew 2 0", "skew 2 50", "skew leader 2", "set", "set prevote",
        "set prevote maybe", "set raft off", "set fsync off now",
    ])
    func refuses(line: String) {
        do {
            _ = try CommandParser.parse(line, nodeCount: 5)
            Issue.record("\(line) parsed")
        } catch {
            #expect(!error.description.contains("\n"))
            #expect(error.usage != nil)
        }
    }

    @Test("completion offers settings and on/off")
    func completion() {
        #expect(CommandHelp.completions(for: "set pre", nodeCount: 3) == ["set prevote"])
        #expect(CommandHelp.completions(for: "set prevote o", nodeCount: 3).sorted() == ["set prevote off", "set prevote on"])
    }
}

@Suite("Named clients")
struct NamedClientTests {
    @Test("`as NAME` names the client of a client command and writes back", arguments: [
        ("put x 1 as alice", Command.asClient("alice", .put(key: "x", value: "1"))),
        ("get x as bob", Command.asClient("bob", .get(key: "x", staleNode: nil))),
        ("cas k a b as \"c d\"", Command.asClient("c d", .cas(key: "k", old: "a", new: "b"))),
        ("client pause alice", Command.clientPause("alice", true)),
        ("client resume alice", Command.clientPause("alice", false)),
        ("clients", Command.clients),
    ])
    func parses(line: String, command: Command) throws {
        #expect(try CommandParser.parse(line, nodeCount: 3) == command)
        #expect(try CommandParser.parse(command.description, nodeCount: 3) == command)
    }

    @Test("a quoted \"as\" is data, not the clause")
    func quotedAs() throws {
        #expect(try CommandParser.parse("put k \"as\"", nodeCount: 3) == .put(key: "k", value: "as"))
        #expect(try CommandParser.parse("put as \"as\" as x", nodeCount: 3)
                == .asClient("x", .put(key: "as", value: "as")))
    }

    @Test("commands that are not a client's refuse `as NAME`", arguments: ["kill 1 as alice", "heal as bob",
                                                                             "client stop alice", "get x as"])
    func refuses(line: String) {
        #expect(throws: CommandError.self) { try CommandParser.parse(line, nodeCount: 3) }
    }
}

@Suite("Lock and election commands")
struct LockCommandTests {
    @Test("lock, unlock, campaign, resign, leader, wait elected and fenced puts parse and write back", arguments: [
        ("lock L", Command.lock(name: "L", ttlMs: nil)),
        ("lock L ttl 5s as alice", Command.asClient("alice", .lock(name: "L", ttlMs: 5_000))),
        ("unlock L as alice", Command.asClient("alice", .unlock(name: "L"))),
        ("locks", Command.locks),
        ("campaign primary db-1 as bob", Command.asClient("bob", .campaign(name: "primary", value: "db-1", ttlMs: nil))),
        ("resign primary", Command.resign(name: "primary")),
        ("leader primary", Command.electionLeader(name: "primary")),
        ("wait elected primary as bob within 5s", Command.asClient("bob", .waitElected(name: "primary", withinMs: 5_000))),
        ("wait elected primary within 5s as bob", Command.asClient("bob", .waitElected(name: "primary", withinMs: 5_000))),
        ("put x 1 --fence 7 as alice", Command.asClient("alice", .fencedPut(key: "x", value: "1", token: 7))),
    ])
    func parses(line: String, command: Command) throws {
        #expect(try CommandParser.parse(line, nodeCount: 3) == command)
        #expect(try CommandParser.parse(command.description, nodeCount: 3) == command)
    }

    @Test("bad lock and election lines are refused", arguments: [
        "lock", "lock L ttl", "lock L ttl 0s", "lock L for 5s", "put x 1 --fence", "put x 1 --fence -1",
        "put x 1 --color 2", "campaign primary", "wait elected", "locks now",
    ])
    func refuses(line: String) {
        #expect(throws: CommandError.self) { try CommandParser.parse(line, nodeCount: 3) }
    }
}
