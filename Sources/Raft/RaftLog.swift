/// The in-memory log: a compacted prefix (the snapshot position) followed by entries, with the commit and
/// apply points and what has not yet been handed out for persistence.
struct RaftLog: Sendable {
    /// The latest snapshot: the services' state through the last compacted entry.
    private(set) var snapshot: Snapshot?
    /// Entries after the snapshot: `entries[k].index == snapshotPosition.index + 1 + k`.
    private(set) var entries: [Entry] = []
    private(set) var committed: LogIndex = 0
    /// Highest index handed out in `committedEntries` (or covered by a snapshot).
    private(set) var applied: LogIndex = 0
    /// First index not yet handed out for persistence.
    private(set) var unstableFrom: LogIndex = 1
    /// A snapshot received from the leader and not yet handed out.
    private(set) var pendingSnapshot: Snapshot?

    init() {}

    init(restoring state: PersistentState) {
        snapshot = state.snapshot
        entries = state.entries.filter { $0.index > snapshotPosition.index }
        committed = max(snapshotPosition.index, min(state.hardState.commit, lastIndex))
        applied = snapshotPosition.index
        unstableFrom = lastIndex + 1
    }

    /// Position of the last entry folded into the snapshot (index 0, term 0 when there is none).
    var snapshotPosition: LogPosition { snapshot?.position ?? LogPosition(term: 0, index: 0) }
    var firstIndex: LogIndex { snapshotPosition.index + 1 }
    var lastIndex: LogIndex { snapshotPosition.index + entries.count }
    var lastTerm: Term { entries.last?.term ?? snapshotPosition.term }
    var lastPosition: LogPosition { LogPosition(term: lastTerm, index: lastIndex) }

    /// The term of the entry at `index`, or nil when it is compacted away or beyond the end.
    func term(at index: LogIndex) -> Term? {
        if index == snapshotPosition.index { return snapshotPosition.term }
        guard index > snapshotPosition.index, index <= lastIndex else { return nil }
        return entries[index - firstIndex].term
    }

    func matches(index: LogIndex, term: Term) -> Bool {
        self.term(at: index) == term
    }

    /// True when a log ending at `position` is at least as up to date as this one (§5.4.1).
    func isUpToDate(_ position: LogPosition) -> Bool {
        position.term > lastTerm || (position.term == lastTerm && position.index >= lastIndex)
    }

    /// Entries in `range`, clamped to what is held (compacted entries are not returned).
    func entries(from start: LogIndex, through end: LogIndex, limit: Int) -> [Entry] {
        let lower = max(start, firstIndex)
        let upper = min(end, lastIndex, lower + limit - 1)
        guard lower <= upper else { return [] }
        return Array(entries[(lower - firstIndex)...(upper - firstIndex)])
    }

    /// The last index of `term` in this log, if it holds any entry of that term.
    func lastIndex(ofTerm term: Term) -> LogIndex? {
        guard let position = entries.lastIndex(where: { $0.term == term }) else {
            return snapshotPosition.term == term ? snapshotPosition.index : nil
        }
        return entries[position].index
    }

    /// The first index of the run of entries that contains `index` and shares its term.
    func firstIndex(ofTermAt index: LogIndex) -> LogIndex {
        guard let term = term(at: index) else { return index }
        var first = index
        while first - 1 >= firstIndex, self.term(at: first - 1) == term {
            first -= 1
        }
        return first
    }

    // MARK: Changing the log

    mutating func append(_ entry: Entry) {
        precondition(entry.index == lastIndex + 1, "bug: append at \(entry.index) after \(lastIndex)")
        entries.append(entry)
    }

    /// Appends `incoming` after removing any conflicting suffix; returns the index of the first entry that
    /// was written, or nil when every incoming entry was already present.
    @discardableResult
    mutating func merge(_ incoming: [Entry]) -> LogIndex? {
        // Entries at or below the snapshot are committed, so they match by the Log Matching property.
        let fresh = incoming.drop { $0.index <= snapshotPosition.index }
        guard let conflict = fresh.first(where: { !matches(index: $0.index, term: $0.term) }) else {
            return nil
        }
        if conflict.index <= lastIndex {
            entries.removeLast(lastIndex - conflict.index + 1)
        }
        for entry in fresh where entry.index >= conflict.index {
            entries.append(entry)
        }
        unstableFrom = min(unstableFrom, conflict.index)
        return conflict.index
    }

    /// Moves the commit point forward; never backward and never past the last entry.
    mutating func commit(to index: LogIndex) -> Bool {
        let target = min(index, lastIndex)
        guard target > committed else { return false }
        committed = target
        return true
    }

    /// Replaces the whole log with a snapshot from the leader.
    mutating func restore(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        entries = []
        committed = snapshot.position.index
        applied = snapshot.position.index
        unstableFrom = snapshot.position.index + 1
        pendingSnapshot = snapshot
    }

    /// Forgets entries through `index`, which the application has folded into `data`.
    mutating func compact(through index: LogIndex, data: [UInt8]) {
        guard index > snapshotPosition.index, let term = term(at: index) else { return }
        entries.removeFirst(index - snapshotPosition.index)
        snapshot = Snapshot(position: LogPosition(term: term, index: index), data: data)
    }

    // MARK: Handing out work

    var unstableEntries: [Entry] {
        guard unstableFrom <= lastIndex else { return [] }
        return Array(entries[(unstableFrom - firstIndex)...])
    }

    /// Committed entries not yet applied, limited to what this node holds.
    var entriesToApply: [Entry] {
        entries(from: applied + 1, through: committed, limit: Int.max / 2)
    }

    mutating func markHandedOut(persistedThrough lastPersisted: LogIndex?, appliedThrough: LogIndex?,
                                snapshot: Bool) {
        if snapshot { pendingSnapshot = nil }
        if let lastPersisted, lastPersisted >= unstableFrom - 1 {
            unstableFrom = lastPersisted + 1
        }
        if let appliedThrough {
            applied = max(applied, appliedThrough)
        }
    }
}
