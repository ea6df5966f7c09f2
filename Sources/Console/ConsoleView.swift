import Cluster
import CommandLanguage
import Raft
import Wire

/// Renders a `ConsoleModel` into a `Screen`: boxed panes from 120×40, one line per node at 80×24,
/// a plain refusal below that. Pure: the same model gives the same screen.
public enum ConsoleView {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public static func render(_ model: ConsoleModel) -> Screen {
        var screen = Screen(width: model.width, height: model.height)
        guard model.width >= minimumWidth, model.height >= minimumHeight else {
            renderTooSmall(model, into: &screen)
            return screen
        }
        let painter = Painter(model: model)
        painter.header(into: &screen)
        if model.width >= 120 && model.height >= 40 {
            painter.boxedLayout(into: &screen)
        } else {
            painter.compactLayout(into: &screen)
        }
        painter.banner(into: &screen)
        painter.statusAndCommandLine(into: &screen)
        if model.showHelp { painter.helpOverlay(into: &screen) }
        return screen
    }

    private static func renderTooSmall(_ model: ConsoleModel, into screen: inout Screen) {
        let lines = ["ClusterDeck needs at least \(minimumWidth)×\(minimumHeight);",
                     "this terminal is \(model.width)×\(model.height). Enlarge it, or press q."]
        for (offset, line) in lines.enumerated() {
            screen.write(line, x: 0, y: offset)
        }
    }
}

/// Styles by meaning, so colour, monochrome and NO_COLOR all read the same way.
struct Palette {
    let colors: Bool

    func role(_ role: String?, status: NodeStatus) -> CellStyle {
        switch status {
        case .down: return CellStyle(foreground: colors ? .red : nil, bold: true, reverse: !colors)
        case .paused: return CellStyle(foreground: colors ? .magenta : nil, bold: true)
        case .starting: return CellStyle(dim: true)
        case .up: break
        }
        switch role {
        case Role.leader.rawValue: return CellStyle(foreground: colors ? .green : nil, bold: true)
        case Role.candidate.rawValue: return CellStyle(foreground: colors ? .yellow : nil, bold: true)
        case Role.preCandidate.rawValue: return CellStyle(foreground: colors ? .yellow : nil)
        default: return CellStyle(foreground: colors ? .cyan : nil)
        }
    }

    var header: CellStyle { CellStyle(reverse: true) }
    var warning: CellStyle { CellStyle(foreground: colors ? .yellow : nil, bold: true, reverse: !colors) }
    var error: CellStyle { CellStyle(foreground: colors ? .red : nil, bold: true) }
    var dim: CellStyle { CellStyle(dim: true) }
    var selected: CellStyle { CellStyle(bold: true) }
    var lost: CellStyle { CellStyle(foreground: colors ? .red : nil) }
    var held: CellStyle { CellStyle(foreground: colors ? .magenta : nil, bold: true) }
}

/// The rendering steps, sharing the model and palette.
struct Painter {
    let model: ConsoleModel
    let palette: Palette
    var glyphs: BoxGlyphs { model.glyphs }

    init(model: ConsoleModel) {
        self.model = model
        palette = Palette(colors: model.colors)
    }

    // MARK: Header

    /// Most important first, so a narrow terminal clips only the least: freeze, switched-off features
    /// and bugs, then leadership, the network, the pace.
    func header(into screen: inout Screen) {
        screen.fill(Rect(x: 0, y: 0, width: model.width, height: 1), style: palette.header)
        var x = screen.write(" ClusterDeck", x: 0, y: 0, style: palette.header)
        if model.summary.frozen {
            x = screen.write(" FROZEN (\(model.summary.heldMessages) held)", x: x + 1, y: 0, style: palette.warning)
        }
        let separator = " │ ".replacingBar(glyphs)
        screen.write(separator + headerParts.joined(separator: separator), x: x, y: 0, style: palette.header)
    }

