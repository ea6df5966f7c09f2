import Raft
import Replica

/// Where a node keeps what must survive it: the write-ahead log on disk for a node process, memory
/// for a node the simulated cluster runs in-process. The node's server sees only this.
public protocol DurableLog: AnyObject {
    /// Whether batches that must survive power loss are fsynced (`set fsync`).
    var fsyncEnabled: Bool { get set }
    /// What a restart recovers: the hard state, the snapshot and the entries after it.
    var persistentState: PersistentState { get }
    /// Stores a batch's snapshot, hard state and entries (nothing when nothing is durable).
    /// - Parameter sync: whether to fsync; by default, whether the batch must survive power loss.
    func persist(_ ready: Ready, sync: Bool?) throws(WALError)
    /// Stores the application's snapshot and drops the entries it covers.
    func compact(to snapshot: Snapshot) throws(WALError)
}

extension WriteAheadLog: DurableLog {}

/// A simulated disk: the same checks and the same state as the write-ahead log, kept in memory.
/// Everything persisted survives a kill of the in-process node (as written data survives a
/// SIGKILLed process); a wipe is a new `MemoryLog`.
public final class MemoryLog: DurableLog {
    public var fsyncEnabled: Bool
    private var mirror = LogMirror()
    /// How many batches asked for an fsync: the simulated disk's cost counter.
    public private(set) var syncs = 0

    public init(fsync: Bool = true) {
        fsyncEnabled = fsync
    }

    public var persistentState: PersistentState { mirror.state }

    public func persist(_ ready: Ready, sync: Bool? = nil) throws(WALError) {
        guard ReadyRules.isDurable(ready) else { return }
        if let snapshot = ready.snapshot, snapshot.position.index < mirror.snapshotIndex {
            // A primary/backup full copy older than the stored snapshot replaces it (as on disk).
            mirror.state.entries = []
            mirror.compact(to: snapshot)
        }
        if let reason = mirror.rejection(snapshot: ready.snapshot, entries: ready.entries) {
            throw .invalidBatch(reason: reason)
        }
        if fsyncEnabled, sync ?? ReadyRules.mustSync(ready, stored: mirror.state.hardState) { syncs += 1 }
        mirror.apply(snapshot: ready.snapshot, hardState: ready.hardState, entries: ready.entries)
    }

    public func compact(to snapshot: Snapshot) throws(WALError) {
        guard snapshot.position.index > mirror.snapshotIndex else { return }
        mirror.compact(to: snapshot)
    }
}
