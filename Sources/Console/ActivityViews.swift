import ClusterAPI

/// The activity area: the message timeline, locks & elections, and the events; side by side in
/// boxes on wide screens, stacked under ruled titles on narrow ones.
extension Painter {
    func activity(in area: Rect, sideBySide: Bool, services: [String], into screen: inout Screen) {
        guard area.height >= 4 else { return }
        if sideBySide {
            let timelineWidth = area.width * 3 / 5
            timeline(in: section(Rect(x: area.x, y: area.y, width: timelineWidth, height: area.height),
                                 title: timelineTitle, boxed: true, into: &screen), into: &screen)
            var eventsTop = area.y
            if !services.isEmpty {
                let height = min(2 * services.count + 2, area.height / 2)
                servicePane(services, in: Rect(x: timelineWidth, y: area.y, width: area.width - timelineWidth,
                                               height: height), into: &screen)
                eventsTop += height
            }
            let eventsRect = Rect(x: timelineWidth, y: eventsTop, width: area.width - timelineWidth,
                                  height: area.y + area.height - eventsTop)
            events(in: section(eventsRect, title: "events", boxed: true, into: &screen), into: &screen)
        } else {
            // The timeline takes three fifths of the rows, the events the rest.
            let timelineHeight = (area.height * 3 + 4) / 5
            timeline(in: section(Rect(x: area.x, y: area.y, width: area.width, height: timelineHeight),
                                 title: timelineTitle, boxed: false, into: &screen), into: &screen)
            let eventsRect = Rect(x: area.x, y: area.y + timelineHeight, width: area.width,
                                  height: area.height - timelineHeight)
            events(in: section(eventsRect, title: "events", boxed: false, into: &screen), into: &screen)
        }
    }

