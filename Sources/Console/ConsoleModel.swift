import ClusterAPI
import CommandLanguage

/// What the console shows and what the user is doing: the pure state behind every frame. Changed only
/// by `handle(_:)` (keys) and `apply(…)` (cluster news); rendered by `ConsoleView`.
public struct ConsoleModel: Sendable {
    /// Most events and messages kept for the panes.
    public static let eventCapacity = 200
    public static let messageCapacity = 200

    public enum Mode: Sendable, Equatable {
        case keys
        case commandLine
    }

    public var width: Int
    public var height: Int
    public var nodeCount: Int
    public var nodes: [NodeView] = []
    public var summary = ClusterSummary()
    public private(set) var events: [String] = []
    public private(set) var messages: [MessageRecord] = []
    public var selected: NodeID = 1
    public private(set) var mode: Mode = .keys
    public private(set) var editor = LineEditor()
    public private(set) var history: [String] = []
    private var historyIndex: Int?
    /// The last result or error, shown on the status line.
    public private(set) var status = "Type : for a command, ? for help, q to quit."
    public private(set) var statusIsError = false
    /// Output too long for the status line, or the `?` help, shown over the panes until closed.
    public private(set) var outputPane: OutputPane?
    /// Whether the message timeline leaves heartbeats out (`m`, `hide heartbeats`).
    public private(set) var hidesHeartbeats = false
    public var glyphs: BoxGlyphs = .unicode
    public var colors = true
    /// The file a recording goes to, if one runs: `q` then asks before quitting.
    public var recordingPath: String?
    private var quitRequested = false
    /// How many real-pace multiples the current pace is (teach ≈ 10), for `+`/`-`.
    public private(set) var paceFactor: Double
    /// The scenario playing, if one is (`clusterdeck play FILE`): the caption bar shows it.
    public var script: ScriptProgress?
    /// The journal replaying, if one is (`clusterdeck replay FILE`): keys drive the replay instead of
    /// the cluster, and the time bar shows it.
    public var replay: ReplayProgress?

    public init(width: Int, height: Int, nodeCount: Int, timing: Timing = .teach) {
        self.width = width
        self.height = height
        self.nodeCount = nodeCount
        paceFactor = Double(timing.tickMs) / Double(Timing.real.tickMs)
    }

    /// What the user asked for, for the runner to carry out.
    public enum Action: Sendable, Equatable {
        case run(Command, line: String)
        case quit
        /// Enter at a scenario's `pause`.
        case continueScript
        /// `P`: hold the scenario before its next step, or let it go on.
        case toggleScriptPause
        case replay(ReplayControl)
        /// `start N [--frozen]`: stop this cluster and start a fresh one of `nodes` nodes.
        case startCluster(nodes: Int, frozen: Bool)
    }

    /// Whether the `?` help is open (setting it opens or closes it).
    public var showHelp: Bool {
        get { outputPane?.kind == .help }
        set { outputPane = newValue ? helpPane : outputPane.flatMap { $0.kind == .help ? nil : $0 } }
    }

    private var helpPane: OutputPane {
        OutputPane(kind: .help, title: "help",
                   lines: ConsoleHelp.lines(glyphs: glyphs, scripted: script != nil, replaying: replay != nil))
    }

    // MARK: Cluster news

    public mutating func apply(_ event: ClusterEvent) {
        switch event {
        case .narration(let narration) where replay != nil:
            var progress = ScriptProgress(file: narration.file, total: 0, steps: narration.steps)
            progress.caption = narration.caption
            progress.stepNumber = narration.step
            progress.state = .replayed
            script = progress
        case .message(let record):
            messages.append(record)
            // Heartbeats go first, so the last votes and appends stay for a timeline that hides them.
            if messages.count > Self.messageCapacity {
                messages.remove(at: messages.firstIndex(where: \.isHeartbeat) ?? 0)
            }
        case .node(_, let event) where event.kind == .commit:
            break
        case .rewound(let rewind):
            // The cluster went to another moment: the panes show what they showed then.
            clearActivity()
            for event in rewind.recent { apply(event) }
            appendEvents([rewind.text])
        default:
            appendEvents([event.text])
        }
    }

    /// Forgets the events, messages and caption shown (a replay seeking backwards rebuilds them).
    public mutating func clearActivity() {
        events = []
        messages = []
        if replay != nil { script = nil }
    }

    /// Shows a command's result on the status line, or, when `opensPane` and it is more than one line
    /// that does not fit there, in the output pane (the status line then says how to scroll).
    /// - Parameter opensPane: true for what the user ran; a scenario's results stay on the status line
    ///   so no pane covers the lesson.
    /// Adds lines to the event log, forgetting the oldest past its capacity.
    private mutating func appendEvents(_ lines: [String]) {
        events += lines
        if events.count > Self.eventCapacity { events.removeFirst(events.count - Self.eventCapacity) }
    }

