import Cluster
import CommandLanguage
import Testing
@testable import Console

@Suite("Console model")
struct ConsoleModelTests {
    private func model() -> ConsoleModel { Fixtures.model(width: 120, height: 40) }

    private func type(_ text: String, into model: inout ConsoleModel) -> [ConsoleModel.Action] {
        var actions: [ConsoleModel.Action] = []
        for character in text { actions += model.handle(.character(character)) }
        return actions
    }

    @Test("digits select a node and the shortcut keys act on it")
    func shortcuts() {
        var model = model()
        #expect(model.handle(.character("2")).isEmpty)
        #expect(model.selected == 2)
        #expect(model.handle(.character("k")) == [.run(.kill(.id(2)), line: "kill 2")])
        #expect(model.handle(.character("r")) == [.run(.restart(.id(2)), line: "restart 2")])
        #expect(model.handle(.character("x")) == [.run(.isolate(.id(2)), line: "isolate 2")])
        #expect(model.handle(.character("h")) == [.run(.heal, line: "heal")])
        #expect(model.handle(.character("n")) == [.run(.step(count: 1), line: "step 1")])
        #expect(model.handle(.character("q")) == [.quit])
        _ = model.handle(.character("9"))
        #expect(model.selected == 2, "there is no node 9 in a 5-node cluster")
    }

    @Test("p pauses a running node and resumes a paused one")
    func pauseToggles() {
        var model = model()
        _ = model.handle(.character("1"))
        #expect(model.handle(.character("p")) == [.run(.pause(.id(1)), line: "pause 1")])
        _ = model.handle(.character("4"))
        #expect(model.handle(.character("p")) == [.run(.resume(.id(4)), line: "resume 4")])
    }

    @Test("space freezes, and thaws when frozen")
    func spaceToggles() {
        var model = model()
        #expect(model.handle(.character(" ")) == [.run(.freeze, line: "freeze")])
        model.summary.frozen = true
        #expect(model.handle(.character(" ")) == [.run(.thaw, line: "thaw")])
    }

    @Test("+ and - halve and double the pace")
    func pace() {
        var model = model()
        #expect(model.handle(.character("-")) == [.run(.pace(.factor(2)), line: "pace 2.0")])
        #expect(model.handle(.character("+")) == [.run(.pace(.factor(1)), line: "pace 1.0")])
    }

    @Test("the command line parses the whole language and keeps history")
    func commandLine() {
        var model = model()
        #expect(model.handle(.character(":")).isEmpty)
        #expect(model.mode == .commandLine)
        #expect(type("put x 1", into: &model).isEmpty, "typing in the command line runs no shortcut")
        #expect(model.handle(.enter) == [.run(.put(key: "x", value: "1"), line: "put x 1")])
        #expect(model.mode == .keys)
        _ = model.handle(.character(":"))
        _ = model.handle(.up)
        #expect(model.editor.text == "put x 1")
        _ = model.handle(.down)
        #expect(model.editor.text.isEmpty)
    }

    @Test("a bad command shows a one-line error and runs nothing")
    func badCommand() {
        var model = model()
        _ = model.handle(.character(":"))
        _ = type("kil 1", into: &model)
        #expect(model.handle(.enter).isEmpty)
        #expect(model.statusIsError)
        #expect(!model.status.contains("\n"))
        #expect(model.status.contains("kil"))
    }

    @Test("editing keys move the cursor and delete")
    func editing() {
        var model = model()
        _ = model.handle(.character(":"))
        _ = type("gt x", into: &model)
        _ = model.handle(.home)
        _ = model.handle(.right)
        _ = model.handle(.character("e"))
        #expect(model.editor.text == "get x")
        _ = model.handle(.end)
        _ = model.handle(.backspace)
        #expect(model.editor.text == "get ")
        _ = model.handle(.escape)
        #expect(model.mode == .keys)
    }

    @Test("tab completes a unique command name")
    func tabCompletion() {
        var model = model()
        _ = model.handle(.character(":"))
        _ = type("isol", into: &model)
        _ = model.handle(.tab)
        #expect(model.editor.text.hasPrefix("isolate"))
    }

    @Test("? opens the help and any key closes it")
    func help() {
        var model = model()
        _ = model.handle(.character("?"))
        #expect(model.showHelp)
        #expect(ConsoleView.render(model).text.contains("Keys"))
        _ = model.handle(.escape)
        #expect(!model.showHelp)
    }

    @Test("events and messages are bounded")
    func bounded() {
        var model = model()
        for index in 0..<500 { model.apply(.action("event \(index)")) }
        #expect(model.events.count == ConsoleModel.eventCapacity)
        #expect(model.events.last == "event 499")
    }

    @Test("below 80×24 the console says so instead of drawing")
    func tooSmall() {
        var model = Fixtures.model(width: 60, height: 20)
        let text = ConsoleView.render(model).text
        #expect(text.contains("needs at least 80×24"))
        #expect(!text.contains("LEADER"))
        model.width = 80
        model.height = 24
        #expect(ConsoleView.render(model).text.contains("LEADER"))
    }

    @Test("degenerate screens render without crashing", arguments: [(0, 0), (1, 1), (79, 24), (200, 60)])
    func degenerate(size: (Int, Int)) {
        let screen = ConsoleView.render(Fixtures.model(width: size.0, height: size.1))
        #expect(screen.width == size.0)
        #expect(screen.height == size.1)
    }

    @Test("a frozen cluster and switched-off features show in the header")
    func header() {
        var model = model()
        model.summary.frozen = true
        model.summary.heldMessages = 3
        model.summary.preVote = false
        model.summary.bugs = ["vote-twice"]
        let top = ConsoleView.render(model).line(0)
        #expect(top.contains("FROZEN (3 held)"))
        #expect(top.contains("prevote off"))
        #expect(top.contains("BUG vote-twice"))
    }
}

@Suite("Screen")
struct ScreenTests {
    @Test("writing clips to the screen and to a width")
    func clipping() {
        var screen = Screen(width: 5, height: 1)
        screen.write("abcdefgh", x: 2, y: 0)
        #expect(screen.line(0) == "  abc")
        screen.write("xyz", x: 0, y: 0, maxWidth: 2)
        #expect(screen.line(0) == "xyabc")
        screen.write("ignored", x: 0, y: 3)
        #expect(screen.line(0) == "xyabc")
    }

    @Test("changes are only the cells that differ, in same-style runs")
    func changes() {
        var before = Screen(width: 10, height: 2)
        before.write("hello", x: 0, y: 0)
        var after = before
        after.write("J", x: 0, y: 0)
        after.write("!!", x: 5, y: 1, style: CellStyle(bold: true))
        let runs = after.changes(since: before)
        #expect(runs.map(\.text) == ["J", "!!"])
        #expect(runs.map(\.y) == [0, 1])
        #expect(after.changes(since: nil).count == 4, "no previous screen: every cell, in same-style runs")
        #expect(after.changes(since: after).isEmpty)
    }

    @Test("boxes draw in Unicode and ASCII, and 1×1 boxes draw nothing")
    func boxes() {
        var screen = Screen(width: 6, height: 3)
        screen.box(Rect(x: 0, y: 0, width: 6, height: 3), title: "t", glyphs: .ascii)
        #expect(screen.text == "+ t -+\n|    |\n+----+")
        var tiny = Screen(width: 1, height: 1)
        tiny.box(Rect(x: 0, y: 0, width: 1, height: 1), glyphs: .unicode)
        #expect(tiny.text == "")
    }
}
