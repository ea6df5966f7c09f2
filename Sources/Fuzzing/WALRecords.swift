/// The write-ahead log's record framing, re-implemented from its documentation so that the
/// fuzzer can take a log apart, change a record's payload and seal it again with a valid
/// checksum: byte flips alone almost never get past the CRC into the record decoder.
///
///     record:  length u32, CRC-32C u32 of the payload, payload (all big-endian)
///     payload: type u8 (1 hard state, 2 entries, 3 snapshot), then the body
enum WALRecords {
    static let headerBytes = 8

    /// The intact records at the start of `log`, as payloads.
    static func payloads(in log: [UInt8]) -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        var offset = 0
        while log.count - offset >= headerBytes {
            let length = Int(BigEndian.u32(log, at: offset))
            guard length <= log.count - offset - headerBytes else { break }
            let start = offset + headerBytes
            payloads.append(Array(log[start..<(start + length)]))
            offset = start + length
        }
        return payloads
    }

    /// `payload` framed as a record with a correct checksum.
    static func sealed(_ payload: [UInt8]) -> [UInt8] {
        BigEndian.bytes(UInt32(truncatingIfNeeded: payload.count))
            + BigEndian.bytes(CRC32C.checksum(payload)) + payload
    }

    /// Hand-made payloads with valid checksums that push the decoder's limits: counts and
    /// lengths far past the end, indexes at `Int.max`, values that do not fit in `Int`, unknown
    /// types and kinds.
    static func hostile(using random: inout FuzzRandom) -> [UInt8] {
        let u64 = { (random: inout FuzzRandom) in
            BigEndian.bytes(random.pick(InterestingIntegers.u64))
        }
        let u32 = { (random: inout FuzzRandom) in
            BigEndian.bytes(random.pick(InterestingIntegers.u32))
        }
        let maxIndex = BigEndian.bytes(UInt64(Int.max))
        switch random.below(8) {
        case 0:
            return [1] + u64(&random) + u64(&random) + u64(&random)
        case 1:
            return [2] + u32(&random) + u64(&random) + u64(&random) + [0] + u32(&random)
        case 2:
            // Two entries, the first at Int.max: the second cannot follow it.
            let entry = maxIndex + maxIndex + [1] + BigEndian.bytes(UInt32(0))
            return [2] + BigEndian.bytes(UInt32(2)) + entry + u64(&random) + u64(&random) + [1]
                + BigEndian.bytes(UInt32(0))
        case 3:
            return [3] + u64(&random) + u64(&random) + u32(&random) + [7, 7]
        case 4:
            return [3] + maxIndex + BigEndian.bytes(UInt64(1)) + BigEndian.bytes(UInt32(0))
        case 5:
            return [random.byte()] + (0..<random.below(32)).map { _ in random.byte() }
        case 6:
            let entry = u64(&random) + u64(&random) + [random.pick([0, 1, 2, 0xFF])]
                + BigEndian.bytes(UInt32(1)) + [0x41]
            return [2] + BigEndian.bytes(UInt32(1)) + entry
        default:
            return [1] + maxIndex + maxIndex + maxIndex
        }
    }
}

/// CRC-32C (Castagnoli), as the write-ahead log computes it.
enum CRC32C {
    static let table: [UInt32] = (0...255).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
