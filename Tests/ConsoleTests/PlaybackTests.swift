import Cluster
import Raft
import Testing
import Wire
@testable import Console

@Suite("Scenario and replay controls")
struct PlaybackTests {
    private func model() -> ConsoleModel {
        Fixtures.model(width: 120, height: 40)
    }

    @Test("Enter continues a scenario only while it waits at a pause; P holds it whenever one plays")
    func scriptKeys() {
        var model = model()
        #expect(model.handle(.enter).isEmpty)
        #expect(model.handle(.character("P")).isEmpty)
        model.script = ScriptProgress(file: "a.deck", total: 3)
        #expect(model.handle(.enter).isEmpty)
        #expect(model.handle(.character("P")) == [.toggleScriptPause])
        model.script?.state = .waiting
        #expect(model.handle(.enter) == [.continueScript])
        // The user can still act on the cluster between steps.
        guard case .run(.kill(.id(1)), _)? = model.handle(.character("k")).first else {
            Issue.record("k did not kill the selected node during a scenario")
            return
        }
    }

    @Test("Enter also ends the reading wait after a step; the footer names the lesson's keys apart from the node's")
    func readingWait() {
        var model = model()
        var script = ScriptProgress(file: "a.deck", total: 6, steps: 3)
        script.stepNumber = 2
        script.state = .reading
        model.script = script
        #expect(model.handle(.enter) == [.continueScript])
        let screen = ConsoleView.render(model).text
        #expect(screen.contains("a step 2/3 · Enter: next step"))
        #expect(screen.contains("LESSON Enter next step · P hold · q quit"))
        #expect(screen.contains("NODE n1 k kill"))
    }

