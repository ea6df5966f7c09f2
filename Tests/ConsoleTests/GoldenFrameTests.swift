import Foundation
import Testing
import Cluster
@testable import Console

/// Whole frames kept as text files; `UPDATE_GOLDEN=1 swift test --filter GoldenFrameTests` rewrites them.
@Suite("Golden frames")
struct GoldenFrameTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    private func check(_ name: String, _ model: ConsoleModel) throws {
        let frame = ConsoleView.render(model).text + "\n"
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try frame.write(to: url, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        let frameLines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        let goldenLines = golden.split(separator: "\n", omittingEmptySubsequences: false)
        for (number, pair) in zip(frameLines, goldenLines).enumerated() where pair.0 != pair.1 {
            Issue.record("\(name) line \(number + 1) differs:\n  got:    \(pair.0)\n  golden: \(pair.1)")
        }
        #expect(frameLines.count == goldenLines.count, "\(name): line count differs")
    }

    @Test("80×24 compact frame")
    func compact() throws {
        try check("compact-80x24.txt", Fixtures.model(width: 80, height: 24))
    }

    /// Below 120×40 and with nine nodes, the timeline and the events still show.
    static let roomFrames: [(String, ConsoleModel)] = [
        ("boxed-100x30.txt", Fixtures.model(width: 100, height: 30)),
        ("compact-80x24-nine.txt", Fixtures.nineNodes(width: 80, height: 24)),
        ("boxed-120x40-nine.txt", {
            var model = Fixtures.nineNodes(width: 120, height: 40)
            _ = model.handle(.character("m"))
            return model
        }()),
    ]

    @Test("100×30 panes, 80×24 and 120×40 with nine nodes (heartbeats hidden at 120×40)", arguments: roomFrames)
    func roomFrame(name: String, model: ConsoleModel) throws {
        try check(name, model)
    }

    @Test("the status output pane at 100×30")
    func statusPane() throws {
        var model = Fixtures.model(width: 100, height: 30)
        let status = ["node  status    pid      role           term  leader  commit  applied  last"]
            + (1...5).map { "n\($0)    up        10\($0)      follower       3     n1      4       4        5" }
            + ["network: 1,2 | 3,4,5  messages: 120 delivered, 7 dropped", "pace: heartbeat 50 ms"]
        model.apply(result: CommandOutput(lines: status), of: "status", opensPane: true)
        try check("pane-100x30-status.txt", model)
    }

    @Test("120×40 boxed frame")
    func boxed() throws {
        try check("boxed-120x40.txt", Fixtures.model(width: 120, height: 40))
    }

    @Test("120×40 boxed frame in ASCII")
    func boxedASCII() throws {
        try check("boxed-120x40-ascii.txt", Fixtures.model(width: 120, height: 40, unicode: false))
    }

    @Test("120×40 with a locks & elections pane")
    func services() throws {
        try check("boxed-120x40-locks.txt", Fixtures.modelWithServices(width: 120, height: 40))
    }

    @Test("80×24 with lock and election lines")
    func compactServices() throws {
        try check("compact-80x24-locks.txt", Fixtures.modelWithServices(width: 80, height: 24))
    }

    @Test("help overlay at 80×24")
    func help() throws {
        var model = Fixtures.model(width: 80, height: 24)
        model.showHelp = true
        try check("help-80x24.txt", model)
    }

    @Test("120×40 with a lesson's caption bar, waiting for the reader at the end of a step")
    func captionBar() throws {
        var model = Fixtures.model(width: 120, height: 40)
        var script = ScriptProgress(file: "demos/failover.deck", total: 14, steps: 5)
        script.caption = "Now the leader dies (SIGKILL). Its followers stop hearing heartbeats, and one of them "
            + "times out, wins a majority of votes and leads a new term; the committed write survives."
        script.index = 7
        script.stepNumber = 3
        script.state = .reading
        model.script = script
        try check("boxed-120x40-caption.txt", model)
    }

    @Test("100×30 compact frame of a replay, with its time bar")
    func replayBar() throws {
        var model = Fixtures.model(width: 100, height: 30)
        model.replay = ReplayProgress(file: "run.jsonl", position: 42.5, duration: 100, speed: 2, paused: true)
        try check("compact-100x30-replay.txt", model)
    }
}
