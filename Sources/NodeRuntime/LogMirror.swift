import Raft

/// `PersistentState` plus the rules for changing it, shared by `persist` and recovery so that both
/// reach the same state from the same records.
struct LogMirror {
    var state = PersistentState()

    var snapshotIndex: LogIndex { state.snapshot?.position.index ?? 0 }
    var lastIndex: LogIndex { state.entries.last?.index ?? snapshotIndex }

    /// Why `entries` (after `snapshot`, if any) cannot be applied, or nil when they can.
    func rejection(snapshot: Snapshot?, entries: [Entry]) -> String? {
        var base = snapshotIndex
        var last = lastIndex
        if let snapshot {
            base = max(base, snapshot.position.index)
            last = base
        }
        // Damaged records can carry indexes up to Int.max: compare without overflowing.
        for (previous, next) in zip(entries, entries.dropFirst())
        where next.index &- previous.index != 1 || next.index < previous.index {
            return "entry \(next.index) follows entry \(previous.index)"
        }
        guard let first = entries.first(where: { $0.index > base }) else { return nil }
        // first.index > base >= 0, so first.index - 1 cannot overflow (last + 1 could).
        guard first.index - 1 <= last else {
            return "entries start at index \(first.index) but the log ends at index \(last)"
        }
        return nil
    }

    /// Applies a checked batch: the snapshot first (it replaces the log), then the hard state, then
    /// the entries (replacing stored ones from their first index on; those the snapshot covers are
    /// dropped).
    mutating func apply(snapshot: Snapshot?, hardState: HardState?, entries: [Entry]) {
        if let snapshot { install(snapshot) }
        if let hardState { state.hardState = hardState }
        let base = snapshotIndex
        guard let start = entries.firstIndex(where: { $0.index > base }) else { return }
        // Stored entries are contiguous from base + 1, so the position of an index is arithmetic.
        let keep = entries[start].index - base - 1
        state.entries.removeLast(state.entries.count - keep)
        state.entries.append(contentsOf: entries[start...])
    }

    /// Folds the entries through `snapshot` into it.
    mutating func compact(to snapshot: Snapshot) {
        let index = snapshot.position.index
        state.snapshot = snapshot
        state.entries.removeAll { $0.index <= index }
    }

    private mutating func install(_ snapshot: Snapshot) {
        // Replaying an old log after a crash mid-compaction meets a snapshot record older than
        // snapshot.bin; the newer snapshot stays. The entries go either way: the snapshot record
        // replaced them when it was written, and later records bring back the ones that followed.
        state.entries = []
        if snapshot.position.index >= snapshotIndex {
            state.snapshot = snapshot
        }
    }
}
