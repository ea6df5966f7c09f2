#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Raft

/// What `open` found and the descriptors it holds; released again if recovery fails.
struct OpenedFiles {
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