    private var headerParts: [String] {
        let summary = model.summary
        var parts: [String] = []
        if !summary.preVote { parts.append("prevote off") }
        if !summary.checkQuorum { parts.append("checkquorum off") }
        if !summary.fsync { parts.append("fsync off") }
        parts += summary.bugs.map { "BUG \($0)" }
        let leader = model.leader
        let term = leader?.state?.term ?? model.nodes.compactMap { $0.state?.term }.max() ?? 0
        parts += ["term \(term)", "leader \(leader.map { "n\($0.id)" } ?? "none")",
                  "commit \(leader?.state?.commitIndex ?? 0)"]
        let wide = model.width >= 120
        parts.append("net " + (wide ? summary.network : summary.network.split(separator: " ").joined()))
        parts.append("pace \(paceName)")
        if wide { parts.append("\(model.nodeCount) nodes") }
        return parts
    }

    private var paceName: String {
        let timing = model.summary.timing
        switch timing {
        case .teach: return "teach"
        case .real: return "real"
        default: return "hb \(timing.heartbeatMs)ms"
        }
    }

    // MARK: Layouts

    func compactLayout(into screen: inout Screen) {
        var y = 1
        for view in model.nodes {
            compactLine(view, y: y, into: &screen)
            y += 1
        }
        for line in serviceLines().prefix(3) {
            screen.write(line, x: 1, y: y, style: palette.selected, maxWidth: model.width - 2)
            y += 1
        }
        let eventsTop = y
        let bottom = model.height - 3 - bannerLines.count
        screen.write(String(repeating: glyphs.horizontal, count: model.width), x: 0, y: eventsTop, style: palette.dim)
        screen.write(" events ", x: 2, y: eventsTop, style: palette.dim)
        let rows = max(0, bottom - eventsTop)
        for (offset, line) in model.events.suffix(rows).enumerated() {
            screen.write(line, x: 1, y: eventsTop + 1 + offset, maxWidth: model.width - 2)
        }
    }

    private func compactLine(_ view: NodeView, y: Int, into screen: inout Screen) {
        let selected = view.id == model.selected
        let marker = selected ? String(glyphs.arrowRight) : " "
        var x = screen.write("\(marker)n\(view.id) ", x: 0, y: y, style: selected ? palette.selected : .plain)
        let state = view.state
        x = screen.write(roleLabel(view).padded(13), x: x, y: y, style: palette.role(state?.role, status: view.status))
        guard view.status.isRunning || view.status == .paused, let state else {
            screen.write(downReason(view), x: x, y: y, style: palette.dim, maxWidth: model.width - x)
            return
        }
        // A campaign's tally matters more than the applied index and key count while it lasts.
        let middle = tally(state).map { $0.padded(20) }
            ?? "applied \(state.appliedIndex)".padded(12) + "keys \(state.keyCount)".padded(8)
        let text = "t\(state.term)".padded(5) + "last \(state.lastIndex)".padded(9)
            + "commit \(state.commitIndex)".padded(11) + middle + linkSummary(view.id)
        screen.write(text, x: x, y: y, maxWidth: model.width - x)
    }

    func boxedLayout(into screen: inout Screen) {
        let columns = min(3, max(1, model.nodeCount))
        let rows = (model.nodeCount + columns - 1) / columns
        let paneWidth = model.width / columns
        // Panes shrink (down to 7 rows) so the timeline keeps at least 8 rows with 9 nodes.
        let paneHeight = max(7, min(12, (model.height - 3 - 8 - bannerLines.count) / rows))
        for (index, view) in model.nodes.enumerated() {
            let rect = Rect(x: (index % columns) * paneWidth, y: 1 + (index / columns) * paneHeight,
                            width: paneWidth, height: paneHeight)
            nodePane(view, in: rect, into: &screen)
        }
        let top = 1 + rows * paneHeight
        let bottom = model.height - 2 - bannerLines.count
        guard bottom - top >= 4 else { return }
        let timelineWidth = model.width * 3 / 5
        timelinePane(Rect(x: 0, y: top, width: timelineWidth, height: bottom - top), into: &screen)
        let services = serviceLines()
        var eventsTop = top
        if !services.isEmpty {
            let height = min(2 * services.count + 2, (bottom - top) / 2)
            servicePane(services, in: Rect(x: timelineWidth, y: top, width: model.width - timelineWidth,
                                           height: height), into: &screen)
            eventsTop += height
        }
        eventPane(Rect(x: timelineWidth, y: eventsTop, width: model.width - timelineWidth, height: bottom - eventsTop),
                  into: &screen)
    }