    @Test("a lesson's long result goes to the event log, line by line, instead of squashing the status line")
    func lessonResultsStay() {
        var model = model()
        let entries = (1...6).map { "  ✓ \($0)  t1  put key\($0)=value\($0)" }
        let log = CommandOutput(lines: ["n3 log 1…6, commit 6, applied 6, snapshot through 0"] + entries)
        model.apply(result: log, of: "log 3")
        #expect(model.outputPane == nil)
        #expect(model.events.suffix(8) == ["log 3 →", "  n3 log 1…6, commit 6, applied 6, snapshot through 0"]
            + entries.map { "  " + $0 })
        #expect(model.status == "log 3: 7 lines in the event log")
        model.apply(result: CommandOutput(lines: ["OK"]), of: "put x 1")
        #expect(model.status == "OK")
    }

    @Test("a replayed lesson shows its captions in the caption bar, and a seek back forgets them")
    func replayedNarration() {
        var model = model()
        model.replay = ReplayProgress(file: "run.jsonl", duration: 30)
        model.nodes[1].status = .down(reason: "killed by SIGKILL")
        #expect(ConsoleView.render(model).text.contains("killed by SIGKILL"))
        model.apply(.narration(Narration(file: "demos/failover.deck", caption: "The leader dies.", step: 2, steps: 4)))
        #expect(model.script?.caption == "The leader dies.")
        let screen = ConsoleView.render(model).text
        #expect(screen.contains("» The leader dies."))
        #expect(screen.contains("failover step 2/4 · recorded lesson"))
        #expect(!screen.contains("r restarts it"))
        model.clearActivity()
        #expect(model.script == nil)
    }

    @Test("a running command step is marked; captions, pauses and checks are not commands")
    func commandSteps() {
        var script = ScriptProgress(file: "a.deck", total: 5)
        for (step, isCommand) in [("line 3: kill leader", true), ("line 4: say \"hi\"", false),
                                  ("line 5: expect get x == 1", false), ("line 6: pause", false),
                                  ("line 7: put x 1 as alice", true)] {
            script.step = step
            #expect(script.isAtCommand == isCommand, "\(step)")
        }
        script.state = .waiting
        #expect(!script.isAtCommand)
    }

    @Test("in a replay, keys move through time and never reach a cluster")
    func replayKeys() {
        var model = model()
        model.replay = ReplayProgress(file: "run.jsonl", duration: 60)
        #expect(model.handle(.character(" ")) == [.replay(.togglePause)])
        #expect(model.handle(.left) == [.replay(.seek(seconds: -10))])
        #expect(model.handle(.right) == [.replay(.seek(seconds: 10))])
        #expect(model.handle(.character("+")) == [.replay(.faster)])
        #expect(model.handle(.character("-")) == [.replay(.slower)])
        for key in "krpxhn:" {
            #expect(model.handle(.character(key)).isEmpty, "key \(key) acted in a replay")
        }
        _ = model.handle(.character("3"))
        #expect(model.selected == 3)
        #expect(model.handle(.character("q")) == [.quit])
    }

    @Test("seeking stays inside the run; speed steps through ×0.25 … ×8; play at the end restarts")
    func controls() {
        var progress = ReplayProgress(file: "f", position: 5, duration: 60)
        ReplayControl.seek(seconds: -10).apply(to: &progress)
        #expect(progress.position == 0)
        ReplayControl.seek(seconds: 100).apply(to: &progress)
        #expect(progress.position == 60)
        for _ in 0..<10 { ReplayControl.faster.apply(to: &progress) }
        #expect(progress.speed == 8)
        for _ in 0..<10 { ReplayControl.slower.apply(to: &progress) }
        #expect(progress.speed == 0.25)
        progress.paused = true
        ReplayControl.togglePause.apply(to: &progress)
        #expect(!progress.paused)
        #expect(progress.position == 0)
    }

    @Test("the time bar fills with the position and names the speed", arguments: [
        (0.0, 0), (30.0, 10), (60.0, 20),
    ])
    func timeBar(position: Double, filled: Int) {
        let progress = ReplayProgress(file: "f", position: position, duration: 60, speed: 0.5)
        let bar = progress.bar(width: 48)
        #expect(bar.count == 48)
        #expect(bar.hasPrefix("|> "))
        #expect(bar.contains("x0.5"))
        #expect(bar.filter { $0 == "=" }.count == filled)
        #expect(bar.contains("/ 1:00.0"))
    }

    @Test("clock text counts minutes, seconds and tenths")
    func clock() {
        #expect(ReplayProgress.clock(0) == "0:00.0")
        #expect(ReplayProgress.clock(75.36) == "1:15.3")
        #expect(ReplayProgress.clock(600) == "10:00.0")
    }

    @Test("a long caption wraps to two rows and is cut with an ellipsis beyond")
    func wrapping() {
        let text = String(repeating: "word ", count: 40)
        let lines = text.wrapped(width: 30, rows: 2)
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count <= 30 })
        #expect(lines[1].hasSuffix("…"))
        #expect("short caption".wrapped(width: 30, rows: 2) == ["short caption"])
    }
}

@Suite("Log tails in the panes")
struct LogTailRowsTests {
    private func entry(_ index: LogIndex, _ text: String, refused: String? = nil, client: UInt64? = nil,
                       upkeep: Bool = false) -> NodeStateFrame.EntrySummary {
        NodeStateFrame.EntrySummary(index: index, term: 1, text: text, refused: refused, client: client,
                                    upkeep: upkeep ? true : nil)
    }

    @Test("lease upkeep folds into one row with client names; a refused entry is marked ✗ with its reason")
    func foldsAndMarks() {
        var state = Fixtures.state(1, role: .leader, commit: 8, last: 9)
        state.logTail = [
            entry(3, "put balance=100 fence 2"), entry(4, "clock 1000", upkeep: true),
            entry(5, "renew c42", client: 42, upkeep: true), entry(6, "clock 1500", upkeep: true),
            entry(7, "renew c42", client: 42, upkeep: true),
            entry(8, "put balance=0 fence 1", refused: "refused: fence below 2"), entry(9, "renew c42", client: 42, upkeep: true),
        ]
        let rows = LogTailRows(glyphs: .unicode).rows(of: state, names: [42: "bob"], limit: 5)
        #expect(rows.map(\.text) == [
            "✓ 3 t1 put balance=100 fence 2", "✓ 4–7 t1 clock ×2, renew bob ×2",
            "✗ 8 t1 put balance=0 fence 1", "    refused: fence below 2", "  9 t1 renew bob",
        ])
        #expect(rows.map(\.committed) == [true, true, true, true, false])
    }
}
