import ClusterAPI
import CommandLanguage

/// Renders a `ConsoleModel` into a `Screen`: nodes, message timeline and events at every size from
/// 80×24 (`ConsoleLayout` says where), a plain refusal below that. Pure: the same model gives the same
/// screen.
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
        painter.nodesAndActivity(into: &screen)
        painter.banner(into: &screen)
        painter.statusAndCommandLine(into: &screen)
        if let pane = model.outputPane { painter.outputPane(pane, into: &screen) }
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

    func role(_ role: NodeRole?, status: NodeStatus) -> CellStyle {
        switch status {
        case .down: return CellStyle(foreground: colors ? .red : nil, bold: true, reverse: !colors)
        case .paused: return CellStyle(foreground: colors ? .magenta : nil, bold: true)
        case .starting: return CellStyle(dim: true)
        case .up: break
        }
        switch role {
        case .leader?, .primary?: return CellStyle(foreground: colors ? .green : nil, bold: true)
        case .candidate?: return CellStyle(foreground: colors ? .yellow : nil, bold: true)
        case .preCandidate?: return CellStyle(foreground: colors ? .yellow : nil)
        case .follower?, .learner?, .backup?, nil: return CellStyle(foreground: colors ? .cyan : nil)
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

    /// Most important first, so a narrow terminal drops only the least, whole: freeze, switched-off
    /// features and bugs, then leadership, the network, the pace.
    func header(into screen: inout Screen) {
        screen.fill(Rect(x: 0, y: 0, width: model.width, height: 1), style: palette.header)
        var x = screen.write(" ClusterDeck", x: 0, y: 0, style: palette.header)
        if let seed = model.summary.simulatedSeed {
            x = screen.write(" SIMULATED seed \(seed)", x: x + 1, y: 0, style: palette.warning)
        }
        if let engine = model.summary.engineLabel {
            x = screen.write(" \(engine)", x: x + 1, y: 0, style: palette.warning)
        }
        if model.summary.frozen {
            x = screen.write(" FROZEN (\(model.summary.heldMessages) held)", x: x + 1, y: 0, style: palette.warning)
        }
        let separator = " │ ".replacingBar(glyphs)
        var text = ""
        for part in headerParts {
            guard x + text.count + separator.count + part.count <= model.width else { break }
            text += separator + part
        }
        screen.write(text, x: x, y: 0, style: palette.header)
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
        if model.nodes.contains(where: { $0.state?.role == .primary || $0.state?.role == .backup }) {
            parts += ["epoch \(term)", "primary \(leader.map { "n\($0.id)" } ?? "none")",
                      "acked \(leader?.state?.commitIndex ?? 0)"]
        } else {
            parts += ["term \(term)", "leader \(leader.map { "n\($0.id)" } ?? "none")",
                      "commit \(leader?.state?.commitIndex ?? 0)"]
        }
        let wide = model.width >= 120
        parts.append("net " + (wide ? summary.network.text : compactNetwork))
        if model.hidesHeartbeats { parts.append("heartbeats hidden") }
        parts.append("pace \(paceName)")
        parts.append("\(model.nodeCount) nodes")
        return parts
    }

    /// The network without spaces, for a narrow header: `1,2|3,4,5`, `ring 1,2,3`, `bridge 3:1,2|4,5`,
    /// then cuts and slowed links (`1-x->2`, `2->3~`).
    private var compactNetwork: String {
        let network = model.summary.network
        guard !network.isNone else { return "none" }
        let ids = { (group: [Int]) in group.map(String.init).joined(separator: ",") }
        var parts: [String] = []
        switch network.partition {
        case .groups(let groups): parts.append(groups.map(ids).joined(separator: "|"))
        case .ring(let order): parts.append("ring " + ids(order))
        case .bridge(let node, let halves): parts.append("bridge \(node):" + halves.map(ids).joined(separator: "|"))
        case nil: break
        }
        parts += network.links.map { $0.up ? "\($0.from)->\($0.to)~" : "\($0.from)-x->\($0.to)" }
        return parts.joined(separator: " ")
    }

    private var paceName: String {
        let timing = model.summary.timing
        switch timing {
        case .teach: return "teach"
        case .real: return "real"
        default: return "hb \(timing.heartbeatMs)ms"
        }
    }

    // MARK: Caption bar and time bar

    /// The rows above the status line: a lesson's caption (wrapped to three rows at most) and where it
    /// is, and a replay's time bar.
    var bannerLines: [(String, CellStyle)] {
        let replayBar = model.replay.map { [($0.bar(width: model.width - 1), palette.header)] }
        let travelBar = model.summary.travel.map { [($0.bar(width: model.width - 1), palette.header)] }
        let timeBar = replayBar ?? travelBar ?? []
        guard let script = model.script else { return timeBar }
        let caption = script.caption.isEmpty ? "lesson \(script.file)" : "» " + script.caption
        let detailStyle: CellStyle
        if case .failed = script.state { detailStyle = palette.error } else { detailStyle = palette.selected }
        let rows = 3
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
                ? "LESSON Enter next step · P hold · q quit │ NODE n\(model.selected) k kill · r restart · p pause · "
                    + "x isolate · h heal · : cmd · ? help"
                : "Enter next · P hold · q quit │ n\(model.selected) k kill · p pause · x isolate · : cmd · ? help"
            screen.write(hints.replacingBar(glyphs), x: 0, y: commandRow, style: palette.dim, maxWidth: model.width)
        case .keys where model.summary.engineLabel != nil:
            // Another engine (etcd) runs the cluster: no freeze, step or pace keys to offer.
            let hints = model.width >= 120
                ? "1-\(model.nodeCount) select  k kill  r restart  p pause  x isolate  h heal  : command  ? help  q quit"
                : "1-\(model.nodeCount)·k kill·r restart·p pause·x isolate·h heal·: cmd·? help·q quit"
            screen.write(hints, x: 0, y: commandRow, style: palette.dim, maxWidth: model.width)
        case .keys:
            let hints = model.width >= 120
                ? "1-\(model.nodeCount) select  k kill  r restart  p pause  x isolate  h heal  "
                    + "space freeze  n step  +/- pace  : command  ? help  q quit"
                : "1-\(model.nodeCount)·k kill·r restart·p pause·x isolate·h heal·spc freeze·: cmd·? help·q quit"
            screen.write(hints, x: 0, y: commandRow, style: palette.dim, maxWidth: model.width)
        }
    }

    /// The output pane over the others: its rows from the scroll position, and where it is in the
    /// bottom border.
    func outputPane(_ pane: OutputPane, into screen: inout Screen) {
        let rows = pane.rows(width: model.width, height: model.height)
        var rect = OutputPane.frame(width: model.width, height: model.height)
        rect.height = min(rect.height, rows.count + 2)
        guard rect.width > 4, rect.height > 2 else { return }
        screen.fill(rect)
        screen.box(rect, title: pane.title, glyphs: glyphs, style: palette.selected)
        let inner = rect.inner
        for (offset, row) in rows.dropFirst(pane.top).prefix(inner.height).enumerated() {
            screen.write(row, x: inner.x + 1, y: inner.y + offset, maxWidth: inner.width - 2)
        }
        let shown = min(rows.count, pane.top + inner.height)
        let position = rows.count > inner.height
            ? "\(pane.top + 1)-\(shown) of \(rows.count) · ↑↓ PgUp PgDn Home End · Esc closes"
            : "Esc closes"
        screen.write(" \(position) ", x: rect.x + 2, y: rect.y + rect.height - 1, style: palette.selected,
                     maxWidth: rect.width - 4)
    }
}

extension String {
    /// The header's separators in ASCII when the locale is not UTF-8.
    func replacingBar(_ glyphs: BoxGlyphs) -> String {
        glyphs == .unicode ? self : String(map { $0 == "│" ? "|" : $0 })
    }
}
