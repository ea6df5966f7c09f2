#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Raft
import Replica

/// Why the write-ahead log could not do what was asked.
public enum WALError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed; `message` is the errno text.
    case io(path: String, operation: String, message: String)
    /// The file holds bytes that are not a valid record although valid records follow them (or
    /// `snapshot.bin` is damaged). Recovering past them would silently lose acknowledged state, so
    /// the node must not start until an operator looks.
    case corrupt(path: String, offset: Int, reason: String)
    /// A record would be larger than recovery accepts (`WriteAheadLog.maximumPayloadBytes`).
    case recordTooLarge(bytes: Int, limit: Int)
    /// A batch that does not continue the stored log: a bug in the caller, refused before writing.
    case invalidBatch(reason: String)
    /// Another live process holds the log directory.
    case locked(path: String)
    /// An earlier write or fsync failed. After a failed fsync the kernel may have dropped the dirty
    /// pages, so the only safe way on is to reopen the log and recover from what is on disk.
    case unusable(reason: String)
    /// `close()` was called.
    case closed

    public var description: String {
        switch self {
        case .io(let path, let operation, let message):
            return "write-ahead log: \(operation) \(path) failed: \(message)"
        case .corrupt(let path, let offset, let reason):
            return "write-ahead log: \(path) is corrupt at byte offset \(offset): \(reason)"
        case .recordTooLarge(let bytes, let limit):
            return "write-ahead log: a record of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .invalidBatch(let reason):
            return "write-ahead log: refused batch: \(reason)"
        case .locked(let path):
            return "write-ahead log: \(path) is in use by another process"
        case .unusable(let reason):
            return "write-ahead log: unusable after an earlier failure (\(reason)); reopen it"
        case .closed:
            return "write-ahead log: already closed"
        }
    }
}

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

// MARK: - Opening and recovery

/// What `open` found and the descriptors it holds; released again if recovery fails.
private struct OpenedFiles {
    var mirror = LogMirror()
    var directoryDescriptor: Int32 = -1
    var logDescriptor: Int32 = -1
    var logBytes = 0
    var snapshotBytes = 0
    var tornTailBytes = 0
    var fsyncCount = 0

    static func open(directory: String, fsync: Bool) throws(WALError) -> OpenedFiles {
        var opened = OpenedFiles()
        do {
            try opened.recover(directory: directory, fsync: fsync)
        } catch {
            opened.release()
            throw error
        }
        return opened
    }

    private mutating func recover(directory: String, fsync: Bool) throws(WALError) {
        directoryDescriptor = try Posix.openFile(directory, flags: O_RDONLY | O_DIRECTORY)
        try Posix.lock(directoryDescriptor, path: directory)
        let logPath = directory + "/" + WriteAheadLog.logFileName
        let snapshotPath = directory + "/" + WriteAheadLog.snapshotFileName
        // A temp file is a compaction that never reached its rename: the old file is still whole.
        _ = unlink(logPath + ".tmp")
        _ = unlink(snapshotPath + ".tmp")
        try loadSnapshot(path: snapshotPath)
        logDescriptor = try Posix.openFile(logPath, flags: O_RDWR | O_APPEND | O_CREAT)
        let bytes = try Posix.readAll(logDescriptor, path: logPath)
        logBytes = try Replay.run(bytes, path: logPath, into: &mirror)
        tornTailBytes = bytes.count - logBytes
        if tornTailBytes > 0 { try truncateTornTail(path: logPath, fsync: fsync) }
        if fsync {
            // Makes the log file's directory entry durable in case this open created it.
            try Posix.syncFile(directoryDescriptor, path: directory)
            fsyncCount += 1
        }
    }

    private mutating func loadSnapshot(path: String) throws(WALError) {
        guard let bytes = try Posix.readAllIfPresent(path: path) else { return }
        snapshotBytes = bytes.count
        let snapshot = try Replay.snapshot(in: bytes, path: path)
        mirror.apply(snapshot: snapshot, hardState: nil, entries: [])
    }

    private mutating func truncateTornTail(path: String, fsync: Bool) throws(WALError) {
        guard ftruncate(logDescriptor, off_t(logBytes)) == 0 else {
            throw Posix.failure(path: path, operation: "ftruncate")
        }
        if fsync {
            try Posix.syncFile(logDescriptor, path: path)
            fsyncCount += 1
        }
    }

