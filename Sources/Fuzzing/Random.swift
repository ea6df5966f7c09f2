import Raft

/// The generator every fuzz input is drawn from: the Raft module's SplitMix64, so the same seed
/// gives the same inputs on every machine and in every build.
public typealias FuzzRandom = SeededRandom

extension SeededRandom {
    /// The generator for one input, a function of the run's seed and the input's number only.
    ///
    /// Inputs do not depend on the ones before them, so `--replay SEED:ITERATION` rebuilds input
    /// ITERATION alone, without running the ITERATION − 1 inputs before it.
    /// - Parameters:
    ///   - seed: the run's seed.
    ///   - iteration: the input's number, from 0.
    /// - Returns: a generator seeded for that input.
    public static func forInput(seed: UInt64, iteration: UInt64) -> SeededRandom {
        // One SplitMix step decorrelates neighbouring iterations of one seed.
        var mixer = SeededRandom(seed: seed ^ (iteration &* 0xD1B5_4A32_D192_ED03))
        return SeededRandom(seed: mixer.next())
    }

    /// A uniform integer in `0..<bound` (`bound` > 0).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bug: below(\(bound))")
        return Int(next() % UInt64(bound))
    }

    /// A uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        below(denominator) < numerator
    }

    /// A uniform element of a non-empty collection.
    mutating func pick<C: RandomAccessCollection>(_ elements: C) -> C.Element {
        precondition(!elements.isEmpty, "bug: pick from an empty collection")
        let offset = below(elements.count)
        return elements[elements.index(elements.startIndex, offsetBy: offset)]
    }

    /// A random byte.
    mutating func byte() -> UInt8 {
        UInt8(truncatingIfNeeded: next())
    }

    /// A small count skewed towards 1: most mutations change one thing, some change several.
    mutating func smallCount(max: Int) -> Int {
        var count = 1
        while count < max, chance(1, in: 3) { count += 1 }
        return count
    }
}
