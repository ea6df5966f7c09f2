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
