import Raft

/// A primary/backup node's copy of the write stream: a snapshot (the services' state at an offset)
/// and the entries after it. Offsets are log indices; every entry carries the epoch of the primary
/// that wrote it, so two streams that hold the same (offset, epoch) agree up to there.
struct StreamLog: Sendable {
    private(set) var snapshot: Snapshot?
    private(set) var entries: [Entry]

    init(restoring state: PersistentState) {
        snapshot = state.snapshot
        entries = state.entries
    }

    /// Where the snapshot ends ((0, 0) when there is none).
    var snapshotPosition: LogPosition { snapshot?.position ?? LogPosition(term: 0, index: 0) }
    var lastIndex: LogIndex { entries.last?.index ?? snapshotPosition.index }
    var lastEpoch: Term { entries.last?.term ?? snapshotPosition.term }
    var firstIndex: LogIndex { snapshotPosition.index + 1 }

    /// The epoch of the entry at `offset`; nil when it is compacted away or beyond the end.
    func epoch(at offset: LogIndex) -> Term? {
        if offset == snapshotPosition.index { return snapshotPosition.term }
        guard offset > snapshotPosition.index, offset <= lastIndex else { return nil }
        return entries[offset - firstIndex].term
    }

    /// True when this stream holds `position` (so a stream that ends there is a prefix of this one).
    func holds(_ position: LogPosition) -> Bool {
        epoch(at: position.index) == position.term
    }

    /// Entries from `start` through `end`, at most `limit` of them.
    func entries(from start: LogIndex, through end: LogIndex, limit: Int = Int.max) -> [Entry] {
        let low = max(start, firstIndex)
        var high = min(end, lastIndex)
        if high - low >= limit { high = low + limit - 1 }
        guard low <= high else { return [] }
        return Array(entries[(low - firstIndex)...(high - firstIndex)])
    }

    mutating func append(_ entry: Entry) {
        precondition(entry.index == lastIndex + 1, "bug: stream offset \(entry.index) after \(lastIndex)")
        entries.append(entry)
    }

    /// Drops every entry after `offset` (only ever entries not applied yet).
    mutating func truncate(after offset: LogIndex) {
        precondition(offset >= snapshotPosition.index, "bug: truncating into the snapshot")
        entries.removeLast(max(0, lastIndex - offset))
    }

    /// Replaces everything with `snapshot` (a full copy from the primary).
    mutating func restore(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        entries = []
    }

    /// Replaces the entries through `offset` with the services' state `data`.
    mutating func compact(through offset: LogIndex, data: [UInt8]) {
        guard offset > snapshotPosition.index, let epoch = epoch(at: offset) else { return }
        entries.removeFirst(offset - snapshotPosition.index)
        snapshot = Snapshot(position: LogPosition(term: epoch, index: offset), data: data)
    }
}
