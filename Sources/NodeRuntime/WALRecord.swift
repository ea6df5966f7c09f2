import Raft

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
