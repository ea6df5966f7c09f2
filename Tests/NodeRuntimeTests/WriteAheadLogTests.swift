import Foundation
import Testing
@testable import NodeRuntime
import Raft

/// The write-ahead log on a real file system: round trips, recovery after restarts and crashes,
/// compaction, and the line between a torn tail (truncated) and corruption (fatal).
@Suite("WriteAheadLog")
struct WriteAheadLogTests {
    // MARK: Round trips

    @Test("hard state and entries round-trip, and a conflicting suffix is replaced")
    func roundTripWithConflictingSuffix() throws {
        try withTemporaryDirectory { directory in
            let (wal, recovered) = try WriteAheadLog.open(directory: directory, fsync: true)
            #expect(recovered == PersistentState())
            try wal.persist(batch(HardState(term: 1, votedFor: 1), entries(1...5, term: 1)))
            try wal.persist(batch(HardState(term: 2, commit: 2), entries(3...4, term: 2)))
            let expected = PersistentState(
                hardState: HardState(term: 2, votedFor: nil, commit: 2),
                entries: entries(1...2, term: 1) + entries(3...4, term: 2))
            #expect(wal.persistentState == expected)
            wal.close()
            #expect(try reopen(directory) == expected)
        }
    }

    @Test("a restart recovers exactly what was persisted, and each batch costs one fsync")
    func restartRecoversExactly() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: true)
            let fsyncsAtOpen = wal.fsyncCount
            var all: [Entry] = []
            for round in 0..<10 {
                let first = round * 3 + 1
                let term = round + 1
                let more = [Entry(term: term, index: first, kind: .noop),
                            Entry(term: term, index: first + 1, data: []),
                            Entry(term: term, index: first + 2,
                                  data: Array(repeating: 7, count: round))]
                all += more
                let hardState = HardState(term: term, votedFor: round % 3 + 1, commit: first)
                try wal.persist(batch(hardState, more))
            }
            #expect(wal.fsyncCount == fsyncsAtOpen + 10)
            #expect(wal.recordsWritten == 20)
            let state = wal.persistentState
            #expect(state.entries == all)
            wal.close()
            #expect(try reopen(directory) == state)
        }
    }

    @Test("a batch with nothing durable writes nothing")
    func emptyBatchWritesNothing() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: true)
            let fsyncs = wal.fsyncCount
            var ready = Ready()
            ready.committedEntries = [Entry(term: 1, index: 1)]
            try wal.persist(ready)
            #expect(wal.bytesOnDisk == 0)
            #expect(wal.fsyncCount == fsyncs)
            #expect(wal.recordsWritten == 0)
        }
    }

    @Test("with fsync off, batches are still written and recovered, without fsync")
    func fsyncSwitch() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: true)
            wal.fsyncEnabled = false
            let fsyncs = wal.fsyncCount
            try wal.persist(batch(HardState(term: 3), entries(1...2, term: 3)))
            #expect(wal.fsyncCount == fsyncs)
            wal.fsyncEnabled = true
            try wal.persist(batch(nil, entries(3...3, term: 3)))
            #expect(wal.fsyncCount == fsyncs + 1)
            wal.close()
            #expect(try reopen(directory).entries == entries(1...3, term: 3))
        }
    }

    @Test("a gap in the entries is refused before anything is written")
    func gapIsRefused() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: false)
            try wal.persist(batch(nil, entries(1...2, term: 1)))
            let size = wal.bytesOnDisk
            let error = #expect(throws: WALError.self) {
                try wal.persist(batch(nil, entries(4...5, term: 1)))
            }
            guard case .invalidBatch = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(wal.bytesOnDisk == size)
            try wal.persist(batch(nil, entries(3...3, term: 1)))
        }
    }

    // MARK: Snapshots and compaction

    @Test("a snapshot in a Ready replaces the whole log")
    func snapshotInstallReplacesLog() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: true)
            try wal.persist(batch(HardState(term: 1, votedFor: 2), entries(1...5, term: 1)))
            let snapshot = Snapshot(position: LogPosition(term: 2, index: 10), data: [1, 2, 3])
            var ready = batch(HardState(term: 2, commit: 10), entries(11...12, term: 2))
            ready.snapshot = snapshot
            let fsyncs = wal.fsyncCount
            try wal.persist(ready)
            #expect(wal.fsyncCount == fsyncs + 1)
            let expected = PersistentState(hardState: HardState(term: 2, commit: 10),
                                           snapshot: snapshot, entries: entries(11...12, term: 2))
            #expect(wal.persistentState == expected)
            wal.close()
            #expect(try reopen(directory) == expected)
        }
    }

    @Test("compaction bounds the files and recovery after it is exact")
    func compactBoundsFileSize() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: true)
            for index in 1...200 {
                let data = Array(repeating: UInt8(index % 256), count: 100)
                let entry = Entry(term: 1, index: index, data: data)
                try wal.persist(batch(HardState(term: 1, votedFor: 1, commit: index - 1), [entry]))
            }
            let before = wal.bytesOnDisk
            let snapshot = Snapshot(position: LogPosition(term: 1, index: 195),
                                    data: Array(repeating: 1, count: 50))
            try wal.compact(to: snapshot)
            #expect(wal.bytesOnDisk < before / 10)
            let logSize = fileSize(directory, WriteAheadLog.logFileName)
            let snapshotSize = fileSize(directory, WriteAheadLog.snapshotFileName)
            #expect(logSize + snapshotSize == wal.bytesOnDisk)
            let expected = wal.persistentState
            #expect(expected.snapshot == snapshot)
            #expect(expected.entries.map(\.index) == Array(196...200))
            #expect(expected.hardState == HardState(term: 1, votedFor: 1, commit: 199))
            // Appends after the rewrite go to the new file.
            try wal.persist(batch(nil, [Entry(term: 1, index: 201)]))
            // A stale snapshot is ignored.
            try wal.compact(to: Snapshot(position: LogPosition(term: 1, index: 100), data: []))
            let final = wal.persistentState
            #expect(final.entries.map(\.index) == Array(196...201))
            wal.close()
            #expect(try reopen(directory) == final)
            #expect(!FileManager.default.fileExists(atPath: directory + "/wal.log.tmp"))
        }
    }

    @Test("a crash between the snapshot rename and the log rewrite recovers the compacted state")
    func crashDuringCompaction() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: false)
            try wal.persist(batch(HardState(term: 1, commit: 10), entries(1...4, term: 1)))
            // An installed snapshot record sits in the old log, older than the compaction to come.
            var install = batch(nil, entries(6...10, term: 2))
            install.snapshot = Snapshot(position: LogPosition(term: 2, index: 5), data: [5])
            try wal.persist(install)
            let oldLog = try readFile(directory, WriteAheadLog.logFileName)
            try wal.compact(to: Snapshot(position: LogPosition(term: 2, index: 8), data: [8]))
            let expected = wal.persistentState
            wal.close()
            // Put back the log as it was before the rewrite, plus a leftover temp file.
            try writeFile(directory, WriteAheadLog.logFileName, oldLog)
            try writeFile(directory, WriteAheadLog.logFileName + ".tmp", [1, 2, 3])
            #expect(try reopen(directory) == expected)
            #expect(expected.entries == entries(9...10, term: 2))
        }
    }

    @Test("a damaged snapshot.bin is fatal")
    func corruptSnapshotFileIsFatal() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: false)
            try wal.persist(batch(nil, entries(1...3, term: 1)))
            let data = Array(repeating: UInt8(9), count: 40)
            try wal.compact(to: Snapshot(position: LogPosition(term: 1, index: 2), data: data))
            wal.close()
            var bytes = try readFile(directory, WriteAheadLog.snapshotFileName)
            bytes[bytes.count - 1] ^= 0x01
            try writeFile(directory, WriteAheadLog.snapshotFileName, bytes)
            let error = #expect(throws: WALError.self) { try reopen(directory) }
            guard case .corrupt(let path, let offset, let reason) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(path.hasSuffix("/snapshot.bin"))
            #expect(offset == 0)
            #expect(reason.contains("checksum"))
        }
    }

    // MARK: Torn tails and corruption

    @Test("a log cut in the middle of its last record loses only that record")
    func tornTailMidRecord() throws {
        try withTemporaryDirectory { directory in
            let offsets = try writeThreeGroups(directory)
            let cut = offsets.third + 20
            try truncateFile(directory, WriteAheadLog.logFileName, to: cut)
            let (wal, recovered) = try WriteAheadLog.open(directory: directory, fsync: true)
            #expect(wal.tornTailBytesDropped == cut - offsets.third)
            let expected = PersistentState(
                hardState: HardState(term: 2, votedFor: 2, commit: 1),
                entries: entries(1...2, term: 1) + entries(3...3, term: 2))
            #expect(recovered == expected)
            #expect(fileSize(directory, WriteAheadLog.logFileName) == offsets.third)
            // The log goes on cleanly from the cut.
            try wal.persist(batch(nil, entries(4...4, term: 2)))
            let state = wal.persistentState
            wal.close()
            #expect(try reopen(directory) == state)
        }
    }

    @Test("garbage appended after the last record is truncated away",
          arguments: [1, 7, 8, 100, 5000])
    func garbageTail(garbageBytes: Int) throws {
        try withTemporaryDirectory { directory in
            let offsets = try writeThreeGroups(directory)
            var generator = SeededRandom(seed: UInt64(garbageBytes))
            let garbage = (0..<garbageBytes).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            try writeFile(directory, WriteAheadLog.logFileName,
                          try readFile(directory, WriteAheadLog.logFileName) + garbage)
            let (wal, recovered) = try WriteAheadLog.open(directory: directory, fsync: false)
            #expect(wal.tornTailBytesDropped == garbageBytes)
            #expect(recovered == offsets.state)
            #expect(fileSize(directory, WriteAheadLog.logFileName) == offsets.end)
        }
    }

    @Test("a zero-filled tail (a torn write of unwritten blocks) is truncated away")
    func zeroTail() throws {
        try withTemporaryDirectory { directory in
            let offsets = try writeThreeGroups(directory)
            let zeros = [UInt8](repeating: 0, count: 4096)
            try writeFile(directory, WriteAheadLog.logFileName,
                          try readFile(directory, WriteAheadLog.logFileName) + zeros)
            let (wal, recovered) = try WriteAheadLog.open(directory: directory, fsync: false)
            #expect(wal.tornTailBytesDropped == 4096)
            #expect(recovered == offsets.state)
        }
    }

    @Test("a flipped byte in a middle record is fatal and names the record's offset")
    func flippedByteInMiddleIsCorrupt() throws {
        try withTemporaryDirectory { directory in
            let offsets = try writeThreeGroups(directory)
            var bytes = try readFile(directory, WriteAheadLog.logFileName)
            bytes[offsets.second + 8 + 10] ^= 0x40
            try writeFile(directory, WriteAheadLog.logFileName, bytes)
            let error = #expect(throws: WALError.self) { try reopen(directory) }
            guard case .corrupt(let path, let offset, let reason) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(path == directory + "/wal.log")
            #expect(offset == offsets.second)
            #expect(reason.contains("checksum mismatch"))
            #expect(error?.description.contains("offset \(offsets.second)") == true)
            // Nothing was truncated: the evidence stays for the operator.
            #expect(fileSize(directory, WriteAheadLog.logFileName) == offsets.end)
        }
    }

    @Test("an impossible length in a middle record is fatal without a huge allocation")
    func impossibleLengthInMiddle() throws {
        try withTemporaryDirectory { directory in
            let offsets = try writeThreeGroups(directory)
            var bytes = try readFile(directory, WriteAheadLog.logFileName)
            let lengthField = offsets.second..<(offsets.second + 4)
            bytes.replaceSubrange(lengthField, with: [0xFF, 0xFF, 0xFF, 0xF0])
            try writeFile(directory, WriteAheadLog.logFileName, bytes)
            let error = #expect(throws: WALError.self) { try reopen(directory) }
            guard case .corrupt(_, let offset, let reason) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(offset == offsets.second)
            #expect(reason.contains("impossible record length 4294967280"))
        }
    }

    @Test("an impossible or overlong length in the last record is a torn tail",
          arguments: [0x7FFF_FFFF, 0x0400_0001, 0x0100_0000, 0])
    func impossibleLengthAtTail(length: Int) throws {
        try withTemporaryDirectory { directory in
            let offsets = try writeThreeGroups(directory)
            var bytes = try readFile(directory, WriteAheadLog.logFileName)
            // The third group is a hard state record, then the last record: its entries.
            let last = offsets.third + hardStateRecordBytes
            let field = (0..<4).map { UInt8(truncatingIfNeeded: length >> (24 - 8 * $0)) }
            bytes.replaceSubrange(last..<(last + 4), with: field)
            try writeFile(directory, WriteAheadLog.logFileName, bytes)
            let (wal, recovered) = try WriteAheadLog.open(directory: directory, fsync: false)
            #expect(wal.tornTailBytesDropped == offsets.end - last)
            #expect(recovered.hardState == HardState(term: 2, votedFor: 2, commit: 3))
            #expect(recovered.entries.map(\.index) == [1, 2, 3])
        }
    }

    @Test("the entry count of a record cannot make recovery reserve memory it cannot fill")
    func hugeEntryCountIsRejected() throws {
        var group = RecordGroup()
        try group.append(entries: entries(1...1, term: 1))
        var bytes = group.bytes
        // Claim four billion entries in the payload and fix the checksum so the framing passes.
        bytes.replaceSubrange(9..<13, with: [0xFF, 0xFF, 0xFF, 0xFF])
        let crc = CRC32C.checksum(bytes[8...])
        let crcField = (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32($0))) }
        bytes.replaceSubrange(4..<8, with: crcField)
        #expect(corruptionReason(replaying: bytes)?.contains("cannot fit") == true)
    }

    // MARK: Lifecycle

    @Test("open creates the directory with mode 0700 and a second open is refused while locked")
    func directoryAndLock() throws {
        try withTemporaryDirectory { directory in
            let nested = directory + "/node-1/data"
            let (wal, _) = try WriteAheadLog.open(directory: nested, fsync: false)
            let attributes = try FileManager.default.attributesOfItem(atPath: nested)
            #expect((attributes[.posixPermissions] as? Int) == 0o700)
            let error = #expect(throws: WALError.self) {
                _ = try WriteAheadLog.open(directory: nested, fsync: false)
            }
            #expect(error == .locked(path: nested))
            wal.close()
            #expect(throws: WALError.closed) { try wal.persist(batch(HardState(term: 1), [])) }
            _ = try WriteAheadLog.open(directory: nested, fsync: false)
        }
    }

    @Test("CRC-32C matches the published check values")
    func crc32cCheckVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720, B.4: 32 bytes of zeros, 32 bytes of ones.
        #expect(CRC32C.checksum(Array(repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum(Array(repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        // Non-contiguous sequences take the generic path and must agree.
        #expect(CRC32C.checksum("123456789".utf8.lazy.map { $0 }) == 0xE306_9283)
    }
}

