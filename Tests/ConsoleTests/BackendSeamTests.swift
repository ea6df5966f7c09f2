import ClusterAPI
import CommandLanguage
import Synchronization
import Testing
@testable import Console

@Suite("The ClusterBackend seam, from the front ends' side")
struct BackendSeamTests {
    private func parse(_ text: String) throws -> [ScenarioLine] {
        try ScenarioParser.parse(text, file: "t.deck", nodeCount: 5)
    }

    @Test("the lesson player drives any back end: picks resolve by role, commands arrive typed")
    func playerOnAnyBackend() async throws {
        let backend = ScriptedBackend()
        let printed = PrintedLines()
        let script = try parse("""
            start 5
            say "n1 leads; we stop a follower"
            pick f = follower
            kill $f
            expect get x == 1
            expect role $f == follower
            """)
        let player = ScenarioPlayer(cluster: backend, speed: 1,
                                    audience: PrintedAudience(file: "t.deck", printing: printed.append),
                                    file: "t.deck")
        let passed = await player.run(script)
        #expect(passed)
        // Fixtures: n1 leads, n2 is the lowest running follower.
        #expect(backend.executed == [.kill(.id(2)), .get(key: "x", staleNode: nil)])
        #expect(backend.narrations.map(\.caption) == ["n1 leads; we stop a follower"])
        #expect(backend.notes == ["checked ✓ get x == 1", "checked ✓ role 2 == follower"])
        #expect(printed.all.contains("    $f = n2 (a follower)"))
    }

    @Test("a failed expectation on a back end ends the lesson, naming the line")
    func failedExpectation() async throws {
        let backend = ScriptedBackend(value: "2")
        let printed = PrintedLines()
        let script = try parse("""
            say "x is 1"
            expect get x == 1 within 100ms
            """)
        let passed = await ScenarioPlayer(cluster: backend, speed: 1,
                                          audience: PrintedAudience(file: "t.deck", printing: printed.append))
            .run(script)
        #expect(!passed)
        #expect(printed.all.contains("FAILED t.deck:2: expect get x == 1 within 100ms"))
        #expect(backend.notes.first?.hasPrefix("check FAILED ✗ get x == 1") == true)
    }

    @Test("a deck is refused at the first line its back end cannot run: a need or a command")
    func firstRefusal() throws {
        let backend = ScriptedBackend()
        let needs = try parse("""
            start 5
            engine etcd
            say "…"
            step 1
            """)
        #expect(backend.firstRefusal(in: needs)?.line.line == 2)
        #expect(backend.firstRefusal(in: needs)?.reason == "this deck needs the etcd cluster")
        let command = try parse("""
            engine simulation
            say "…"
            expect fails put x 1
            step 1
            """)
        #expect(backend.firstRefusal(in: command)?.line.line == 4)
        #expect(backend.firstRefusal(in: command)?.reason == "step does not apply to the simulated cluster")
        #expect(backend.firstRefusal(in: try parse("say \"…\"\nput x 1")) == nil)
    }

    @Test("the console runner shows a back end's nodes and quits on q, giving the terminal back")
    func runnerOnAnyBackend() async throws {
        let backend = ScriptedBackend()
        let terminal = ScriptedTerminal(typeAfter: "n5", keys: [.character("q")])
        let runner = ConsoleRunner(cluster: backend, timing: .teach) { terminal }
        let outcome = await runner.run()
        #expect(throws: Never.self) { try outcome.get() }
        #expect(terminal.painted.last?.contains("leader") == true)
        #expect(terminal.stopped)
        #expect(backend.subscribers == 1)
        await runner.finishCluster(printing: { _ in })
        #expect(backend.isShutDown)
    }
}