    // MARK: Node pane

    private func nodePane(_ view: NodeView, in rect: Rect, into screen: inout Screen) {
        let selected = view.id == model.selected
        let roleStyle = palette.role(view.state?.role, status: view.status)
        screen.box(rect, title: "n\(view.id) \(roleLabel(view))", glyphs: glyphs,
                   style: selected ? palette.selected : palette.dim, titleStyle: roleStyle)
        let inner = rect.inner
        var lines: [(String, CellStyle)] = []
        switch view.status {
        case .down(let reason):
            lines = [("DOWN", roleStyle), (reason, palette.dim)]
            if model.replay == nil { lines.append(("r restarts it on its data", palette.dim)) }
        case .paused, .starting, .up:
            lines = paneLines(view)
        }
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            screen.write(line.0, x: inner.x + 1, y: inner.y + offset, style: line.1, maxWidth: inner.width - 1)
        }
    }

    private func paneLines(_ view: NodeView) -> [(String, CellStyle)] {
        guard let state = view.state else { return [("starting…", palette.dim)] }
        var lines: [(String, CellStyle)] = []
        if view.status == .paused { lines.append(("PAUSED (SIGSTOP)", palette.role(nil, status: .paused))) }
        lines.append(("term \(state.term)  vote \(state.votedFor.map { "n\($0)" } ?? "-")  "
            + "leader \(state.leader.map { "n\($0)" } ?? "-")", .plain))
        if let tally = tally(state) { lines.append((tally + " needed", palette.role(state.role, status: .up))) }
        lines.append(("commit \(state.commitIndex)  applied \(state.appliedIndex)  "
            + "log \(state.firstIndex)…\(state.lastIndex)", .plain))
        for entry in state.logTail.suffix(4) {
            let mark = entry.index <= state.commitIndex ? glyphs.check : " "
            lines.append(("\(mark) \(entry.index) t\(entry.term) \(entry.text)",
                          entry.index <= state.commitIndex ? .plain : palette.dim))
        }
        let sample = state.sample.keys.sorted().prefix(3).map { "\($0)=\(state.sample[$0] ?? "")" }
        lines.append(("kv \(state.keyCount): \(sample.joined(separator: " "))", .plain))
        if !state.followers.isEmpty {
            let followers = state.followers.map { "n\($0.node) \($0.match)/\($0.next)" }
            lines.append(("match/next " + followers.joined(separator: " "), palette.dim))
        }
        lines.append(("links \(linkSummary(view.id))", palette.dim))
        return lines
    }

    /// A (pre-)candidate's votes so far against the quorum it needs: "votes n2,n1 2/3".
    private func tally(_ state: NodeStateFrame) -> String? {
        guard let votes = state.votes, state.role == Role.candidate.rawValue
                || state.role == Role.preCandidate.rawValue else { return nil }
        let kind = state.role == Role.preCandidate.rawValue ? "pre-votes" : "votes"
        let voters = votes.map { "n\($0)" }.joined(separator: ",")
        return "\(kind) \(voters) \(votes.count)/\(model.nodeCount / 2 + 1)"
    }

    private func roleLabel(_ view: NodeView) -> String {
        switch view.status {
        case .down: return "DOWN"
        case .paused: return "PAUSED"
        case .starting: return "STARTING"
        case .up: return (view.state?.role ?? "starting").uppercased()
        }
    }

    private func downReason(_ view: NodeView) -> String {
        if case .down(let reason) = view.status { return reason }
        return "starting…"
    }

    /// "ok", or what the fabric does to this node's links.
    private func linkSummary(_ id: NodeID) -> String {
        let network = model.summary.network
        guard network != "none" else { return "ok" }
        let groups = network.split(separator: "|").map {
            $0.split(separator: ",").compactMap { Int(String($0).trimmingSpaces) }
        }
        if groups.count > 1, let mine = groups.first(where: { $0.contains(id) }) {
            return "reaches " + mine.map(String.init).joined(separator: ",")
        }
        return network.contains("\(id)") ? network : "ok"
    }

    // MARK: Timeline

    private func timelinePane(_ rect: Rect, into screen: inout Screen) {
        screen.box(rect, title: "messages", glyphs: glyphs, style: palette.dim)
        let inner = rect.inner
        guard inner.height > 1, model.nodeCount > 1 else { return }
        let spacing = max(4, (inner.width - 4) / max(1, model.nodeCount - 1))
        let column = { (id: NodeID) in inner.x + 2 + (id - 1) * spacing }
        for id in 1...model.nodeCount {
            screen.write("n\(id)", x: column(id) - 1, y: inner.y, style: palette.selected)
        }
        let rows = inner.height - 1
        for (offset, record) in model.messages.suffix(rows).enumerated() {
            arrow(record, row: inner.y + 1 + offset, column: column, rowEnd: inner.x + inner.width,
                  into: &screen)
        }
    }

    private func arrow(_ record: MessageRecord, row: Int, column: (NodeID) -> Int, rowEnd: Int,
                       into screen: inout Screen) {
        let from = column(record.header.from)
        let to = column(record.header.to)
        let style: CellStyle
        switch record.fate {
        case .delivered: style = .plain
        case .held: style = palette.held
        case .lost, .partitioned, .receiverDown, .overflow: style = palette.lost
        }
        let left = min(from, to)
        let right = max(from, to)
        screen.write(String(repeating: glyphs.horizontal, count: max(0, right - left - 1)), x: left + 1, y: row,
                     style: style)
        screen.write(String(from < to ? glyphs.arrowRight : glyphs.arrowLeft), x: from < to ? right : left,
                     y: row, style: style)
        screen.write("•", x: from, y: row, style: style)
        var label = "\(record.header.typeName) t\(record.header.term)"
        if record.header.entryCount > 0 { label += " +\(record.header.entryCount)" }
        if let answer = record.voteAnswer { label += " " + voteMark(answer) }
        switch record.fate {
        case .delivered: break
        case .held: label += " HELD"
        default: label = "\(glyphs.cross) " + label + " \(record.fate.rawValue)"
        }
        // A label too long for its arrow (a vote refusal's reason between neighbours) goes after it,
        // where the row is free, rather than being cut.
        let inside = right - left - 2
        let outside = rowEnd - right - 2
        let labelX = label.count > inside && outside >= label.count ? right + 2 : left + 2
        screen.write(label, x: labelX, y: row, style: style, maxWidth: max(0, labelX == left + 2 ? inside : outside))
    }

    /// "✓", or "✗" and why: the few words a timeline arrow has room for.
    private func voteMark(_ answer: VoteAnswer) -> String {
        switch answer {
        case .granted: String(glyphs.check)
        case .refused(let reason): "\(glyphs.cross) \(reason.label)"
        }
    }

    // MARK: Locks and elections

    /// One line per lock and election, as the leader's replica sees them.
    func serviceLines() -> [String] {
        guard let state = model.leader?.state ?? model.nodes.compactMap(\.state).max(by: {
            $0.appliedIndex < $1.appliedIndex
        }) else { return [] }
        let name = { (id: UInt64) in model.summary.clientNames[id] ?? "c\(id % 10_000)" }
        let seconds = { (ms: Int) in "\(ms / 1000).\(ms % 1000 / 100)s" }
        var lines: [String] = []
        for lock in state.locks ?? [] {
            var line = "lock \(lock.name): " + (lock.holder.map { "\(name($0)) token \(lock.token)" } ?? "free")
            if let lease = lock.leaseRemainingMs, lock.holder != nil { line += ", \(seconds(lease)) left" }
            if !lock.waiters.isEmpty { line += "; waiting " + lock.waiters.map(name).joined(separator: ", ") }
            lines.append(line)
        }
        for election in state.elections ?? [] {
            var line = "elect \(election.name): \(name(election.leader))=\(election.value) rev \(election.revision), "
                + "\(seconds(election.leaseRemainingMs)) left"
            if !election.candidates.isEmpty {
                line += "; next " + election.candidates.map(name).joined(separator: ", ")
            }
            lines.append(line)
        }
        return lines
    }

    private func servicePane(_ entries: [String], in rect: Rect, into screen: inout Screen) {
        screen.box(rect, title: "locks & elections", glyphs: glyphs, style: palette.dim)
        let inner = rect.inner
        // A line too wide for the pane continues after its "; ", indented.
        let lines = entries.flatMap { line -> [String] in
            guard line.count > inner.width - 1 else { return [line] }
            let parts = line.split(separator: ";", maxSplits: 1).map(String.init)
            return [parts[0]] + parts.dropFirst().map { "  " + $0.trimmingSpaces }
        }
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            screen.write(line, x: inner.x + 1, y: inner.y + offset, maxWidth: inner.width - 1)
        }
    }

    private func eventPane(_ rect: Rect, into screen: inout Screen) {
        screen.box(rect, title: "events", glyphs: glyphs, style: palette.dim)
        let inner = rect.inner
        for (offset, line) in model.events.suffix(inner.height).enumerated() {
            screen.write(line, x: inner.x + 1, y: inner.y + offset, maxWidth: inner.width - 1)
        }
    }

    // MARK: Caption bar and time bar

    /// The rows above the status line: a scenario's caption (wrapped to two rows at most) and where
    /// it is, or a replay's time bar.
    var bannerLines: [(String, CellStyle)] {
        let timeBar = model.replay.map { [($0.bar(width: model.width - 1), palette.header)] } ?? []
        guard let script = model.script else { return timeBar }
        let caption = script.caption.isEmpty ? "lesson \(script.file)" : "» " + script.caption
        let detailStyle: CellStyle
        if case .failed = script.state { detailStyle = palette.error } else { detailStyle = palette.selected }
        let rows = model.height >= 30 ? 3 : 2
        return caption.wrapped(width: model.width - 2, rows: rows).map { ($0, palette.header) }
            + [(script.detail, detailStyle)] + timeBar
    }

    func banner(into screen: inout Screen) {
        let lines = bannerLines
        let top = model.height - 2 - lines.count
        for (offset, line) in lines.enumerated() {
            screen.fill(Rect(x: 0, y: top + offset, width: model.width, height: 1), style: line.1)
            screen.write(" " + line.0, x: 0, y: top + offset, style: line.1, maxWidth: model.width)
        }
    }

    // MARK: Bottom lines

    func statusAndCommandLine(into screen: inout Screen) {
        let statusRow = model.height - 2
        let commandRow = model.height - 1
        screen.write(model.status, x: 0, y: statusRow, style: model.statusIsError ? palette.error : .plain,
                     maxWidth: model.width)
        switch model.mode {
        case .commandLine:
            let prompt = ":"
            let text = model.editor.text
            let visible = max(1, model.width - 2)
            let start = max(0, model.editor.cursor - visible + 1)
            let shown = String(text.dropFirst(start).prefix(visible))
            screen.write(prompt + shown, x: 0, y: commandRow, style: palette.selected)
            let cursorX = 1 + model.editor.cursor - start
            let under = model.editor.cursor < text.count ? Array(text)[model.editor.cursor] : " "
            screen.write(String(under), x: cursorX, y: commandRow, style: CellStyle(reverse: true))
        case .keys where model.replay != nil:
            let hints = "space pause/play  \(glyphs.arrowLeft)/\(glyphs.arrowRight) 10 s back/on  +/- speed  "
                + "1-\(model.nodeCount) select  ? help  q quit"
            screen.write(hints, x: 0, y: commandRow, style: palette.dim, maxWidth: model.width)
        case .keys where model.script != nil && model.replay == nil:
            let hints = model.width >= 120
                ? "LESSON Enter next step · P hold · q quit  │  NODE n\(model.selected) k kill · r restart · p pause · "
                    + "x isolate · h heal · space freeze · n step · : cmd · ? help"
                : "Enter next·P hold·q quit │ n\(model.selected): k kill p pause x isolate : cmd ? help"
            screen.write(hints.replacingBar(glyphs), x: 0, y: commandRow, style: palette.dim, maxWidth: model.width)
        case .keys:
            let hints = model.width >= 120
                ? "1-\(model.nodeCount) select  k kill  r restart  p pause  x isolate  h heal  "
                    + "space freeze  n step  +/- pace  : command  ? help  q quit"
                : "1-\(model.nodeCount)·k kill·r restart·p pause·x isolate·h heal·spc freeze·: cmd·? help·q quit"
            screen.write(hints, x: 0, y: commandRow, style: palette.dim, maxWidth: model.width)
        }
    }

    func helpOverlay(into screen: inout Screen) {
        guard model.replay == nil else {
            return overlay(["Replay keys", "  space  pause / play", "  \(glyphs.arrowLeft) / \(glyphs.arrowRight)  10 s back / on",
                            "  + / -  faster / slower (x0.25 to x8)", "  1-9    select a node", "  q      quit", "",
                            "A recorded run: nothing here touches a cluster.", "", "Any key closes this help."],
                           into: &screen)
        }
        let keys = [
            "Keys", "  1-9    select a node          k  kill it (SIGKILL)", "  r      restart it on its data   p  pause/resume (SIGSTOP)",
            "  x      isolate it             h  heal the network", "  space  freeze / thaw time      n  step one held message",
            "  + / -  pace faster / slower   :  command line (Tab completes, ↑↓ history)",
            "  ?      this help              q  quit", "", "Commands",
        ]
        let scriptKeys = model.script == nil ? [] : ["  Enter  go on past a pause      P  hold / resume the script"]
        let commands = CommandHelp.overview.split(separator: "\n").map { "  " + $0 }
        overlay(Array(keys.prefix(7)) + scriptKeys + Array(keys.dropFirst(7)) + commands + ["", "Any key closes this help."], into: &screen)
    }

    private func overlay(_ lines: [String], into screen: inout Screen) {
        let width = min(model.width - 4, 84)
        let height = min(model.height - 2, lines.count + 2)
        let rect = Rect(x: (model.width - width) / 2, y: 1, width: width, height: height)
        screen.fill(rect)
        screen.box(rect, title: "help", glyphs: glyphs, style: palette.selected)
        for (offset, line) in lines.prefix(height - 2).enumerated() {
            screen.write(line, x: rect.x + 2, y: rect.y + 1 + offset, maxWidth: width - 3)
        }
    }
}

extension String {
    /// Word-wrapped to `width` columns, at most `rows` rows (the last one cut with "…").
    func wrapped(width: Int, rows: Int) -> [String] {
        guard width > 1 else { return [self] }
        var lines: [String] = []
        var current = ""
        for word in split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        guard lines.count > rows else { return lines }
        let last = lines[rows - 1]
        return Array(lines.prefix(rows - 1)) + [String(last.prefix(width - 1)) + "…"]
    }

    /// The header's separators in ASCII when the locale is not UTF-8.
    func replacingBar(_ glyphs: BoxGlyphs) -> String {
        glyphs == .unicode ? self : String(map { $0 == "│" ? "|" : $0 })
    }
}
