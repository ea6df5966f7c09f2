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
