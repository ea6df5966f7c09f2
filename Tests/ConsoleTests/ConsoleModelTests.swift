import Foundation
import Cluster
import Wire
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

    @Test("? opens the help and Esc closes it")
    func help() {
        var model = model()
        _ = model.handle(.character("?"))
        #expect(model.showHelp)
        #expect(ConsoleView.render(model).text.contains("Keys"))
        _ = model.handle(.escape)
        #expect(!model.showHelp)
    }

    /// Every row the help pane shows while paging from the top to the end.
    private func helpRowsSeen(in model: inout ConsoleModel) -> String {
        var seen = ConsoleView.render(model).text
        for _ in 0..<40 {
            _ = model.handle(.pageDown)
            seen += "\n" + ConsoleView.render(model).text
        }
        return seen
    }

    @Test("at 80×24, ? scrolls down to put, lock and the legend of symbols", arguments: [(80, 24), (120, 40)])
    func helpScrolls(size: (Int, Int)) {
        var model = Fixtures.model(width: size.0, height: size.1)
        _ = model.handle(.character("?"))
        let first = ConsoleView.render(model).text
        #expect(!first.contains("Symbols on screen"), "the legend is below the first page")
        let seen = helpRowsSeen(in: &model)
        for wanted in ["put K V", "lock NAME", "client pause|resume", "set prevote", "Symbols on screen",
                       "match/next n2 4/5", "HELD", "PAUSED", "DOWN", "+2"] {
            #expect(seen.contains(wanted), "never shown while scrolling: \(wanted)")
        }
        #expect(model.showHelp, "scroll keys keep the help open")
        _ = model.handle(.home)
        #expect(ConsoleView.render(model).text == first)
        _ = model.handle(.end)
        #expect(ConsoleView.render(model).text.contains("text cut to fit"), "End shows the last row")
    }

    @Test("a long result opens the output pane; arrows scroll it, q closes it, other keys close it and act")
    func outputPane() {
        var model = Fixtures.model(width: 80, height: 24)
        let lines = (1...40).map { "line \($0) of the log" }
        model.apply(result: CommandOutput(lines: lines), of: "log 1", opensPane: true)
        #expect(model.outputPane?.title == "log 1")
        #expect(model.status.contains("40 lines"))
        var text = ConsoleView.render(model).text
        #expect(text.contains("line 1 of") && !text.contains("line 40 of"))
        _ = model.handle(.down)
        text = ConsoleView.render(model).text
        #expect(!text.contains("line 1 of") && text.contains("line 2 of"))
        _ = model.handle(.end)
        #expect(ConsoleView.render(model).text.contains("line 40 of"))
        _ = model.handle(.character("q"))
        #expect(model.outputPane == nil)
        model.apply(result: CommandOutput(lines: lines), of: "log 1", opensPane: true)
        #expect(model.handle(.character("k")) == [.run(.kill(.id(1)), line: "kill 1")])
        #expect(model.outputPane == nil)
    }

    @Test("a short result, and a scenario's results, stay on the status line")
    func statusLineResults() {
        var model = model()
        model.apply(result: CommandOutput(lines: ["delivered n1 → n2 Vote t2", "3 still held"]), of: "step 1",
                    opensPane: true)
        #expect(model.outputPane == nil)
        #expect(model.status == "delivered n1 → n2 Vote t2  3 still held")
        model.apply(result: CommandOutput(lines: (1...30).map { "row \($0)" }), of: "status")
        #expect(model.outputPane == nil, "a scenario's output never covers the lesson")
    }

    @Test(":help NAME opens the command's help in the pane")
    func helpTopic() {
        var model = model()
        _ = model.handle(.character(":"))
        _ = type("help partition", into: &model)
        #expect(model.handle(.enter).isEmpty)
        #expect(model.outputPane?.kind == .output)
        #expect(ConsoleView.render(model).text.contains("usage: partition"))
    }

    @Test("m and hide/show heartbeats take heartbeats off the timeline and say so")
    func heartbeats() {
        var model = model()
        #expect(ConsoleView.render(model).text.contains("Heartbeat t3"))
        #expect(model.handle(.character("m")).isEmpty)
        #expect(model.hidesHeartbeats)
        var text = ConsoleView.render(model).text
        #expect(!text.contains("Heartbeat t3"))
        #expect(text.contains("heartbeats hidden"))
        #expect(text.contains("Append t3 +1"), "appends stay")
        _ = model.handle(.character(":"))
        _ = type("show heartbeats", into: &model)
        #expect(model.handle(.enter).isEmpty, "the console's own command reaches no cluster")
        #expect(!model.hidesHeartbeats)
        _ = model.handle(.character(":"))
        _ = type("hide heartbeats", into: &model)
        _ = model.handle(.enter)
        text = ConsoleView.render(model).text
        #expect(model.hidesHeartbeats && !text.contains("Heartbeat t3"))
    }

    @Test(":start 3 --frozen asks for a fresh cluster and forgets the old one's panes")
    func startFresh() {
        var model = model()
        _ = model.handle(.character(":"))
        _ = type("start 3 --frozen", into: &model)
        #expect(model.handle(.enter) == [.startCluster(nodes: 3, frozen: true)])
        #expect(model.nodeCount == 3)
        #expect(model.nodes.isEmpty && model.events.isEmpty && model.messages.isEmpty)
        #expect(model.summary.frozen)
        _ = model.handle(.character("5"))
        #expect(model.selected == 1, "there is no node 5 any more")
    }

    @Test("under a lesson, start is refused: the lesson owns its cluster")
    func startUnderLesson() {
        var model = model()
        model.script = ScriptProgress(file: "demos/failover.deck", total: 3)
        _ = model.handle(.character(":"))
        _ = type("start 3", into: &model)
        #expect(model.handle(.enter).isEmpty)
        #expect(model.statusIsError)
        #expect(model.nodeCount == 5)
    }

    @Test("events and messages are bounded")
    func bounded() {
        var model = model()
        for index in 0..<500 { model.apply(.action("event \(index)")) }
        #expect(model.events.count == ConsoleModel.eventCapacity)
        #expect(model.events.last == "event 499")
    }

    @Test("going to another moment shows what the panes showed then, and says so")
    func rewound() {
        var model = model()
        for index in 0..<5 { model.apply(.action("future \(index)")) }
        let earlier = MessageRecord(header: MessageHeader(from: 1, to: 2, type: .vote, term: 1, entryCount: 0),
                                    fate: .delivered, timeMs: 10)
        model.apply(.rewound(Rewind(fromSeconds: 9, toSeconds: 1.5,
                                    recent: [.action("then"), .message(earlier)])))
        #expect(model.events == ["then", "⟲ went back to 1.500 s (from 9.000 s)"])
        #expect(model.messages.map(\.timeMs) == [10])
    }

    @Test("time travel keys ask the back end: b, ← →, [ ]")
    func timeTravelKeys() {
        var model = model()
        #expect(model.handle(.character("b")) == [.run(.back(messages: 1), line: "back 1")])
        #expect(model.handle(.left) == [.run(.seek(.by(ms: -1_000)), line: "seek -1s")])
        #expect(model.handle(.right) == [.run(.seek(.by(ms: 1_000)), line: "seek +1s")])
        #expect(model.handle(.character("[")) == [.run(.seek(.event(forward: false)), line: "seek prev")])
        #expect(model.handle(.character("]")) == [.run(.seek(.event(forward: true)), line: "seek next")])
    }

    @Test("the time bar shows now, the recorded end and the forks, and fits 80 columns")
    func timeBar() {
        var model = Fixtures.model(width: 80, height: 24)
        model.summary.travel = TimeTravelSummary(nowSeconds: 5, endSeconds: 10, forkSeconds: [2.5])
        let text = ConsoleView.render(model).text
        let bar = try? #require(text.split(separator: "\n").first { $0.contains("time 0:05.0 of 0:10.0") })
        #expect(bar?.contains("1 fork") == true)
        #expect(bar?.contains("+") == true && bar?.contains("|") == true)
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
    @Test("writing clips to the screen and to a width, marking the cut")
    func clipping() {
        var screen = Screen(width: 5, height: 1)
        screen.write("abcdefgh", x: 2, y: 0)
        #expect(screen.line(0) == "  ab…")
        screen.write("xyz", x: 0, y: 0, maxWidth: 2)
        #expect(screen.line(0) == "x…ab…")
        screen.write("ignored", x: 0, y: 3)
        #expect(screen.line(0) == "x…ab…")
    }

    @Test("writing cuts at a word boundary, never inside a word")
    func wordCut() {
        var screen = Screen(width: 20, height: 1)
        screen.write("PreVote t2 HELD by the freeze", x: 0, y: 0, maxWidth: 14)
        #expect(screen.line(0).trimmingCharacters(in: .whitespaces) == "PreVote t2…")
    }
}

