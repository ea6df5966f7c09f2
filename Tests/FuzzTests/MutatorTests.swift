import Testing

@testable import Fuzzing

@Suite("Mutators")
struct MutatorTests {
    static let sample: [UInt8] = Array(0..<64)

    @Test("every byte mutation changes the input", arguments: ByteMutator.Kind.allCases)
    func byteMutationsMutate(kind: ByteMutator.Kind) {
        let mutator = ByteMutator(maximumBytes: 1_000)
        var random = FuzzRandom(seed: 1)
        var changed = 0
        for _ in 0..<200 {
            var bytes = Self.sample
            let donors = [Array(repeating: UInt8(0xEE), count: 40)]
            mutator.apply(kind, to: &bytes, donors: donors, using: &random)
            if bytes != Self.sample { changed += 1 }
        }
        // A few draws legitimately change nothing (a swap of a byte with itself, a splice that
        // cuts and rejoins at the same place, an interesting value already there).
        #expect(changed >= 150, "\(kind) changed \(changed) of 200")
    }

    @Test("mutations stay within the size limit and work on empty input")
    func bounded() {
        let mutator = ByteMutator(maximumBytes: 100)
        var random = FuzzRandom(seed: 2)
        for round in 0..<2_000 {
            var bytes: [UInt8] = round % 3 == 0 ? [] : Self.sample
            mutator.mutate(&bytes, donors: [Array(repeating: 1, count: 90)], using: &random)
            #expect(bytes.count <= 100)
        }
    }

    @Test("the same seed mutates the same way")
    func deterministic() {
        let mutator = ByteMutator(maximumBytes: 1_000)
        var first = Self.sample, second = Self.sample
        var randomA = FuzzRandom.forInput(seed: 9, iteration: 4)
        var randomB = FuzzRandom.forInput(seed: 9, iteration: 4)
        mutator.mutate(&first, donors: [], using: &randomA)
        mutator.mutate(&second, donors: [], using: &randomB)
        #expect(first == second)
        var neighbour = FuzzRandom.forInput(seed: 9, iteration: 5)
        #expect(randomA.next() == randomB.next())
        #expect(neighbour.next() != randomB.next())
    }

    @Test("every text mutation changes the line", arguments: TextMutator.Kind.allCases)
    func textMutationsMutate(kind: TextMutator.Kind) {
        let mutator = TextMutator(donors: ["partition 1,2 | 3,4,5"],
                                  vocabulary: ["within", "--node"])
        var random = FuzzRandom(seed: 3)
        let line = "link 1->2 delay 20ms loss 10%"
        var changed = 0
        for _ in 0..<200 where mutator.apply(kind, to: line, using: &random) != line {
            changed += 1
        }
        #expect(changed >= 120, "\(kind) changed \(changed) of 200")
    }

    @Test("text mutations can reach the parser's line limit")
    func longLines() {
        let mutator = TextMutator(donors: ["put x 1"], vocabulary: ["x"], maximumBytes: 5_000)
        var random = FuzzRandom(seed: 4)
        var longest = 0
        for _ in 0..<3_000 {
            let line = mutator.mutate("put key value", using: &random)
            #expect(line.utf8.count <= 5_000)
            longest = max(longest, line.utf8.count)
        }
        #expect(longest > 4_096)
    }

    @Test("resealed WAL records carry valid checksums")
    func resealedRecordsAreValid() throws {
        let samples = try WALCorpus.samples()
        var random = FuzzRandom(seed: 5)
        for _ in 0..<300 {
            let log = WALMutations.resealed(random.pick(samples).log, using: &random)
            let payloads = WALRecords.payloads(in: log)
            #expect(payloads.map(WALRecords.sealed).flatMap { $0 } == log)
        }
        // The framing read back matches the real log's framing of a real sample.
        let real = try #require(samples.last?.log)
        #expect(WALRecords.payloads(in: real).flatMap(WALRecords.sealed) == real)
    }

    @Test("CRC-32C matches the standard check value")
    func checksum() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test("JSON mutations keep most bodies JSON-like and sometimes nest deeply")
    func jsonMutations() {
        var random = FuzzRandom(seed: 6)
        var deepest = 0
        for _ in 0..<500 {
            var body = Array(#"{"a":1,"b":"x"}"#.utf8)
            JSONMutator().mutate(&body, using: &random)
            deepest = max(deepest, body.prefix { $0 == UInt8(ascii: "[") }.count)
        }
        #expect(deepest >= 500)
    }
}
