
/// The final state of a run in a few lines: each node's role, term and log, the key-value sample,
/// locks and elections, and the network settings. A live run with `--journal` prints it at exit and
/// `clusterdeck replay FILE --headless` prints it from the journal: equal digests mean the replay
/// reached the state the run ended in. Lease times left and message counters are left out: they
/// change by the millisecond and say nothing about correctness.
public enum ClusterDigest {
    /// The most nodes a run shows (node ids 1–9).
    public static let nodeLimit = 9

    public static func lines(views: [NodeView], summary: ClusterSummary) -> [String] {
        var lines = ["digest: \(views.count) nodes, leader \(views.leader.map { "n\($0.id)" } ?? "none"), "
            + "network \(summary.network.text)\(summary.frozen ? ", frozen" : "")"]
        lines += views.sorted { $0.id < $1.id }.map(nodeLine)
        lines += serviceLines(views: views, summary: summary)
        lines.append("fingerprint \(fingerprint(lines))")
        return lines
    }

    private static func nodeLine(_ view: NodeView) -> String {
        let status: String
        switch view.status {
        case .down(let reason): status = "DOWN (\(reason))"
        case .paused: status = "PAUSED \(view.state?.role.rawValue ?? "-")"
        case .starting: status = "STARTING"
        case .up: status = view.state?.role.rawValue ?? "starting"
        }
        guard let state = view.state else { return "  n\(view.id) \(status)" }
        let last = state.logTail.last.map { " last \($0.index):t\($0.term) \($0.text)" } ?? ""
        return "  n\(view.id) \(status)  term \(state.term)  commit \(state.commitIndex)  applied "
            + "\(state.appliedIndex)  log \(state.firstIndex)…\(state.lastIndex)\(last)"
    }

    /// What a running replica with the most applied entries holds (the leader's, on a tie); a node
    /// that is down counts only when none runs.
    private static func serviceLines(views: [NodeView], summary: ClusterSummary) -> [String] {
        let rank = { (view: NodeView) in
            (view.status == .up ? 1 : 0, view.state?.appliedIndex ?? 0, view.state?.role.leads == true ? 1 : 0)
        }
        guard let state = views.filter({ $0.state != nil }).max(by: { rank($0) < rank($1) })?.state else {
            return ["  no replica has reported"]
        }
        let name = { (id: UInt64) in summary.clientNames[id] ?? "c\(id % 10_000)" }
        var lines = ["  kv (n\(state.id), applied \(state.appliedIndex)): \(state.keyCount) keys"
            + state.sample.keys.sorted().map { " \($0)=\(state.sample[$0] ?? "")" }.joined()]
        for lock in state.locks ?? [] {
            lines.append("  lock \(lock.name): " + (lock.holder.map { "\(name($0)) token \(lock.token)" }
                ?? "free (last token \(lock.token))")
                + (lock.waiters.isEmpty ? "" : ", waiting " + lock.waiters.map(name).joined(separator: ",")))
        }
        for election in state.elections ?? [] {
            lines.append("  election \(election.name): \(name(election.leader))=\(election.value) "
                + "rev \(election.revision)"
                + (election.candidates.isEmpty ? "" : ", next " + election.candidates.map(name).joined(separator: ",")))
        }
        return lines
    }

    /// FNV-1a of the lines: one short token to compare two digests by eye.
    private static func fingerprint(_ lines: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in lines.joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