// MARK: - Helpers

/// Runs `body` with a fresh directory path under the temporary directory, removed afterwards
/// whether `body` succeeds or not. The directory itself does not exist yet: `open` creates it.
func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("wal-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: url) }
    try body(url.path)
}

func reopen(_ directory: String) throws -> PersistentState {
    let (wal, state) = try WriteAheadLog.open(directory: directory, fsync: false)
    wal.close()
    return state
}

func batch(_ hardState: HardState?, _ entries: [Entry]) -> Ready {
    var ready = Ready()
    ready.hardState = hardState
    ready.entries = entries
    return ready
}

func entries(_ indexes: ClosedRange<Int>, term: Term) -> [Entry] {
    indexes.map { Entry(term: term, index: $0, data: Array("entry \($0) term \(term)".utf8)) }
}

/// Framing (8) plus type (1) plus term, votedFor and commit (3 × 8).
private let hardStateRecordBytes = 33

private struct ThreeGroups {
    var second: Int
    var third: Int
    var end: Int
    var state: PersistentState
}

/// Writes three groups (two records, one, two) and returns where the second and third start.
private func writeThreeGroups(_ directory: String) throws -> ThreeGroups {
    let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: false)
    defer { wal.close() }
    try wal.persist(batch(HardState(term: 1, votedFor: 1), entries(1...2, term: 1)))
    let second = wal.bytesOnDisk
    try wal.persist(batch(HardState(term: 2, votedFor: 2, commit: 1), entries(3...3, term: 2)))
    let third = wal.bytesOnDisk
    try wal.persist(batch(HardState(term: 2, votedFor: 2, commit: 3), entries(4...5, term: 2)))
    return ThreeGroups(second: second, third: third, end: wal.bytesOnDisk,
                       state: wal.persistentState)
}

private func readFile(_ directory: String, _ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
}

private func writeFile(_ directory: String, _ name: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
}

private func truncateFile(_ directory: String, _ name: String, to length: Int) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/" + name))
    defer { try? handle.close() }
    try handle.truncate(atOffset: UInt64(length))
}

private func fileSize(_ directory: String, _ name: String) -> Int {
    let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
    return (attributes?[.size] as? Int) ?? -1
}
