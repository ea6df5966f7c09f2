import ClusterAPI

/// The nodes: a boxed pane each, or one line each where panes do not fit.
extension Painter {
    /// The nodes where the layout puts them, then the timeline, locks & elections, and events.
    func nodesAndActivity(into screen: inout Screen) {
        let services = serviceLines()
        let layout = ConsoleLayout(width: model.width, height: model.height, nodeCount: model.nodeCount,
                                   bannerRows: bannerLines.count, serviceLineCount: services.count)
        switch layout.nodes {
        case .panes(let columns, let height):
            let paneWidth = model.width / columns
            for (index, view) in model.nodes.enumerated() {
                let rect = Rect(x: (index % columns) * paneWidth, y: 1 + (index / columns) * height,
                                width: paneWidth, height: height)
                nodePane(view, in: rect, into: &screen)
            }
        case .lines:
            for (offset, view) in model.nodes.enumerated() { nodeLine(view, y: 1 + offset, into: &screen) }
        }
        let serviceTop = layout.activity.y - layout.serviceLineRows
        for (offset, line) in services.prefix(layout.serviceLineRows).enumerated() {
            screen.write(line, x: 1, y: serviceTop + offset, style: palette.selected, maxWidth: model.width - 2)
        }
        activity(in: layout.activity, sideBySide: layout.sideBySide, services: services, into: &screen)
    }

    // MARK: One line per node

    /// Fixed columns, so the lines read as a table; fields that do not fit go, least important first.
    private func nodeLine(_ view: NodeView, y: Int, into screen: inout Screen) {
        let selected = view.id == model.selected
        let marker = selected ? String(glyphs.arrowRight) : " "
        var x = screen.write("\(marker)n\(view.id) ", x: 0, y: y, style: selected ? palette.selected : .plain)
        let state = view.state
        x = screen.write(roleLabel(view).padded(13), x: x, y: y, style: palette.role(state?.role, status: view.status))
        guard view.status.isRunning || view.status == .paused, let state else {
            screen.write(downReason(view), x: x, y: y, style: palette.dim, maxWidth: model.width - x)
            return
        }
        if let facts = state.etcd {
            screen.write(etcdFields(state, facts).fitting(width: model.width - x), x: x, y: y)
            return
        }
        // A campaign's tally matters more than the applied index and key count while it lasts.
        let middle: [(text: String, priority: Int)] = tally(state).map { [($0.padded(20), 4)] }
            ?? [("applied \(state.appliedIndex)".padded(12), 2), ("keys \(state.keyCount)".padded(8), 1)]
        // A primary/backup node says epoch, offset and acked, as its pane does.
        let primaryBackup = state.role == .primary || state.role == .backup
        let fields: [(text: String, priority: Int)] = [
            ((primaryBackup ? "e\(state.term)" : "t\(state.term)").padded(5), 6),
            ((primaryBackup ? "offset \(state.lastIndex)" : "last \(state.lastIndex)").padded(9), 4),
            ((primaryBackup ? "acked \(state.commitIndex)" : "commit \(state.commitIndex)").padded(11), 5),
        ] + middle + [(linkSummary(view.id), 3)]
        screen.write(fields.fitting(width: model.width - x), x: x, y: y)
    }

    // MARK: Node pane