    private func release() {
        if logDescriptor >= 0 { Posix.closeFile(logDescriptor) }
        if directoryDescriptor >= 0 { Posix.closeFile(directoryDescriptor) }
    }
}

/// Rebuilds the durable state from the bytes of the files.
enum Replay {
    /// Applies every record of `bytes` (the log file) to `mirror`.
    /// - Returns: the length of the valid prefix; anything after it is a torn tail.
    static func run(
        _ bytes: [UInt8], path: String, into mirror: inout LogMirror
    ) throws(WALError) -> Int {
        var offset = 0
        while true {
            switch Framing.scan(bytes, at: offset) {
            case .end:
                return offset
            case .record(let payload):
                let record = try decode(bytes, payload, path: path, offset: offset)
                try apply(record, to: &mirror, path: path, offset: offset)
                offset = payload.upperBound
            case .damaged(let reason):
                guard let next = Framing.firstValidRecord(in: bytes, after: offset) else {
                    return offset
                }
                let detail = "\(reason), yet a valid record follows at offset \(next)"
                throw .corrupt(path: path, offset: offset, reason: detail)
            }
        }
    }

    /// Decodes `snapshot.bin`: exactly one intact snapshot record, or a fatal error, since the
    /// entries it replaced are gone.
    static func snapshot(in bytes: [UInt8], path: String) throws(WALError) -> Snapshot {
        switch Framing.scan(bytes, at: 0) {
        case .end:
            throw .corrupt(path: path, offset: 0, reason: "the snapshot file is empty")
        case .damaged(let reason):
            throw .corrupt(path: path, offset: 0, reason: reason)
        case .record(let payload):
            guard payload.upperBound == bytes.count else {
                let extra = bytes.count - payload.upperBound
                let reason = "\(extra) unexpected bytes after the snapshot record"
                throw .corrupt(path: path, offset: payload.upperBound, reason: reason)
            }
            let record = try decode(bytes, payload, path: path, offset: 0)
            guard case .snapshot(let snapshot) = record else {
                throw .corrupt(path: path, offset: 0, reason: "the record is not a snapshot")
            }
            return snapshot
        }
    }

    private static func decode(
        _ bytes: [UInt8], _ payload: Range<Int>, path: String, offset: Int
    ) throws(WALError) -> Record {
        var reader = ByteReader(bytes, payload)
        do {
            return try Record.decode(from: &reader)
        } catch {
            // The checksum matched, so these bytes were written like this: a bug, not a torn write.
            let reason = "bad record content: \(error.reason)"
            throw .corrupt(path: path, offset: offset, reason: reason)
        }
    }

    private static func apply(
        _ record: Record, to mirror: inout LogMirror, path: String, offset: Int
    ) throws(WALError) {
        switch record {
        case .hardState(let hardState):
            mirror.apply(snapshot: nil, hardState: hardState, entries: [])
        case .snapshot(let snapshot):
            mirror.apply(snapshot: snapshot, hardState: nil, entries: [])
        case .entries(let entries):
            if let reason = mirror.rejection(snapshot: nil, entries: entries) {
                throw .corrupt(path: path, offset: offset, reason: reason)
            }
            mirror.apply(snapshot: nil, hardState: nil, entries: entries)
        }
    }
}

// MARK: - The in-memory copy of the durable state

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

// MARK: - Records

/// One record's payload: a type byte and its body, all integers big-endian.
enum Record: Equatable {
    /// Type 1: term u64, votedFor u64 (0 for none), commit u64.
    case hardState(HardState)
    /// Type 2: count u32, then per entry term u64, index u64, kind u8, data length u32, data.
    case entries([Entry])
    /// Type 3: index u64, term u64, data length u32, data.
    case snapshot(Snapshot)

    enum Tag: UInt8 {
        case hardState = 1
        case entries = 2
        case snapshot = 3
    }

    /// Bytes an entry takes in an entries record besides its data.
    static let entryOverheadBytes = 8 + 8 + 1 + 4

