import Foundation
import Testing
@testable import NodeRuntime
import Raft

/// Regressions for what `clusterdeck fuzz wal` found: recovery must refuse or recover, never trap
/// and never take quadratic time, whatever the bytes (checksums included) say.
@Suite("WriteAheadLog fuzz findings")
struct WriteAheadLogFuzzFindingsTests {
    /// Records whose checksums are valid, as a damaged or hand-edited file could hold them.
    private func sealed(_ records: [Record]) -> [UInt8] {
        var group = RecordGroup()
        for record in records {
            switch record {
            case .hardState(let hardState): try? group.append(hardState: hardState)
            case .snapshot(let snapshot): try? group.append(snapshot: snapshot)
            case .entries(let entries):
                // append(entries:) checks nothing about indexes: it frames what it is given.
                try? group.append(entries: entries)
            }
        }
        return group.bytes
    }

    @Test("an entry after one at Int.max is corruption, not an overflow trap (fuzz wal 1:41)")
    func entryAfterIntMax() {
        let bytes = sealed([.entries([Entry(term: 1, index: Int.max), Entry(term: 1, index: 5)])])
        #expect(corruptionReason(replaying: bytes)?.contains("follows entry \(Int.max)") == true)
    }

    @Test("entries replacing an entry at Int.max recover without an overflow trap")
    func replacingEntryAtIntMax() throws {
        let snapshot = Snapshot(position: LogPosition(term: 1, index: Int.max - 1), data: [])
        let bytes = sealed([.snapshot(snapshot), .entries([Entry(term: 1, index: Int.max)]),
                            .entries([Entry(term: 2, index: Int.max)])])
        var mirror = LogMirror()
        let valid = try Replay.run(bytes, path: "log", into: &mirror)
        #expect(valid == bytes.count)
        #expect(mirror.state.entries == [Entry(term: 2, index: Int.max)])
    }

    @Test("the scan for a valid record after damage stays fast on a lattice of lengths")
    func latticeOfLengthsIsFast() throws {
        // "00 00 91 97" over and over: every fourth byte reads as a 37,271-byte record that
        // fits, and the scan once computed a checksum over each (minutes for this file).
        let bytes = (0..<(256 * 1024)).map { [0x00, 0x00, 0x91, 0x97][$0 % 4] } as [UInt8]
        let started = ContinuousClock.now
        var mirror = LogMirror()
        let valid = try Replay.run(bytes, path: "log", into: &mirror)
        #expect(valid == 0)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("every record the writer produces passes the layout test the scan uses")
    func writtenRecordsHaveTheLayout() {
        let records: [Record] = [
            .hardState(HardState(term: 3, votedFor: 2, commit: 1)),
            .snapshot(Snapshot(position: LogPosition(term: 1, index: 4), data: [])),
            .snapshot(Snapshot(position: LogPosition(term: 1, index: 4),
                               data: Array(repeating: 9, count: 300))),
            .entries([Entry(term: 1, index: 1, kind: .noop)]),
            .entries((1...50).map { index in
                Entry(term: 1, index: index, data: Array(repeating: 1, count: index))
            }),
        ]
        for record in records {
            let bytes = sealed([record])
            #expect(Framing.hasRecordLayout(bytes, at: 0), "\(record)")
            // One byte more or less in the length breaks the layout.
            var longer = bytes + [0]
            longer[3] &+= 1
            #expect(!Framing.hasRecordLayout(longer, at: 0), "\(record)")
        }
    }

    @Test("damage followed by a valid record is still corruption after the faster scan")
    func damageBeforeValidRecordStillFatal() throws {
        let first = sealed([.hardState(HardState(term: 1, votedFor: 1, commit: 0))])
        let second = sealed([.entries([Entry(term: 1, index: 1, data: [1, 2, 3])])])
        var bytes = first + second
        bytes[12] ^= 0xFF
        let reason = corruptionReason(replaying: bytes)
        #expect(reason?.contains("a valid record follows at offset \(first.count)") == true)
    }
}