    /// Draws a section's frame (a box, or a ruled title line) and returns the room inside it.
    private func section(_ rect: Rect, title: String, boxed: Bool, into screen: inout Screen) -> Rect {
        if boxed {
            screen.box(rect, title: title, glyphs: glyphs, style: palette.dim)
            return rect.inner
        }
        screen.write(String(repeating: glyphs.horizontal, count: rect.width), x: rect.x, y: rect.y, style: palette.dim)
        screen.write(" \(title) ", x: rect.x + 2, y: rect.y, style: palette.dim, maxWidth: rect.width - 4)
        return Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: max(0, rect.height - 1))
    }

    // MARK: Timeline

    private var timelineTitle: String {
        if model.summary.linkTraffic != nil { return "peer traffic through the proxy (bytes, not decoded)" }
        return model.hidesHeartbeats ? "messages (heartbeats hidden: m shows them)" : "messages"
    }

    /// The messages shown: all, or all but heartbeats and their answers.
    private var timelineMessages: [MessageRecord] {
        guard model.hidesHeartbeats else { return model.messages }
        return model.messages.filter { !$0.isHeartbeat }
    }

    /// A column per node, an arrow per message, the newest at the bottom; or, for a back end whose
    /// messages are relayed undecoded, a row per directed link with what it carried.
    private func timeline(in inner: Rect, into screen: inout Screen) {
        if let traffic = model.summary.linkTraffic { return trafficRows(traffic, in: inner, into: &screen) }
        guard inner.height > 1, model.nodeCount > 1 else { return }
        let spacing = max(4, (inner.width - 4) / max(1, model.nodeCount - 1))
        let column = { (id: NodeID) in inner.x + 2 + (id - 1) * spacing }
        for id in 1...model.nodeCount {
            screen.write("n\(id)", x: column(id) - 1, y: inner.y, style: palette.selected)
        }
        for (offset, record) in timelineMessages.suffix(inner.height - 1).enumerated() {
            arrow(record, row: inner.y + 1 + offset, column: column, rowEnd: inner.x + inner.width, into: &screen)
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
        // A label too long for its arrow (a vote refusal's reason between neighbours) goes after it,
        // where the row is free, rather than losing fields.
        let fields = labelFields(record)
        let whole = fields.map(\.text).joined()
        let inside = right - left - 2
        let outside = rowEnd - right - 2
        let labelX = whole.count > inside && outside >= whole.count ? right + 2 : left + 2
        let room = labelX == left + 2 ? inside : outside
        screen.write(fields.fitting(width: room), x: labelX, y: row, style: style, maxWidth: room)
    }

    /// One row per directed link: whether the rules let it through, its rate now and its totals.
    private func trafficRows(_ traffic: [LinkTraffic], in inner: Rect, into screen: inout Screen) {
        let network = model.summary.network
        let arrow = String(glyphs.arrowRight)
        for (offset, link) in traffic.prefix(inner.height).enumerated() {
            let open = network.reaches(from: link.from, to: link.to)
            let fields: [(text: String, priority: Int)] = [
                ("n\(link.from) \(arrow) n\(link.to)".padded(10), 9),
                ((open ? "" : "\(glyphs.cross) cut").padded(7), 8),
                ("\(link.bytesPerSecond.byteText)/s".padded(11), 7),
                (link.bytes.byteText.padded(9), 5),
                ("\(link.connections) conn".padded(10), 3),
                ("\(link.blocked) blocked", 6),
            ]
            screen.write(fields.fitting(width: inner.width - 2), x: inner.x + 1, y: inner.y + offset,
                         style: open ? (link.bytesPerSecond > 0 ? .plain : palette.dim) : palette.lost)
        }
    }

    /// "✓", or "✗" and why: the few words a timeline arrow has room for.
    private func voteMark(_ answer: VoteReply) -> String {
        switch answer {
        case .granted: String(glyphs.check)
        case .refused(let reason): "\(glyphs.cross) \(reason.label)"
        }
    }

    /// What an arrow says, in fields a short hop drops whole, least telling first: the term (the
    /// header has it), then how it was lost, the entry count, the type; the ✗ of a lost message last.
    private func labelFields(_ record: MessageRecord) -> [(text: String, priority: Int)] {
        let header = record.header
        var fields: [(text: String, priority: Int)] = []
        let lost = record.fate != .delivered && record.fate != .held
        if lost { fields.append(("\(glyphs.cross) ", 6)) }
        fields += [(header.typeName, 5), (" t\(header.term)", 2)]
        if header.entryCount > 0 { fields.append((" +\(header.entryCount)", 4)) }
        if let answer = record.voteAnswer { fields.append((" " + voteMark(answer), 5)) }
        if record.fate == .held { fields.append((" HELD", 4)) }
        if lost { fields.append((" \(record.fate.rawValue)", 3)) }
        return fields
    }

    // MARK: Locks and elections

    /// One line per lock and election, as the leader's replica sees them.
    func serviceLines() -> [String] {
        guard let state = model.nodes.replicaShown else { return [] }
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
        let lines = entries.flatMap { $0.wrapped(width: inner.width - 1, at: "; ", indent: "  ") }
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            screen.write(line, x: inner.x + 1, y: inner.y + offset, maxWidth: inner.width - 1)
        }
    }

    /// The newest events at the bottom; one too long for a row continues on the next, indented. Only
    /// whole events show (no continuation without its start).
    private func events(in inner: Rect, into screen: inout Screen) {
        let width = inner.width - 2
        var rows: [String] = []
        for event in model.events.reversed() {
            let eventRows = event.wrapped(width: width, rows: 2, indent: "  ")
            guard rows.count + eventRows.count <= inner.height else { break }
            rows.insert(contentsOf: eventRows, at: 0)
        }
        for (offset, row) in rows.enumerated() {
            screen.write(row, x: inner.x + 1, y: inner.y + offset, maxWidth: width)
        }
    }
}

extension MessageRecord {
    /// A heartbeat or its answer: this Raft's empty appends, which `m` hides from the timeline.
    var isHeartbeat: Bool { header.type.isHeartbeat }
}