    public mutating func apply(result: CommandOutput, of line: String, opensPane: Bool = false) {
        let text = result.lines.joined(separator: "  ")
        statusIsError = !result.ok
        guard result.lines.count > 1, text.count > width else {
            status = text.isEmpty ? "\(line): done" : text
            return
        }
        guard opensPane else {
            // A lesson's own result: a pane would cover the lesson, so the lines stay in the event
            // log, where the reader finds them after the step.
            appendEvents(["\(line) →"] + result.lines.map { "  " + $0 })
            status = "\(line): \(result.lines.count) lines in the event log"
            return
        }
        let pane = OutputPane(kind: .output, title: line, lines: result.lines)
        outputPane = pane
        let scrolls = pane.rows(width: width, height: height).count > OutputPane.visibleRowCount(height: height)
        status = (result.ok ? "" : "failed: ") + "\(line): \(result.lines.count) lines"
            + (scrolls ? ", ↑↓ PgUp PgDn Home End scroll" : "") + ", Esc closes"
    }

    /// A fresh cluster of `nodeCount` nodes replaces the old one: what was shown of the old one goes.
    public mutating func startFresh(nodeCount: Int, frozen: Bool) {
        self.nodeCount = nodeCount
        nodes = []
        summary = ClusterSummary(frozen: frozen, timing: summary.timing)
        clearActivity()
        selected = 1
        outputPane = nil
        setStatus("starting a fresh cluster of \(nodeCount) nodes\(frozen ? ", frozen" : "") …")
    }

    /// The node that leads, as the panes show it.
    public var leader: NodeView? { nodes.leader }

    // MARK: Keys

    public mutating func handle(_ key: Key) -> [Action] {
        if key == .resize { return [] }
        if mode == .keys, outputPane != nil, handlePaneKey(key) { return [] }
        if mode == .keys, key == .character("m") {
            showHeartbeats(hidesHeartbeats)
            return []
        }
        switch mode {
        case .keys where replay != nil: return handleReplayKey(key)
        case .keys: return handleShortcut(key)
        case .commandLine: return handleEditing(key)
        }
    }

    /// Scrolls or closes the output pane; true when the key did nothing else. Any other key closes the
    /// pane and acts as usual, so reading a result never costs a key press.
    private mutating func handlePaneKey(_ key: Key) -> Bool {
        if outputPane?.scroll(for: key, width: width, height: height) == true { return true }
        let wasHelp = showHelp
        outputPane = nil
        switch key {
        case .escape, .character("q"): return true
        case .character("?"): return wasHelp
        default: return false
        }
    }

    private mutating func showHeartbeats(_ shown: Bool) {
        hidesHeartbeats = !shown
        setStatus(shown ? "heartbeats shown on the timeline" : "heartbeats hidden on the timeline (m shows them)")
    }

    /// A replay shows a recorded run: keys move through time; nothing reaches a cluster.
    private mutating func handleReplayKey(_ key: Key) -> [Action] {
        switch key {
        case .left: return [.replay(.seek(seconds: -10))]
        case .right: return [.replay(.seek(seconds: 10))]
        case .character(" "): return [.replay(.togglePause)]
        case .character("+"): return [.replay(.faster)]
        case .character("-"): return [.replay(.slower)]
        case .character("?"):
            showHelp = true
            return []
        case .character("q"): return [.quit]
        case .character(let character):
            if let digit = character.wholeNumberValue, (1...nodeCount).contains(digit) { selected = digit }
            return []
        default: return []
        }
    }

    private mutating func handleShortcut(_ key: Key) -> [Action] {
        if key == .enter, script?.awaitsEnter == true { return [.continueScript] }
        // Time travel (the simulated cluster; elsewhere the back end says why not, in one line).
        if key == .left { return [run(.seek(.by(ms: -1_000)))] }
        if key == .right { return [run(.seek(.by(ms: 1_000)))] }
        guard case .character(let character) = key else { return [] }
        if character == "P", script != nil { return [.toggleScriptPause] }
        defer { if character != "q" { quitRequested = false } }
        if let digit = character.wholeNumberValue, (1...nodeCount).contains(digit) {
            selected = digit
            setStatus("n\(digit) selected")
            return []
        }
        switch character {
        case "k": return [run(.kill(.id(selected)))]
        case "r": return [run(.restart(.id(selected)))]
        case "p":
            let paused = nodes.first { $0.id == selected }?.status == .paused
            return [run(paused ? .resume(.id(selected)) : .pause(.id(selected)))]
        case "x": return [run(.isolate(.id(selected)))]
        case "h": return [run(.heal)]
        case " ": return [run(summary.frozen ? .thaw : .freeze)]
        case "n": return [run(.step(count: 1))]
        case "b": return [run(.back(messages: 1))]
        case "[": return [run(.seek(.event(forward: false)))]
        case "]": return [run(.seek(.event(forward: true)))]
        case "+": return [changePace(by: 0.5)]
        case "-": return [changePace(by: 2)]
        case ":":
            mode = .commandLine
            editor = LineEditor()
            return []
        case "?":
            showHelp = true
            return []
        case "q":
            guard let recordingPath, !quitRequested else { return [.quit] }
            quitRequested = true
            setStatus("Recording to \(recordingPath). Press q again to stop it and quit.", error: true)
            return []
        default:
            setStatus("no key \(character): press ? for the list", error: true)
            return []
        }
    }