    private func nodePane(_ view: NodeView, in rect: Rect, into screen: inout Screen) {
        let selected = view.id == model.selected
        let roleStyle = palette.role(view.state?.role, status: view.status)
        screen.box(rect, title: "n\(view.id) \(roleLabel(view))", glyphs: glyphs,
                   style: selected ? palette.selected : palette.dim, titleStyle: roleStyle)
        let inner = rect.inner
        let textWidth = inner.width - 1
        var lines: [(String, CellStyle)] = []
        switch view.status {
        case .down(let reason):
            lines = [(roleLabel(view), roleStyle)] + reason.wrapped(width: textWidth, rows: 2).map { ($0, palette.dim) }
            // A replay only shows what happened: its keys move through time, none restarts a node.
            if model.replay == nil {
                lines.append((view.isRemoved ? "`member add` takes its place" : "r restarts it on its data", palette.dim))
            }
        case .paused, .starting, .up:
            lines = paneLines(view, width: textWidth, rows: inner.height)
        }
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            screen.write(line.0, x: inner.x + 1, y: inner.y + offset, style: line.1, maxWidth: textWidth)
        }
    }

    /// What a pane shows, fitted to `rows`: the term and commit lines always; then, as room allows,
    /// two log entries, the leader's match/next, the store, two more entries, the links.
    private func paneLines(_ view: NodeView, width: Int, rows: Int) -> [(String, CellStyle)] {
        guard let state = view.state else { return [("starting…", palette.dim)] }
        var head: [(String, CellStyle)] = []
        if view.status == .paused { head.append(("PAUSED (SIGSTOP)", palette.role(nil, status: .paused))) }
        if let facts = state.etcd { return head + etcdPaneLines(view, state, facts, width: width) }
        let primaryBackup = state.role == .primary || state.role == .backup
        head.append(((primaryBackup
            ? "epoch \(state.term)  primary \(state.leader.map { "n\($0)" } ?? "-")"
            : "term \(state.term)  vote \(state.votedFor.map { "n\($0)" } ?? "-")  "
                + "leader \(state.leader.map { "n\($0)" } ?? "-")").cut(toWidth: width, at: "  "), .plain))
        if let tally = tally(state) {
            head.append(((tally + " needed").cut(toWidth: width, at: " "), palette.role(state.role, status: .up)))
        }
        head.append(((primaryBackup
            ? "offset \(state.lastIndex)  applied \(state.appliedIndex)  acked \(state.commitIndex)"
            : "commit \(state.commitIndex)  applied \(state.appliedIndex)  "
                + "log \(state.firstIndex)…\(state.lastIndex)").cut(toWidth: width, at: "  "), .plain))
        let entries = LogTailRows(glyphs: glyphs).rows(of: state, names: model.summary.clientNames, limit: 4)
            .map { ($0.text, $0.committed ? CellStyle.plain : palette.dim) }
        let sample = state.sample.keys.sorted().prefix(3).map { "\($0)=\(state.sample[$0] ?? "")" }
        let store = [("kv \(state.keyCount): \(sample.joined(separator: " "))", CellStyle.plain)]
        let followers = state.followers.isEmpty ? [] : followerText(state)
            .wrapped(width: width, at: ", ", indent: "  ").map { ($0, palette.dim) }
        let links = [("links \(linkSummary(view.id))", palette.dim)]
        var budget = rows - head.count
        let take = { (wanted: Int) -> Int in
            let granted = max(0, min(wanted, budget))
            budget -= granted
            return granted
        }
        let firstEntries = take(min(2, entries.count))
        let followerRows = take(followers.count)
        let storeRows = take(1)
        let moreEntries = take(entries.count - firstEntries)
        let linkRows = take(1)
        let shownEntries = entries.suffix(firstEntries + moreEntries)
        return head + shownEntries + store.prefix(storeRows) + followers.prefix(followerRows)
            + links.prefix(linkRows)
    }

    /// A leader's match/next per follower; a primary's lag per replica (its offset behind the
    /// primary's; `?` until the replica's offset is known, `copy` while a full copy travels).
    private func followerText(_ state: NodeState) -> String {
        guard state.role == .primary else {
            return "match/next " + state.followers.map { "n\($0.node) \($0.match)/\($0.next)" }.joined(separator: ", ")
        }
        return "lag " + state.followers.map { follower in
            switch follower.mode {
            case .replicate: "n\(follower.node) \(max(0, state.lastIndex - follower.match))"
            case .probe: "n\(follower.node) ?"
            case .snapshot: "n\(follower.node) copy"
            }
        }.joined(separator: ", ")
    }

    // MARK: etcd members

    /// An etcd member's pane: what its status API says, and nothing it does not (no vote, no log
    /// bounds or entries, no keys: etcd's status gives none of them, so none is shown as zero).
    private func etcdPaneLines(_ view: NodeView, _ state: NodeState, _ facts: EtcdMemberFacts,
                               width: Int) -> [(String, CellStyle)] {
        var lines: [(String, CellStyle)] = [
            ("id \(facts.memberID)", .plain),
            (("term \(state.term)  leader \(state.leader.map { "n\($0)" } ?? "-")").cut(toWidth: width, at: "  "),
             .plain),
            (("commit \(state.commitIndex)  applied \(state.appliedIndex)").cut(toWidth: width, at: "  "), .plain),
            ("db \(facts.databaseText)  " + (facts.errors.isEmpty ? "no alarms or errors" : ""), .plain),
        ]
        // etcd's own words, wrapped: "etcdserver: no leader", "memberID:… alarm:NOSPACE".
        lines += facts.errors.flatMap { $0.wrapped(width: width, rows: 2) }.map { ($0, palette.warning) }
        if let unanswered = facts.unanswered {
            lines += ("no answer: " + unanswered).wrapped(width: width, rows: 2).map { ($0, palette.warning) }
        }
        lines.append(("links \(linkSummary(view.id))", palette.dim))
        return lines
    }

    /// An etcd member on one line: term, commit, applied, database size, member id.
    private func etcdFields(_ state: NodeState, _ facts: EtcdMemberFacts) -> [(text: String, priority: Int)] {
        [("t\(state.term)".padded(5), 6), ("commit \(state.commitIndex)".padded(11), 5),
         ("applied \(state.appliedIndex)".padded(12), 4), ("db \(facts.databaseText)".padded(10), 2),
         (facts.unanswered == nil ? facts.memberID : "no answer", 3)]
    }

    /// A (pre-)candidate's votes so far against the quorum it needs: "votes n2,n1 2/3".
    private func tally(_ state: NodeState) -> String? {
        guard let votes = state.votes, state.role.isCampaigning else { return nil }
        let kind = state.role == .preCandidate ? "pre-votes" : "votes"
        let voters = votes.map { "n\($0)" }.joined(separator: ",")
        return "\(kind) \(voters) \(votes.count)/\(model.nodeCount / 2 + 1)"
    }

    private func roleLabel(_ view: NodeView) -> String {
        switch view.status {
        case .down: return view.isRemoved ? "REMOVED" : "DOWN"
        case .paused: return "PAUSED"
        case .starting: return "STARTING"
        case .up: return (view.state?.role.word ?? "starting").uppercased()
        }
    }

    private func downReason(_ view: NodeView) -> String {
        if case .down(let reason) = view.status { return reason }
        return "starting…"
    }

    /// "ok", or what the fabric does to this node's links, from the network as data: the nodes it
    /// talks with both ways (itself included), then those it only hears or is only heard by (a ring
    /// or a one-way cut), then its slowed links.
    private func linkSummary(_ id: NodeID) -> String {
        let network = model.summary.network
        guard !network.isNone else { return "ok" }
        let others = (1...max(model.nodeCount, 1)).filter { $0 != id }
        let sends = Set(others.filter { network.reaches(from: id, to: $0) })
        let hears = Set(others.filter { network.reaches(from: $0, to: id) })
        let slowed = network.links.filter { $0.up && ($0.from == id || $0.to == id) }
        let list = { (ids: Set<Int>) in ids.sorted().map(String.init).joined(separator: ",") }
        var parts: [String] = []
        if sends.count < others.count || hears.count < others.count {
            parts.append("reaches " + list(sends.intersection(hears).union([id])))
        }
        if !hears.subtracting(sends).isEmpty { parts.append("hears " + list(hears.subtracting(sends))) }
        if !sends.subtracting(hears).isEmpty { parts.append("heard by " + list(sends.subtracting(hears))) }
        if !slowed.isEmpty { parts.append("slow " + slowed.map { "\($0.from)->\($0.to)" }.joined(separator: ",")) }
        return parts.isEmpty ? "ok" : parts.joined(separator: " ")
    }
}
