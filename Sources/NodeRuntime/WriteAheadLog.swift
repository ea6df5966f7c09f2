#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Raft
import Replica

/// The node's durable storage: hard state, log entries and the latest snapshot, in `wal.log` and
/// `snapshot.bin` under one directory.
///
/// Every `persist` appends one group of checksummed records and syncs at most once, so a `Ready`
/// costs one fsync however much it carries (none when it only moves the commit index). `compact`
/// moves the log prefix into `snapshot.bin` and rewrites `wal.log` so that disk use stays bounded. An in-memory copy of the durable state lets compaction
/// rewrite without reading the file back.
///
/// Not thread-safe: the node's event loop owns it.
public final class WriteAheadLog {
    /// The log file inside the directory.
    public static let logFileName = "wal.log"
    /// The snapshot file inside the directory.
    public static let snapshotFileName = "snapshot.bin"
    /// The largest record payload written or accepted. Recovery rejects larger length fields before
    /// allocating anything, so a damaged length cannot make it reserve gigabytes.
    public static let maximumPayloadBytes = 64 << 20

    /// The directory holding the files.
    public let directory: String
    /// Whether writes are followed by fsync. Off trades durability across power loss (not across a
    /// process crash: the page cache survives that) for speed; the console can switch it.
    public var fsyncEnabled: Bool
    /// Bytes cut off the end of `wal.log` during recovery: a group torn by a crash mid-write.
    public let tornTailBytesDropped: Int
    /// Records appended or rewritten since `open`.
    public private(set) var recordsWritten = 0
    /// fsync calls (files and directory) since `open`.
    public private(set) var fsyncCount = 0

    private var mirror: LogMirror
    private var logDescriptor: Int32
    private var directoryDescriptor: Int32
    private var logBytes: Int
    private var snapshotBytes: Int
    private var status = Status.open

    private enum Status {
        case open
        case unusable(String)
        case closed
    }

    private var logPath: String { directory + "/" + Self.logFileName }
    private var snapshotPath: String { directory + "/" + Self.snapshotFileName }

    /// Bytes the log and the snapshot occupy on disk.
    public var bytesOnDisk: Int { logBytes + snapshotBytes }

    /// What a restart would recover right now.
    public var persistentState: PersistentState { mirror.state }

    /// The hard state last written: its term and vote are synced, its commit index may not be yet.
    public var storedHardState: HardState { mirror.state.hardState }

    private init(directory: String, fsync: Bool, opened: OpenedFiles) {
        self.directory = directory
        self.fsyncEnabled = fsync
        self.tornTailBytesDropped = opened.tornTailBytes
        self.mirror = opened.mirror
        self.logDescriptor = opened.logDescriptor
        self.directoryDescriptor = opened.directoryDescriptor
        self.logBytes = opened.logBytes
        self.snapshotBytes = opened.snapshotBytes
        self.fsyncCount = opened.fsyncCount
    }

    deinit {
        close()
    }

    /// Opens the log in `directory`, creating it (mode 0700) when missing, and recovers its state.
    ///
    /// A torn tail of `wal.log` (an incomplete last group) is truncated away and reported in
    /// `tornTailBytesDropped`; damage followed by valid records, or a damaged `snapshot.bin`, is
    /// `WALError.corrupt`. Leftover temporary files of an interrupted compaction are removed.
    /// - Parameters:
    ///   - directory: the node's data directory.
    ///   - fsync: whether writes are synced to stable storage.
    /// - Returns: the open log and the state recovered from it.
    public static func open(
        directory: String, fsync: Bool
    ) throws(WALError) -> (WriteAheadLog, PersistentState) {
        try Posix.makeDirectory(directory)
        let opened = try OpenedFiles.open(directory: directory, fsync: fsync)
        let log = WriteAheadLog(directory: directory, fsync: fsync, opened: opened)
        return (log, log.mirror.state)
    }

    /// Makes the durable part of `ready` (snapshot, hard state, entries) stable, as one group of
    /// records with one fsync when `sync` (the node loop decides: `ReadyRules.mustSync`; none when
    /// only the commit index moved). A snapshot replaces the whole log; entries replace any stored
    /// entries from `ready.entries.first.index` on. Writes nothing when there is nothing durable.
    /// - Parameters:
    ///   - ready: the batch the core handed out; send the messages that promise durability (votes,
    ///     acknowledgements) only after this returns.
    ///   - sync: whether to fsync; by default, whether the batch must survive power loss.
    public func persist(_ ready: Ready, sync: Bool? = nil) throws(WALError) {
        guard ReadyRules.isDurable(ready) else { return }
        try ensureUsable()
        if let snapshot = ready.snapshot, snapshot.position.index < mirror.snapshotIndex {
            try rollBack(to: snapshot)
        }
        if let reason = mirror.rejection(snapshot: ready.snapshot, entries: ready.entries) {
            throw .invalidBatch(reason: reason)
        }
        var group = RecordGroup()
        if let snapshot = ready.snapshot { try group.append(snapshot: snapshot) }
        if let hardState = ready.hardState { try group.append(hardState: hardState) }
        try group.append(entries: ready.entries)
        let needsSync = sync ?? ReadyRules.mustSync(ready, stored: mirror.state.hardState)
        try appendToLog(group, sync: needsSync)
        mirror.apply(snapshot: ready.snapshot, hardState: ready.hardState, entries: ready.entries)
    }

