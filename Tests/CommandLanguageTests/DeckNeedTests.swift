import Testing
@testable import CommandLanguage

@Suite("Deck needs")
struct DeckNeedTests {
    @Test("a deck's header states what it needs: engine, protocol, simulation seed")
    func parsesNeeds() throws {
        let lines = try ScenarioParser.parse("""
            start 3
            engine etcd
            protocol primary-backup
            simulate 42
            say "…"
            """, file: "t.deck", nodeCount: nil)
        #expect(lines.map(\.step) == [
            .command(.start(nodes: 3)), .need(.engine(.etcd)), .need(.replication(.primaryBackup)),
            .need(.simulation(seed: 42)), .say("…"),
        ])
        #expect(lines[1...3].map { line -> String in
            guard case .need(let need) = line.step else { return "" }
            return need.text
        } == ["engine etcd", "protocol primary-backup", "simulate 42"])
        #expect(DeckNeed.simulation(seed: 1).engine == .simulation)
        #expect(DeckNeed.replication(.raft).engine == nil)
    }

    @Test("unknown words, missing words and late needs are refused with the line and usage")
    func refusesBadNeeds() {
        let cases: [(String, Int, String)] = [
            ("engine kubernetes", 1, "no engine kubernetes (usage: engine processes|simulation|etcd)"),
            ("protocol paxos", 1, "no protocol paxos (usage: protocol raft|primary-backup)"),
            ("simulate -3", 1, "the seed must be a whole number ≥ 0, not -3 (usage: simulate SEED)"),
            ("engine", 1, "engine takes one word (usage: engine processes|simulation|etcd)"),
            ("put x 1\nengine etcd", 2, "`engine etcd` must come before the first command (the cluster is "
                + "chosen by it)"),
        ]
        for (text, line, message) in cases {
            #expect(throws: ScenarioError.self) { try ScenarioParser.parse(text, file: "t.deck", nodeCount: 3) }
            do {
                _ = try ScenarioParser.parse(text, file: "t.deck", nodeCount: 3)
            } catch {
                #expect(error.line == line, "\(text)")
                #expect(error.message == message, "\(text)")
            }
        }
    }
}

@Suite("Replication modes")
struct ReplicationModeTests {
    @Test("async, semi-sync K and semi-sync K wait parse and print back")
    func parsesModes() throws {
        for text in ["async", "semi-sync 1", "semi-sync 2 wait"] {
            #expect(try ReplicationMode.parse(text).get().description == text)
        }
        #expect(try ReplicationMode.parse("semi-sync").get() == .semiSync(replicas: 1, waitsForever: false))
        for bad in ["sync", "semi-sync 0", "semi-sync 1 later", "async 1", ""] {
            #expect(throws: ReplicationModeError.self) { try ReplicationMode.parse(bad).get() }
        }
    }

    @Test("a deck's header may say when a primary answers")
    func parsesHeader() throws {
        let lines = try ScenarioParser.parse("replication semi-sync 1 wait\nstart 3", file: "t.deck", nodeCount: nil)
        #expect(lines.first?.step == .need(.acknowledgement(.semiSync(replicas: 1, waitsForever: true))))
        #expect(throws: ScenarioError.self) {
            try ScenarioParser.parse("replication sometimes\nstart 3", file: "t.deck", nodeCount: nil)
        }
    }
}
