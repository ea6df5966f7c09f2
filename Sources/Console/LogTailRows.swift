import ClusterAPI

/// The rows a node pane shows for the end of its log: one per entry, except that a run of lease
/// upkeep (clock ticks and renewals) folds into one row (`✓ 30–35 t1 clock ×3, renew bob ×3`),
/// clients show by name, and an entry whose effect was refused when applied (a stale fence, a failed
/// cas) is marked with ✗ and says why on the row below.
struct LogTailRows {
    struct Row: Equatable {
        var text: String
        var committed: Bool
    }

    let glyphs: BoxGlyphs

    /// The newest `limit` rows of `state`'s log tail.
    func rows(of state: NodeState, names: [UInt64: String], limit: Int) -> [Row] {
        var rows: [Row] = []
        var upkeep: [NodeState.EntrySummary] = []
        let describe = { (entry: NodeState.EntrySummary) in
            entry.described(naming: { names[$0] }, refusal: false)
        }
        func flushUpkeep() {
            guard let first = upkeep.first, let last = upkeep.last else { return }
            let committed = last.index <= state.commitIndex
            let text = upkeep.count == 1 ? "\(first.index) t\(first.term) \(describe(first))"
                : "\(first.index)–\(last.index) t\(last.term) " + Self.tally(upkeep, names: names)
            rows.append(Row(text: "\(mark(committed: committed, refused: false)) \(text)", committed: committed))
            upkeep = []
        }
        for entry in state.logTail {
            if entry.upkeep != true || upkeep.last.map({ $0.term != entry.term }) == true { flushUpkeep() }
            if entry.upkeep == true {
                upkeep.append(entry)
                continue
            }
            let committed = entry.index <= state.commitIndex
            rows.append(Row(text: "\(mark(committed: committed, refused: entry.refused != nil)) \(entry.index) "
                + "t\(entry.term) \(describe(entry))", committed: committed))
            // Why it was refused goes on a row of its own: a pane is too narrow for both.
            if let refused = entry.refused { rows.append(Row(text: "    \(refused)", committed: committed)) }
        }
        flushUpkeep()
        return Array(rows.suffix(limit))
    }

    /// "clock ×3, renew bob ×3": each kind of upkeep with how often it came, in order of first use.
    /// Clock ticks name no client; a renewal names the client whose leases it extends.
    private static func tally(_ entries: [NodeState.EntrySummary], names: [UInt64: String]) -> String {
        var kinds: [(client: UInt64?, count: Int)] = []
        for entry in entries {
            if let index = kinds.firstIndex(where: { $0.client == entry.client }) {
                kinds[index].count += 1
            } else {
                kinds.append((entry.client, 1))
            }
        }
        return kinds.map { kind in
            let name = kind.client.map { "renew " + (names[$0] ?? "c\($0)") } ?? "clock"
            return "\(name) ×\(kind.count)"
        }.joined(separator: ", ")
    }

    /// ✓ committed, ✗ committed but refused when applied, blank not yet committed.
    private func mark(committed: Bool, refused: Bool) -> String {
        guard committed else { return " " }
        return String(refused ? glyphs.cross : glyphs.check)
    }
}