@Suite("Fitting text")
struct TextFitTests {
    @Test("cut keeps whole words and marks what it left out")
    func cut() {
        #expect("PreVote t2 HELD".cut(toWidth: 15) == "PreVote t2 HELD")
        #expect("PreVote t2 HELD".cut(toWidth: 14) == "PreVote t2…")
        #expect("PreVote t2 HELD".cut(toWidth: 11) == "PreVote t2…")
        #expect("PreVote t2 HELD".cut(toWidth: 10) == "PreVote…")
        #expect("Heartbeat".cut(toWidth: 5) == "Hear…", "one word wider than the room is all there is to cut")
        #expect("abc".cut(toWidth: 1) == "…")
        #expect("abc".cut(toWidth: 0) == "")
    }

    @Test("cut at a field separator keeps a field with its value")
    func cutFields() {
        let line = "term 3  vote n1  leader n1"
        #expect(line.cut(toWidth: 24, at: "  ") == "term 3  vote n1…")
        #expect(line.cut(toWidth: 24) == "term 3  vote n1  leader…")
        #expect("match/next n2 4/5, n3 2/5, n5 4/5".cut(toWidth: 31, at: ", ") == "match/next n2 4/5, n3 2/5…")
    }

    @Test("wrap keeps the spacing inside a row, indents continuations and cuts the last row")
    func wrap() {
        #expect("a bb ccc dddd".wrapped(width: 6) == ["a bb", "ccc", "dddd"])
        #expect("a bb ccc dddd".wrapped(width: 6, indent: "  ") == ["a bb", "  ccc", "  dddd"])
        #expect("a bb ccc dddd".wrapped(width: 6, rows: 2) == ["a bb", "ccc…"])
        #expect("kill N  kill a node now".wrapped(width: 14) == ["kill N  kill a", "node now"])
        #expect("match/next n2 4/5, n3 2/5, n5 4/5".wrapped(width: 26, at: ", ", indent: "  ")
            == ["match/next n2 4/5, n3 2/5", "  n5 4/5"])
        #expect("".wrapped(width: 10) == [""])
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

@Suite("Layouts by size")
struct LayoutTests {
    static let sizes = [(80, 24), (100, 30), (119, 40), (120, 40), (160, 50), (240, 70)]