    func encode(into writer: inout ByteWriter) {
        switch self {
        case .hardState(let hardState):
            writer.u8(Tag.hardState.rawValue)
            writer.u64(UInt64(hardState.term))
            writer.u64(UInt64(hardState.votedFor ?? 0))
            writer.u64(UInt64(hardState.commit))
        case .entries(let entries):
            writer.u8(Tag.entries.rawValue)
            writer.u32(UInt32(entries.count))
            for entry in entries { Self.encode(entry, into: &writer) }
        case .snapshot(let snapshot):
            writer.u8(Tag.snapshot.rawValue)
            writer.u64(UInt64(snapshot.position.index))
            writer.u64(UInt64(snapshot.position.term))
            writer.u32(UInt32(snapshot.data.count))
            writer.bytes(snapshot.data)
        }
    }

    private static func encode(_ entry: Entry, into writer: inout ByteWriter) {
        writer.u64(UInt64(entry.term))
        writer.u64(UInt64(entry.index))
        writer.u8(entry.kind.rawValue)
        writer.u32(UInt32(entry.data.count))
        writer.bytes(entry.data)
    }

    static func decode(from reader: inout ByteReader) throws(DecodeFailure) -> Record {
        let tagByte = try reader.u8()
        guard let tag = Tag(rawValue: tagByte) else {
            throw DecodeFailure("unknown record type \(tagByte)")
        }
        let record: Record
        switch tag {
        case .hardState: record = .hardState(try decodeHardState(from: &reader))
        case .entries: record = .entries(try decodeEntries(from: &reader))
        case .snapshot: record = .snapshot(try decodeSnapshot(from: &reader))
        }
        guard reader.remaining == 0 else {
            throw DecodeFailure("\(reader.remaining) bytes after the body")
        }
        return record
    }

    private static func decodeHardState(
        from reader: inout ByteReader
    ) throws(DecodeFailure) -> HardState {
        let term = try reader.int("term")
        let votedFor = try reader.int("votedFor")
        let commit = try reader.int("commit")
        return HardState(term: term, votedFor: votedFor == 0 ? nil : votedFor, commit: commit)
    }

    private static func decodeEntries(
        from reader: inout ByteReader
    ) throws(DecodeFailure) -> [Entry] {
        let count = Int(try reader.u32())
        // Checked before reserving, so a damaged count cannot trigger a huge allocation.
        guard count <= reader.remaining / entryOverheadBytes else {
            throw DecodeFailure("\(count) entries cannot fit in \(reader.remaining) bytes")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let term = try reader.int("entry term")
            let index = try reader.int("entry index")
            let kindByte = try reader.u8()
            guard let kind = EntryKind(rawValue: kindByte) else {
                throw DecodeFailure("entry \(index) has unknown kind \(kindByte)")
            }
            let data = try reader.bytes(count: Int(try reader.u32()))
            entries.append(Entry(term: term, index: index, kind: kind, data: data))
        }
        return entries
    }

    private static func decodeSnapshot(
        from reader: inout ByteReader
    ) throws(DecodeFailure) -> Snapshot {
        let index = try reader.int("snapshot index")
        let term = try reader.int("snapshot term")
        let data = try reader.bytes(count: Int(try reader.u32()))
        return Snapshot(position: LogPosition(term: term, index: index), data: data)
    }
}

/// The framed records of one write: each is length u32, CRC-32C u32 of the payload, payload.
struct RecordGroup {
    private(set) var bytes: [UInt8] = []
    private(set) var recordCount = 0

    mutating func append(hardState: HardState) throws(WALError) {
        try append(.hardState(hardState))
    }

    mutating func append(snapshot: Snapshot) throws(WALError) {
        try append(.snapshot(snapshot))
    }

    /// Appends `entries` as as few records as the payload limit allows; each record truncates from
    /// its own first index, so splitting a batch replays the same as writing it whole.
    mutating func append(entries: [Entry]) throws(WALError) {
        let budget = WriteAheadLog.maximumPayloadBytes - 1 - 4
        var start = entries.startIndex
        var size = 0
        for (position, entry) in zip(entries.indices, entries) {
            let entrySize = Record.entryOverheadBytes + entry.data.count
            if size + entrySize > budget, position > start {
                try append(.entries(Array(entries[start..<position])))
                start = position
                size = 0
            }
            size += entrySize
        }
        if start < entries.endIndex { try append(.entries(Array(entries[start...]))) }
    }

