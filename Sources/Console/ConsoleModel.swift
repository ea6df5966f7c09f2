import Cluster
import CommandLanguage
import Raft
import Wire

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
    public var showHelp = false
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
            if messages.count > Self.messageCapacity { messages.removeFirst(messages.count - Self.messageCapacity) }
        case .node(_, let frame) where frame.kind == "commit":
            break
        default:
            events.append(event.text)
            if events.count > Self.eventCapacity { events.removeFirst(events.count - Self.eventCapacity) }
        }
    }

    /// Forgets the events, messages and caption shown (a replay seeking backwards rebuilds them).
    public mutating func clearActivity() {
        events = []
        messages = []
        if replay != nil { script = nil }
    }

    public mutating func apply(result: CommandOutput, of line: String) {
        let text = result.lines.joined(separator: "  ")
        status = text.isEmpty ? "\(line): done" : text
        statusIsError = !result.ok
    }

    /// The node that leads, as the panes show it.
    public var leader: NodeView? { nodes.leader }

    // MARK: Keys

    public mutating func handle(_ key: Key) -> [Action] {
        if key == .resize { return [] }
        if showHelp {
            showHelp = false
            if key == .escape || key == .character("?") || key == .character("q") { return [] }
        }
        switch mode {
        case .keys where replay != nil: return handleReplayKey(key)
        case .keys: return handleShortcut(key)
        case .commandLine: return handleEditing(key)
        }
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
            if case .help(let topic) = command {
                showHelp = topic == nil
                if let topic { setStatus(CommandHelp.help(for: topic)?.replacingNewlines ?? "no help for \(topic)") }
                return []
            }
            if command == .quit { return [.quit] }
            setStatus("\(line) …")
            return [.run(command, line: line)]
        } catch {
            setStatus("\(error)", error: true)
            return []
        }
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

extension String {
    var replacingNewlines: String {
        split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "  ")
    }
}