    @Test("every size and cluster size fills the rows down to the status line, timeline included",
          arguments: sizes)
    func fills(size: (Int, Int)) {
        for nodeCount in 1...9 {
            for bannerRows in [0, 1, 3] {
                let layout = ConsoleLayout(width: size.0, height: size.1, nodeCount: nodeCount,
                                           bannerRows: bannerRows, serviceLineCount: 2)
                let bottom = size.1 - 2 - bannerRows
                #expect(layout.activity.y + layout.activity.height == bottom,
                        "\(size) with \(nodeCount) nodes: rows left empty below the activity area")
                #expect(layout.activity.height >= 6, "\(size) with \(nodeCount) nodes: no room for the timeline")
            }
        }
    }

    @Test("below 120×40 the timeline and the events still show, with every node", arguments: sizes)
    func showsEverything(size: (Int, Int)) {
        for model in [Fixtures.model(width: size.0, height: size.1),
                      Fixtures.nineNodes(width: size.0, height: size.1)] {
            let text = ConsoleView.render(model).text
            #expect(text.contains("messages") && text.contains("events"), "\(size): \(text)")
            #expect(text.contains("Append"), "\(size): no arrow on the timeline")
            for id in 1...model.nodeCount { #expect(text.contains("n\(id) "), "\(size): n\(id) missing") }
        }
    }

    @Test("at 100×30 and up, five nodes get boxed panes; nine get them from 120×40")
    func panesWhereTheyFit() {
        let layout = { (width: Int, height: Int, nodes: Int) in
            ConsoleLayout(width: width, height: height, nodeCount: nodes, bannerRows: 0, serviceLineCount: 0).nodes
        }
        #expect(layout(80, 24, 5) == .lines)
        #expect(layout(100, 30, 5) == .panes(columns: 3, height: 8))
        #expect(layout(119, 40, 5) == .panes(columns: 3, height: 12))
        #expect(layout(100, 30, 9) == .lines)
        #expect(layout(120, 40, 9) == .panes(columns: 3, height: 9))
    }

    @Test("no text is cut inside a word at 120×40 with five nodes")
    func noMidWordCuts() {
        let text = ConsoleView.render(Fixtures.model(width: 120, height: 40)).text
        #expect(!text.contains("n5 4/│"))
        #expect(!text.contains("HEL│") && !text.contains("HEL "))
    }
}

@Suite("Message timeline")
struct TimelineTests {
    @Test("a full timeline forgets heartbeats before votes and appends")
    func heartbeatsGoFirst() {
        var model = Fixtures.model(width: 80, height: 24)
        for index in 0..<(3 * ConsoleModel.messageCapacity) {
            let header = MessageHeader(from: 1, to: 2, type: .heartbeat, term: 3, entryCount: 0)
            model.apply(.message(MessageRecord(header: header, fate: .delivered, timeMs: 100 + index)))
        }
        #expect(model.messages.count == ConsoleModel.messageCapacity)
        #expect(model.messages.filter { !$0.isHeartbeat }.count == 4, "the fixture's appends and vote stay")
        #expect(model.messages.last?.timeMs == 100 + 3 * ConsoleModel.messageCapacity - 1)
        _ = model.handle(.character("m"))
        #expect(ConsoleView.render(model).text.contains("Append t3 +1"))
    }
}