    private mutating func append(_ record: Record) throws(WALError) {
        var writer = ByteWriter()
        record.encode(into: &writer)
        let payload = writer.bytes
        guard payload.count <= WriteAheadLog.maximumPayloadBytes else {
            throw .recordTooLarge(bytes: payload.count, limit: WriteAheadLog.maximumPayloadBytes)
        }
        var header = ByteWriter()
        header.u32(UInt32(payload.count))
        header.u32(CRC32C.checksum(payload))
        bytes.append(contentsOf: header.bytes)
        bytes.append(contentsOf: payload)
        recordCount += 1
    }
}

/// Finding record boundaries in a file, and telling a torn tail from damage in the middle.
enum Framing {
    static let headerBytes = 8

    enum Scan: Equatable {
        /// No bytes left.
        case end
        /// An intact record whose payload occupies this range of the file.
        case record(payload: Range<Int>)
        /// The bytes at the offset are not an intact record.
        case damaged(reason: String)
    }

    static func scan(_ bytes: [UInt8], at offset: Int) -> Scan {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        guard remaining >= headerBytes else {
            let reason = "incomplete record header (\(remaining) of \(headerBytes) bytes)"
            return .damaged(reason: reason)
        }
        let length = Int(readU32(bytes, at: offset))
        let limit = WriteAheadLog.maximumPayloadBytes
        guard length > 0, length <= limit else {
            return .damaged(reason: "impossible record length \(length) (limit \(limit))")
        }
        let start = offset + headerBytes
        guard length <= bytes.count - start else {
            return .damaged(reason: "record of \(length) bytes runs past the end of the file")
        }
        let stored = readU32(bytes, at: offset + 4)
        let computed = CRC32C.checksum(bytes[start..<(start + length)])
        guard stored == computed else {
            let reason = "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))"
            return .damaged(reason: reason)
        }
        return .record(payload: start..<(start + length))
    }

    /// The offset of the first intact record after `offset`, found by trying every byte position.
    /// A torn tail has none; damage in the middle has the rest of the log after it. Cheap for
    /// garbage: almost every candidate fails the length test before any checksum is computed.
    static func firstValidRecord(in bytes: [UInt8], after offset: Int) -> Int? {
        var candidate = offset + 1
        while candidate + headerBytes < bytes.count {
            // The layout test comes before the checksum: damage such as a repeated small length
            // passes the length test at every fourth byte, and a checksum over each of those
            // records made the scan quadratic (seconds for 64 KB, hours for megabytes).
            if hasRecordLayout(bytes, at: candidate), case .record = scan(bytes, at: candidate) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    /// Whether the bytes at `offset` are laid out as a record `RecordGroup` writes: a length
    /// that fits, a known type, and sizes and counts that add up to the length. Reads a few
    /// fields (one per entry), allocates nothing and computes no checksum.
    static func hasRecordLayout(_ bytes: [UInt8], at offset: Int) -> Bool {
        let length = Int(readU32(bytes, at: offset))
        let start = offset + headerBytes
        guard length > 0, length <= WriteAheadLog.maximumPayloadBytes,
              length <= bytes.count - start, let tag = Record.Tag(rawValue: bytes[start]) else {
            return false
        }
        let end = start + length
        switch tag {
        case .hardState:
            return length == 1 + 3 * 8
        case .snapshot:
            return length >= 21 && Int(readU32(bytes, at: start + 17)) == length - 21
        case .entries:
            guard length >= 5 else { return false }
            var entryStart = start + 5
            // Each entry takes at least 21 bytes, so this loop ends within length / 21 rounds.
            for _ in 0..<readU32(bytes, at: start + 1) {
                guard end - entryStart >= Record.entryOverheadBytes else { return false }
                entryStart += Record.entryOverheadBytes + Int(readU32(bytes, at: entryStart + 17))
                guard entryStart <= end else { return false }
            }
            return entryStart == end
        }
    }

    static func readU32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func hex(_ value: UInt32) -> String {
        "0x" + String(value, radix: 16, uppercase: true)
    }
}

// MARK: - Bytes

/// Big-endian encoding into a growing buffer.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    mutating func bytes(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }
}

/// Why a payload with a valid checksum could not be decoded.
struct DecodeFailure: Error {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// Big-endian decoding of one payload; every read checks the bounds first.
struct ByteReader {
    private let source: [UInt8]
    private var position: Int
    private let end: Int

