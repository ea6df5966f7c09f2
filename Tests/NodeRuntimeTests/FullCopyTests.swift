import Foundation
import Testing
@testable import NodeRuntime
import Raft

/// A primary/backup full copy may be older than the replica's own snapshot (the replica applied a
/// history the new primary lacks): the disk must recover the copy, not the replica's own snapshot.
@Suite("A full copy older than the stored snapshot")
struct FullCopyTests {
    @Test("the write-ahead log recovers the older copy and the entries after it")
    func writeAheadLogRollsBack() throws {
        try withTemporaryDirectory { directory in
            let (wal, _) = try WriteAheadLog.open(directory: directory, fsync: true)
            try wal.persist(batch(HardState(term: 1, votedFor: 1), entries(1...10, term: 1)))
            try wal.compact(to: Snapshot(position: LogPosition(term: 1, index: 8), data: [1]))
            var copy = Ready()
            copy.snapshot = Snapshot(position: LogPosition(term: 2, index: 3), data: [2])
            copy.entries = entries(4...5, term: 2)
            try wal.persist(copy)
            let expected = PersistentState(hardState: HardState(term: 1, votedFor: 1), snapshot: copy.snapshot,
                                           entries: entries(4...5, term: 2))
            #expect(wal.persistentState == expected)
            wal.close()
            #expect(try reopen(directory) == expected)
        }
    }

    @Test("the simulated disk does the same")
    func memoryLogRollsBack() throws {
        let disk = MemoryLog()
        try disk.persist(batch(HardState(term: 1), entries(1...10, term: 1)))
        try disk.compact(to: Snapshot(position: LogPosition(term: 1, index: 8), data: [1]))
        var copy = Ready()
        copy.snapshot = Snapshot(position: LogPosition(term: 0, index: 0), data: [])
        copy.entries = entries(1...2, term: 2)
        try disk.persist(copy)
        #expect(disk.persistentState.snapshot == copy.snapshot)
        #expect(disk.persistentState.entries == entries(1...2, term: 2))
    }
}
