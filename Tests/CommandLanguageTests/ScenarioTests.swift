import Foundation
import Testing
@testable import CommandLanguage

@Suite("Scenarios")
struct ScenarioTests {
    @Test("a scenario mixes commands, captions, pauses and expectations, keeping line numbers")
    func parsesSteps() throws {
        let text = """
            # a comment
            start 3
            say "Hello, cluster"
            pause
            pause 2
            expect get x == 1 within 2s
            expect get x --stale --node 3 == none
            expect leader in 2,3 within 5s
            expect role 1 == pre-candidate
            expect locks L holder == bob
            expect fails put x 0 --fence 1 as alice
            """
        let lines = try ScenarioParser.parse(text, file: "t.deck", nodeCount: 3)
        #expect(lines.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(lines[0].step == .command(.start(nodes: 3)))
        #expect(lines[1].step == .say("Hello, cluster"))
        #expect(lines[2].step == .pause)
        #expect(lines[3].step == .command(.pause(.id(2))))
        #expect(lines[4].step == .expect(.value(get: .get(key: "x", staleNode: nil), equals: "1", withinMs: 2_000)))
        #expect(lines[5].step == .expect(.value(get: .get(key: "x", staleNode: 3), equals: nil, withinMs: nil)))
        #expect(lines[6].step == .expect(.leaderIn([2, 3], withinMs: 5_000)))
        #expect(lines[7].step == .expect(.role(node: 1, role: "pre-candidate", withinMs: nil)))
        #expect(lines[8].step == .expect(.lockHolder(lock: "L", holder: "bob", withinMs: nil)))
        #expect(lines[9].step == .expect(.fails(.asClient("alice", .fencedPut(key: "x", value: "0", token: 1)))))
    }

    @Test("a syntax error is refused before anything runs, with file, line and column", arguments: [
        ("start 3\nput x\n", 2), ("say\n", 1), ("expect role 7 == leader\n", 1), ("expect get x = 1\n", 1),
        ("expect leader in\n", 1), ("expect role 1 == boss\n", 1), ("expect get x == 1 within soon\n", 1),
        ("expect nonsense\n", 1), ("start 3\n\n\nkil 1\n", 4), ("bug\n", 1), ("bug a b\n", 1),
        ("start 3\nput x 1\nbug vote-twice\n", 3), ("pause\nbug vote-twice\n", 2),
    ])
    func refuses(text: String, line: Int) {
        do {
            _ = try ScenarioParser.parse(text, file: "bad.deck", nodeCount: 3)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.description.hasPrefix("bad.deck:\(line):\(error.column): "))
        }
    }

    @Test("bug knobs are named before the first command, so the cluster starts with them")
    func bugLines() throws {
        let text = "# lesson\nbug skip-log-check\nsay \"hello\"\nstart 3\nbug vote-twice\nput x 1\n"
        let lines = try ScenarioParser.parse(text, file: "t.deck", nodeCount: 3)
        #expect(lines.map(\.step) == [.bug("skip-log-check"), .say("hello"), .command(.start(nodes: 3)),
                                      .bug("vote-twice"), .command(.put(key: "x", value: "1"))])
        #expect(lines.map(\.line) == [2, 3, 4, 5, 6])
    }

    @Test("a deck saved with Windows line endings reads line by line")
    func windowsLineEndings() throws {
        let lines = try ScenarioParser.parse("start 3\r\nsay \"hi\"\r\nput x 1\r\n", file: "w.deck", nodeCount: 3)
        #expect(lines.map(\.step) == [.command(.start(nodes: 3)), .say("hi"), .command(.put(key: "x", value: "1"))])
        #expect(lines.map(\.line) == [1, 2, 3])
    }

    @Test("pick names a node by role; later lines use $NAME where a node id goes, and captions may too")
    func picksAndReferences() throws {
        let text = """
            start 3
            pick cut = follower
            isolate $cut
            expect get x --stale --node $cut == old
            expect role $cut == pre-candidate within 2s
            say "n$cut is cut off; $HOME stays as written"
            expect elected primary == bob within 5s
            """
        let lines = try ScenarioParser.parse(text, file: "t.deck", nodeCount: 3)
        #expect(lines[1].step == .pick(name: "cut", role: "follower"))
        #expect(lines[2].references == ["cut"])
        #expect(lines[5].references == ["cut"])
        #expect(lines[6].step == .expect(.electionLeader(election: "primary", client: "bob", withinMs: 5_000)))
        let resolved = NodeReferences.substitute(in: lines[3].text, ids: ["cut": 2])
        #expect(resolved == "expect get x --stale --node 2 == old")
        #expect(try ScenarioParser.parseStep(resolved, nodeCount: 3)
            == .expect(.value(get: .get(key: "x", staleNode: 2), equals: "old", withinMs: nil)))
        #expect(NodeReferences.substitute(in: lines[5].text, ids: ["cut": 3])
            == "say \"n3 is cut off; $HOME stays as written\"")
    }

    @Test("etcd's membership lesson: a learner is picked, promoted by reference, and the old leader checked as removed")
    func membershipPicks() throws {
        let text = """
            engine etcd
            start 3
            pick old = leader
            member add
            pick new = learner
            member promote $new
            member remove $old
            expect role $old == removed
            """
        let lines = try ScenarioParser.parse(text, file: "t.deck", nodeCount: 3)
        #expect(lines[4].step == .pick(name: "new", role: "learner"))
        #expect(lines[5].references == ["new"])
        #expect(lines[6].step == .command(.member(.remove(.id(1)))))
        #expect(lines[7].step == .expect(.role(node: 1, role: "removed", withinMs: nil)))
        // At play time the cluster has grown: the picked id parses against the new size.
        #expect(try ScenarioParser.parseStep(NodeReferences.substitute(in: lines[5].text, ids: ["new": 4]), nodeCount: 4)
            == .command(.member(.promote(4))))
    }

    @Test("a reference to a node never picked, or a bad pick, is refused up front at its column", arguments: [
        ("start 3\nisolate $cut\n", 2, 10), ("pick cut = boss\n", 1, 12), ("pick 9x = leader\n", 1, 6),
        ("pick cut follower\n", 1, 1), ("isolate $cut\npick cut = follower\n", 1, 10),
    ])
    func refusesBadPicks(text: String, line: Int, column: Int) {
        do {
            _ = try ScenarioParser.parse(text, file: "p.deck", nodeCount: 3)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.line == line && error.column == column, "\(error)")
        }
    }

    @Test("every lesson in demos/ checks each caption: an expect follows it before the next caption")
    func everyCaptionIsChecked() throws {
        let demos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("demos")
        let decks = try FileManager.default.contentsOfDirectory(atPath: demos.path).filter { $0.hasSuffix(".deck") }
        #expect(decks.count >= 9)
        for deck in decks.sorted() {
            let text = try String(contentsOf: demos.appendingPathComponent(deck), encoding: .utf8)
            let lines = try ScenarioParser.parse(text, file: deck, nodeCount: nil)
            var unchecked: ScenarioLine?
            var previousWasCaption = false
            for line in lines {
                switch line.step {
                case .say:
                    // Consecutive captions are one step: the first of them waits for the check.
                    if let caption = unchecked, !previousWasCaption {
                        Issue.record("\(deck):\(caption.line): a caption with no expect before the next one")
                    }
                    if !previousWasCaption { unchecked = line }
                case .expect: unchecked = nil
                default: break
                }
                if case .say = line.step { previousWasCaption = true } else { previousWasCaption = false }
            }
            if let caption = unchecked { Issue.record("\(deck):\(caption.line): the last caption has no expect") }
        }
    }
}