    /// Stores `snapshot`, a snapshot the application took of its own state, and drops the entries
    /// it covers: `snapshot.bin` is replaced atomically, then `wal.log` is rewritten to hold only
    /// the hard state and the later entries. A snapshot no newer than the stored one is ignored.
    /// - Parameter snapshot: the application's state through `snapshot.position`, which must
    ///   already be persisted.
    public func compact(to snapshot: Snapshot) throws(WALError) {
        try ensureUsable()
        guard snapshot.position.index > mirror.snapshotIndex else { return }
        try poisoningOnFailure { () throws(WALError) in
            try writeSnapshotFile(snapshot)
            // snapshot.bin is durable: from here a restart recovers exactly this compacted state.
            mirror.compact(to: snapshot)
            try rewriteLog()
        }
    }

    /// A full copy older than the stored snapshot (a primary/backup replica whose own history the
    /// new primary lacks) replaces it, and every entry. Each step leaves what a restart recovers
    /// consistently: the log first loses its entries (the old snapshot alone, as if the copy never
    /// came), then `snapshot.bin` becomes the copy. (Replay keeps a newer `snapshot.bin` over an
    /// older snapshot record, so the record alone would not do.)
    private func rollBack(to snapshot: Snapshot) throws(WALError) {
        try poisoningOnFailure { () throws(WALError) in
            mirror.state.entries = []
            try rewriteLog()
            try writeSnapshotFile(snapshot)
            mirror.compact(to: snapshot)
        }
    }

    /// Closes the files. Later calls to `persist` and `compact` throw `WALError.closed`.
    public func close() {
        if case .closed = status { return }
        status = .closed
        Posix.closeFile(logDescriptor)
        Posix.closeFile(directoryDescriptor)
    }

    // MARK: Writing

    private func ensureUsable() throws(WALError) {
        switch status {
        case .open: return
        case .unusable(let reason): throw .unusable(reason: reason)
        case .closed: throw .closed
        }
    }

    /// Runs `body`; if it fails, the files may no longer match the mirror, so refuse further work.
    private func poisoningOnFailure(_ body: () throws(WALError) -> Void) throws(WALError) {
        do {
            try body()
        } catch {
            status = .unusable(error.description)
            throw error
        }
    }

    private func appendToLog(_ group: RecordGroup, sync: Bool) throws(WALError) {
        let path = logPath
        do {
            try Posix.writeAll(group.bytes, to: logDescriptor, path: path)
        } catch {
            // Cut the partial group off so a later append cannot land behind garbage.
            _ = ftruncate(logDescriptor, off_t(logBytes))
            status = .unusable(error.description)
            throw error
        }
        logBytes += group.bytes.count
        recordsWritten += group.recordCount
        guard sync else { return }
        try poisoningOnFailure { () throws(WALError) in
            try syncIfEnabled(logDescriptor, path: path)
        }
    }

    private func syncIfEnabled(_ descriptor: Int32, path: String) throws(WALError) {
        guard fsyncEnabled else { return }
        try Posix.syncFile(descriptor, path: path)
        fsyncCount += 1
    }

    /// Replaces `snapshot.bin` atomically: temp file, fsync, rename, fsync of the directory.
    private func writeSnapshotFile(_ snapshot: Snapshot) throws(WALError) {
        var group = RecordGroup()
        try group.append(snapshot: snapshot)
        try replaceFile(snapshotPath, with: group)
        snapshotBytes = group.bytes.count
    }

    /// Rewrites `wal.log` from the mirror, then switches appends to the new file.
    private func rewriteLog() throws(WALError) {
        var group = RecordGroup()
        try group.append(hardState: mirror.state.hardState)
        try group.append(entries: mirror.state.entries)
        try replaceFile(logPath, with: group)
        let descriptor = try Posix.openFile(logPath, flags: O_RDWR | O_APPEND)
        Posix.closeFile(logDescriptor)
        logDescriptor = descriptor
        logBytes = group.bytes.count
    }

    private func replaceFile(_ path: String, with group: RecordGroup) throws(WALError) {
        let temporary = path + ".tmp"
        let descriptor = try Posix.openFile(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try Posix.writeAll(group.bytes, to: descriptor, path: temporary)
            try syncIfEnabled(descriptor, path: temporary)
        } catch {
            Posix.closeFile(descriptor)
            _ = unlink(temporary)
            throw error
        }
        Posix.closeFile(descriptor)
        try Posix.renameFile(temporary, to: path)
        recordsWritten += group.recordCount
        try syncIfEnabled(directoryDescriptor, path: directory)
    }
}
