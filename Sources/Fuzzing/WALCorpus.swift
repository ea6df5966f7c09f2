import NodeRuntime
import Raft

/// Data directories written by the real `WriteAheadLog`: the fuzzer's valid starting points.
enum WALCorpus {
    /// Logs after each step of a short history: a vote, entries, a conflicting suffix that
    /// replaces entries, a compaction into `snapshot.bin`, entries after it, and a large entry.
    /// - Throws: when the temporary directory cannot be used.
    static func samples() throws -> [WALTarget.Input] {
        let workspace = Workspace(prefix: "corpus")
        try workspace.create()
        defer { workspace.remove() }
        let (log, _) = try WriteAheadLog.open(directory: workspace.path, fsync: false)
        defer { log.close() }
        var samples: [WALTarget.Input] = []
        for step in steps {
            switch step {
            case .persist(let ready): try log.persist(ready)
            case .compact(let snapshot): try log.compact(to: snapshot)
            }
            let logBytes = Workspace.read(workspace.path + "/" + WriteAheadLog.logFileName) ?? []
            let snapshot = Workspace.read(workspace.path + "/" + WriteAheadLog.snapshotFileName)
            samples.append(WALTarget.Input(log: logBytes, snapshot: snapshot))
        }
        return samples
    }

    enum Step {
        case persist(Ready)
        case compact(Snapshot)
    }

    static func ready(hardState: HardState? = nil, entries: [Entry] = [],
                      snapshot: Snapshot? = nil) -> Ready {
        var ready = Ready()
        ready.hardState = hardState
        ready.entries = entries
        ready.snapshot = snapshot
        return ready
    }

    static let put = Array(#"{"operation":{"put":{"key":"x","value":"1"}}}"#.utf8)

    static let steps: [Step] = [
        .persist(ready(hardState: HardState(term: 1, votedFor: 1, commit: 0))),
        .persist(ready(entries: [Entry(term: 1, index: 1, kind: .noop),
                                 Entry(term: 1, index: 2, data: put),
                                 Entry(term: 1, index: 3, data: [0, 1, 2, 0xFF])])),
        .persist(ready(hardState: HardState(term: 2, votedFor: 3, commit: 2),
                       entries: [Entry(term: 2, index: 3, kind: .noop),
                                 Entry(term: 2, index: 4, data: [])])),
        .compact(Snapshot(position: LogPosition(term: 2, index: 3),
                          data: Array(#"{"x":"1"}"#.utf8))),
        .persist(ready(entries: [Entry(term: 2, index: 5, data: put),
                                 Entry(term: 2, index: 6,
                                       data: Array(repeating: 0x61, count: 3_000))])),
        .persist(ready(hardState: HardState(term: 3, votedFor: nil, commit: 6),
                       snapshot: Snapshot(position: LogPosition(term: 3, index: 9),
                                          data: [1, 2, 3]))),
        .persist(ready(entries: [Entry(term: 3, index: 10, kind: .noop)])),
    ]
}

/// Damage to a log beyond what byte flips do.
enum WALMutations {
    /// One record's payload changed (bytes, or a field set to an edge value, or replaced by a
    /// hostile payload) and the log sealed again, so the change reaches the record decoder.
    static func resealed(_ log: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var payloads = WALRecords.payloads(in: log)
        let mutator = ByteMutator(maximumBytes: 8_192)
        if payloads.isEmpty || random.chance(1, in: 3) {
            let at = random.below(payloads.count + 1)
            payloads.insert(WALRecords.hostile(using: &random), at: at)
        } else {
            let index = random.below(payloads.count)
            mutator.mutate(&payloads[index], donors: payloads, using: &random)
        }
        return payloads.flatMap(WALRecords.sealed)
    }

    /// Records dropped, doubled, swapped or taken from another log.
    static func rearranged(
        _ log: [UInt8], donors: [[UInt8]], using random: inout FuzzRandom
    ) -> [UInt8] {
        var payloads = WALRecords.payloads(in: log)
        guard !payloads.isEmpty else { return log }
        for _ in 0..<random.smallCount(max: 3) {
            let index = random.below(payloads.count)
            switch random.below(4) {
            case 0 where payloads.count > 1: payloads.remove(at: index)
            case 1: payloads.insert(payloads[index], at: random.below(payloads.count + 1))
            case 2: payloads.swapAt(index, random.below(payloads.count))
            default:
                let other = WALRecords.payloads(in: random.pick(donors))
                if !other.isEmpty { payloads.insert(random.pick(other), at: index) }
            }
        }
        return payloads.flatMap(WALRecords.sealed)
    }

    /// A record's length field set to an edge value: zero, past the end, over the limit, 4 GiB.
    static func damagedLengthField(_ log: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var offsets: [Int] = []
        var offset = 0
        while log.count - offset >= WALRecords.headerBytes {
            offsets.append(offset)
            offset += WALRecords.headerBytes + Int(BigEndian.u32(log, at: offset))
        }
        guard !offsets.isEmpty else { return log }
        var damaged = log
        let at = random.pick(offsets)
        let pastEnd = UInt32(truncatingIfNeeded: log.count - at - WALRecords.headerBytes + 1)
        let limit = UInt32(WriteAheadLog.maximumPayloadBytes)
        let length = random.pick(InterestingIntegers.u32 + [pastEnd, limit, limit + 1])
        BigEndian.put(length, into: &damaged, at: at)
        return damaged
    }

    /// `snapshot.bin` missing, empty, torn, flipped, resealed with another payload, or doubled.
    static func snapshot(
        _ snapshot: [UInt8]?, samples: [WALTarget.Input], using random: inout FuzzRandom
    ) -> [UInt8]? {
        let valid = snapshot ?? samples.compactMap(\.snapshot).first ?? []
        switch random.below(6) {
        case 0: return nil
        case 1: return []
        case 2: return Array(valid.prefix(random.below(valid.count + 1)))
        case 3:
            var bytes = valid
            ByteMutator(maximumBytes: 8_192).mutate(&bytes, donors: [], using: &random)
            return bytes
        case 4: return WALRecords.sealed(WALRecords.hostile(using: &random))
        default: return valid + valid
        }
    }

    /// A log of noise: random bytes, or a lattice of small big-endian lengths, the worst case
    /// for the scan that looks for a valid record after damage.
    static func garbage(using random: inout FuzzRandom) -> [UInt8] {
        let count = random.int(in: 0...(random.chance(1, in: 8) ? 65_536 : 512))
        if random.chance(1, in: 2) { return (0..<count).map { _ in random.byte() } }
        let word = BigEndian.bytes(UInt32(random.int(in: 1...max(1, count))))
        return (0..<count).map { word[$0 % 4] }
    }
}