    init(_ source: [UInt8], _ range: Range<Int>) {
        self.source = source
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var remaining: Int { end - position }

    mutating func u8() throws(DecodeFailure) -> UInt8 {
        try require(1, "a byte")
        defer { position += 1 }
        return source[position]
    }

    mutating func u32() throws(DecodeFailure) -> UInt32 {
        try require(4, "a 32-bit integer")
        defer { position += 4 }
        return source[position..<(position + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(DecodeFailure) -> UInt64 {
        try require(8, "a 64-bit integer")
        defer { position += 8 }
        return source[position..<(position + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A u64 that must fit in `Int` (terms, indexes, node ids).
    mutating func int(_ field: String) throws(DecodeFailure) -> Int {
        let value = try u64()
        guard value <= UInt64(Int.max) else {
            throw DecodeFailure("\(field) \(value) is out of range")
        }
        return Int(value)
    }

    mutating func bytes(count: Int) throws(DecodeFailure) -> [UInt8] {
        try require(count, "\(count) data bytes")
        defer { position += count }
        return Array(source[position..<(position + count)])
    }

    private func require(_ count: Int, _ what: String) throws(DecodeFailure) {
        guard count <= remaining else {
            throw DecodeFailure("payload ends where \(what) was expected (\(remaining) bytes left)")
        }
    }
}

// MARK: - System calls

/// Thin wrappers that retry on EINTR and turn errno into `WALError`.
enum Posix {
    static func failure(path: String, operation: String, code: Int32 = errno) -> WALError {
        .io(path: path, operation: operation, message: String(cString: strerror(code)))
    }

    /// Creates `path` and any missing parents with mode 0700 (only the owner may read the log).
    static func makeDirectory(_ path: String) throws(WALError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        switch code {
        case EEXIST:
            return  // If it is not a directory, opening it with O_DIRECTORY reports that.
        case ENOENT:
            guard let slash = path.lastIndex(of: "/"), slash > path.startIndex else {
                throw failure(path: path, operation: "mkdir", code: code)
            }
            try makeDirectory(String(path[..<slash]))
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw failure(path: path, operation: "mkdir")
            }
        default:
            throw failure(path: path, operation: "mkdir", code: code)
        }
    }

    static func closeFile(_ descriptor: Int32) {
        // Nothing useful to do on failure: data that matters was synced before.
        _ = close(descriptor)
    }

    static func openFile(_ path: String, flags: Int32) throws(WALError) -> Int32 {
        while true {
            let descriptor = open(path, flags | O_CLOEXEC, 0o600)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw failure(path: path, operation: "open") }
        }
    }

    /// Takes an exclusive lock so that two node processes never share one log.
    static func lock(_ descriptor: Int32, path: String) throws(WALError) {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { throw .locked(path: path) }
            throw failure(path: path, operation: "flock")
        }
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(WALError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result > 0 {
                written += result
            } else if result < 0, errno == EINTR {
                continue
            } else {
                throw failure(path: path, operation: "write", code: result == 0 ? EIO : errno)
            }
        }
    }

    static func readAll(_ descriptor: Int32, path: String) throws(WALError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let result = chunk.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress!, buffer.count, off_t(bytes.count))
            }
            if result > 0 {
                bytes.append(contentsOf: chunk[..<result])
            } else if result == 0 {
                return bytes
            } else if errno != EINTR {
                throw failure(path: path, operation: "read")
            }
        }
    }

    /// The whole file, or nil when it does not exist.
    static func readAllIfPresent(path: String) throws(WALError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw failure(path: path, operation: "open")
        }
        defer { Posix.closeFile(descriptor) }
        return try readAll(descriptor, path: path)
    }

    static func syncFile(_ descriptor: Int32, path: String) throws(WALError) {
        guard fsync(descriptor) == 0 else { throw failure(path: path, operation: "fsync") }
    }

    static func renameFile(_ source: String, to destination: String) throws(WALError) {
        guard rename(source, destination) == 0 else {
            throw failure(path: destination, operation: "rename")
        }
    }
}