    private mutating func changePace(by multiplier: Double) -> Action {
        paceFactor = min(100, max(0.1, (paceFactor * multiplier * 10).rounded() / 10))
        return run(.pace(.factor(paceFactor)))
    }

    private func run(_ command: Command) -> Action {
        .run(command, line: "\(command)")
    }

    private mutating func handleEditing(_ key: Key) -> [Action] {
        switch key {
        case .enter: return submitLine()
        case .escape:
            mode = .keys
            historyIndex = nil
        case .up: recallHistory(step: -1)
        case .down: recallHistory(step: 1)
        case .tab: complete()
        case .character(let character): editor.insert(character)
        case .backspace: editor.deleteBackward()
        case .delete: editor.deleteForward()
        case .left: editor.moveLeft()
        case .right: editor.moveRight()
        case .home, .control("a"): editor.moveToStart()
        case .end, .control("e"): editor.moveToEnd()
        case .control("u"): editor = LineEditor()
        default: break
        }
        return []
    }

    private mutating func submitLine() -> [Action] {
        let line = editor.text
        mode = .keys
        historyIndex = nil
        guard !line.allSatisfy(\.isWhitespace) else { return [] }
        if history.last != line { history.append(line) }
        if history.count > 500 { history.removeFirst() }
        do {
            guard let command = try CommandParser.parse(line, nodeCount: nodeCount) else { return [] }
            return consoleActions(for: command, line: line)
        } catch {
            setStatus("\(error)", error: true)
            return []
        }
    }

    /// What a parsed line does here: help and the timeline are the console's own; `start` swaps the
    /// cluster (not under a lesson, which owns its cluster); everything else runs on the cluster.
    private mutating func consoleActions(for command: Command, line: String) -> [Action] {
        switch command {
        case .help(nil):
            showHelp = true
        case .help(let topic?):
            let text = CommandHelp.help(for: topic) ?? "no help for \(topic)"
            outputPane = OutputPane(kind: .output, title: line, lines: text.split(separator: "\n",
                                    omittingEmptySubsequences: false).map(String.init))
        case .heartbeats(let shown):
            showHeartbeats(shown)
        case .quit:
            return [.quit]
        case .start where script != nil:
            setStatus("a lesson runs on its own cluster: quit it, then start one with clusterdeck --nodes N",
                      error: true)
        case .start(let nodes, let frozen):
            startFresh(nodeCount: nodes, frozen: frozen)
            return [.startCluster(nodes: nodes, frozen: frozen)]
        default:
            setStatus("\(line) …")
            return [.run(command, line: line)]
        }
        return []
    }

    private mutating func recallHistory(step: Int) {
        guard !history.isEmpty else { return }
        let current = historyIndex ?? history.count
        let next = min(history.count, max(0, current + step))
        historyIndex = next
        editor = LineEditor(text: next < history.count ? history[next] : "")
    }

    private mutating func complete() {
        let options = CommandHelp.completions(for: editor.text, nodeCount: nodeCount)
        if options.count == 1, let only = options.first {
            editor = LineEditor(text: only)
        } else if !options.isEmpty {
            setStatus(options.prefix(8).map { $0.split(separator: " ").last.map(String.init) ?? $0 }
                .joined(separator: "  "))
        }
    }

    private mutating func setStatus(_ text: String, error: Bool = false) {
        status = text
        statusIsError = error
    }
}

/// A one-line text editor with a cursor.
public struct LineEditor: Sendable, Equatable {
    public private(set) var text: String
    /// Cursor position in characters.
    public private(set) var cursor: Int

    public init(text: String = "") {
        self.text = text
        cursor = text.count
    }

    mutating func insert(_ character: Character) {
        guard text.count < 4096 else { return }
        text.insert(character, at: text.index(text.startIndex, offsetBy: cursor))
        cursor += 1
    }

    mutating func deleteBackward() {
        guard cursor > 0 else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
        cursor -= 1
    }

    mutating func deleteForward() {
        guard cursor < text.count else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor))
    }

    mutating func moveLeft() { cursor = max(0, cursor - 1) }
    mutating func moveRight() { cursor = min(text.count, cursor + 1) }
    mutating func moveToStart() { cursor = 0 }
    mutating func moveToEnd() { cursor = text.count }
}
