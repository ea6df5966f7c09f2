import Raft

/// Integers that sit on the edges decoders get wrong: zero, one, sign bits, all ones.
public enum InterestingIntegers {
    /// One-byte values.
    public static let u8: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF]
    /// Four-byte values (lengths and counts in every format under test are u32).
    public static let u32: [UInt32] = [
        0, 1, 2, 3, 4, 7, 8, 15, 16, 21, 255, 256, 0xFFFF, 0x1_0000, 0x7F_FFFF, 0x100_0000,
        0x100_0001, 0x400_0000, 0x400_0001, 0x7FFF_FFFE, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE,
        0xFFFF_FFFF,
    ]
    /// Eight-byte values (terms and indexes are u64 that must fit in Int).
    public static let u64: [UInt64] = [
        0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, UInt64(Int.max) - 1, UInt64(Int.max),
        UInt64(Int.max) + 1, UInt64.max - 1, UInt64.max,
    ]
}

/// Big-endian reads and writes on byte arrays, bounds-checked by the caller.
enum BigEndian {
    static func put(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * index))
        }
    }

    static func put(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * index))
        }
    }

    static func u32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func bytes(_ value: UInt32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4)
        put(value, into: &bytes, at: 0)
        return bytes
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 8)
        put(value, into: &bytes, at: 0)
        return bytes
    }
}

/// libFuzzer's classic mutations on a byte string, drawn from a seeded generator.
///
/// Every mutation keeps the result at most `maximumBytes` long, so an input never grows without
/// bound however many rounds it goes through.
public struct ByteMutator: Sendable {
    /// The kinds of change, in the order `mutate` draws them.
    public enum Kind: CaseIterable, Sendable {
        case flipBit, setByte, interestingByte, interestingU32, interestingU64, insertBytes
        case deleteBytes, duplicateRange, truncate, splice, arithmetic, swapRanges
    }

    /// The longest result.
    public var maximumBytes: Int

    /// A mutator whose results are at most `maximumBytes` long.
    public init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    /// Applies one to `rounds` mutations to `bytes`.
    /// - Parameters:
    ///   - bytes: the input to change in place.
    ///   - donors: other valid inputs to splice from (may be empty).
    ///   - random: the input's generator.
    public func mutate(_ bytes: inout [UInt8], donors: [[UInt8]], using random: inout FuzzRandom) {
        for _ in 0..<random.smallCount(max: 6) {
            apply(random.pick(Kind.allCases), to: &bytes, donors: donors, using: &random)
        }
        if bytes.count > maximumBytes { bytes.removeLast(bytes.count - maximumBytes) }
    }

    /// Applies one mutation of `kind`; a mutation that does not fit the input inserts a byte.
    public func apply(
        _ kind: Kind, to bytes: inout [UInt8], donors: [[UInt8]], using random: inout FuzzRandom
    ) {
        switch kind {
        case .flipBit where !bytes.isEmpty:
            bytes[random.below(bytes.count)] ^= 1 << UInt8(random.below(8))
        case .setByte where !bytes.isEmpty:
            bytes[random.below(bytes.count)] = random.byte()
        case .interestingByte where !bytes.isEmpty:
            bytes[random.below(bytes.count)] = random.pick(InterestingIntegers.u8)
        case .interestingU32 where bytes.count >= 4:
            let value = random.pick(InterestingIntegers.u32)
            BigEndian.put(value, into: &bytes, at: random.below(bytes.count - 3))
        case .interestingU64 where bytes.count >= 8:
            let value = random.pick(InterestingIntegers.u64)
            BigEndian.put(value, into: &bytes, at: random.below(bytes.count - 7))
        case .deleteBytes where !bytes.isEmpty:
            let start = random.below(bytes.count)
            let end = min(bytes.count, start + random.smallCount(max: 64))
            bytes.removeSubrange(start..<end)
        case .duplicateRange where !bytes.isEmpty:
            let start = random.below(bytes.count)
            let end = min(bytes.count, start + random.int(in: 1...64))
            bytes.insert(contentsOf: bytes[start..<end], at: random.below(bytes.count + 1))
        case .truncate where !bytes.isEmpty:
            bytes.removeLast(random.int(in: 1...bytes.count))
        case .splice where !donors.isEmpty:
            splice(&bytes, with: random.pick(donors), using: &random)
        case .arithmetic where !bytes.isEmpty:
            let offset = random.below(bytes.count)
            bytes[offset] = bytes[offset] &+ UInt8(truncatingIfNeeded: random.int(in: -4...4))
        case .swapRanges where bytes.count >= 2:
            let first = random.below(bytes.count)
            let second = random.below(bytes.count)
            bytes.swapAt(first, second)
        default:
            insertBytes(&bytes, using: &random)
        }
    }

    private func insertBytes(_ bytes: inout [UInt8], using random: inout FuzzRandom) {
        let count = random.smallCount(max: 16)
        let fill: [UInt8] = random.chance(1, in: 2)
            ? (0..<count).map { _ in random.byte() }
            : [UInt8](repeating: random.pick(InterestingIntegers.u8), count: count)
        bytes.insert(contentsOf: fill, at: random.below(bytes.count + 1))
    }

    /// Keeps a prefix of `bytes` and appends a suffix of `donor`: two valid inputs cut and joined.
    private func splice(
        _ bytes: inout [UInt8], with donor: [UInt8], using random: inout FuzzRandom
    ) {
        let keep = random.below(bytes.count + 1)
        let from = random.below(donor.count + 1)
        bytes.removeSubrange(keep...)
        bytes.append(contentsOf: donor[from...])
    }
}
