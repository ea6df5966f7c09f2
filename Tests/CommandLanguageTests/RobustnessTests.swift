import Testing

@testable import CommandLanguage

/// SplitMix64: small, fast, and the same sequence for the same seed on every platform.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Makes lines that are mostly wrong in interesting ways.
struct LineFuzzer {
    var random: SeededGenerator

    static let characters: [Character] = Array(
        "abcdefghijklmnopqrstuvwxyz0123456789 \t\"\\,|->%.#_"
    ) + ["é", "🙂", "\u{301}", "\u{0}", "\n", "\r\n", "\u{200D}", "１", "٣", "−"]

    static let vocabulary: [String] = CommandHelp.commandNames + [
        "leader", "within", "delay", "jitter", "loss", "dup", "--stale", "--node", "teach", "real",
        "->", "|", ",", "1,2", "|3,4,5", "1->2", "0", "1", "2", "3", "5", "9", "10", "-1",
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "1.5", "0.5", ".5",
        "5ms", "2s", "1.5s", "1m", "-2s", "1.5ms", "1h", "60m", "0s", "10%", "0.5%", "101%", "-1%",
        "1e5%", "\"quoted value\"", "\"\"", "\"a\\\"b\"", "\"open", "\"bad\\q\"", "#", "as", "x",
    ]

    static let seedLines: [String] = ParsingTests.valid.map(\.0) + [
        "partition 1,2 | 3,4,5", "link 1->2 delay 20ms jitter 5ms loss 10% dup 1%",
        "get color --stale --node 3", "wait leader within 5s",
    ]

    mutating func line() -> String {
        let seedLine = Self.seedLines.randomElement(using: &random)!
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return randomCharacters()
        case 1: return tokenSoup()
        case 2: return mutated(seedLine)
        default: return wordSwapped(seedLine)
        }
    }

    mutating func randomCharacters() -> String {
        let count = Int.random(in: 0...40, using: &random)
        return String((0..<count).map { _ in Self.characters.randomElement(using: &random)! })
    }

    mutating func tokenSoup() -> String {
        let count = Int.random(in: 1...8, using: &random)
        var words = (0..<count).map { _ in Self.vocabulary.randomElement(using: &random)! }
        if Int.random(in: 0..<5, using: &random) > 0 {
            words[0] = CommandHelp.commandNames.randomElement(using: &random)!
        }
        return words.joined(separator: Bool.random(using: &random) ? " " : "  ")
    }

    /// `line` with one word replaced, inserted or removed.
    mutating func wordSwapped(_ line: String) -> String {
        var words = line.split(separator: " ").map(String.init)
        let word = Self.vocabulary.randomElement(using: &random)!
        let position = Int.random(in: 0...words.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0 where position > 0 && position < words.count: words[position] = word
        case 1 where position > 0 && position < words.count: words.remove(at: position)
        default: words.insert(word, at: max(position, 1))
        }
        return words.joined(separator: " ")
    }

    mutating func mutated(_ line: String) -> String {
        var characters = Array(line)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = Int.random(in: 0...characters.count, using: &random)
            let character = Self.characters.randomElement(using: &random)!
            switch Int.random(in: 0..<4, using: &random) {
            case 0: characters.insert(character, at: position)
            case 1 where position < characters.count: characters.remove(at: position)
            case 2 where position < characters.count: characters[position] = character
            default: characters = Array(characters.prefix(position))
            }
        }
        return String(characters)
    }
}

@Suite struct RobustnessTests {
    /// Fixed seeds keep the run reproducible; add a failing seed printed below to reproduce it.
    static let seeds: [UInt64] = [1, 2, 3, 0xC0FFEE]

    static let linesPerSeed = 5_000

    @Test(arguments: seeds + [UInt64.random(in: 0...UInt64.max)])
    func parseNeverCrashesAndErrorsAreClear(seed: UInt64) {
        var fuzzer = LineFuzzer(random: SeededGenerator(seed: seed))
        var failures = 0
        for _ in 0..<Self.linesPerSeed where failures < 5 {
            let line = fuzzer.line()
            let nodeCount: Int? = Bool.random(using: &fuzzer.random)
                ? nil : Int.random(in: 0...9, using: &fuzzer.random)
            if let problem = Self.problem(with: line, nodeCount: nodeCount) {
                failures += 1
                Issue.record("seed=\(seed) nodeCount=\(String(describing: nodeCount)): \(problem)")
            }
        }
    }

    /// What is wrong with how `line` parses, or nil.
    static func problem(with line: String, nodeCount: Int?) -> String? {
        switch parsed(line, nodeCount: nodeCount) {
        case .success(nil):
            return nil
        case .success(let command?):
            // Whatever parses must write back to a line that parses to the same command.
            let again = parsed(command.description, nodeCount: nodeCount)
            return again == .success(command)
                ? nil : "`\(line)` → \(command) → `\(command.description)` → \(again)"
        case .failure(let error):
            if error.message.isEmpty { return "`\(line)`: empty message" }
            if error.description.contains(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                return "`\(line)`: message is not one line: \(error.description)"
            }
            if error.column < 1 || error.column > line.count + 1 {
                return "`\(line)`: column \(error.column) is outside the line"
            }
            if error.usage?.isEmpty == true { return "`\(line)`: empty usage" }
            return nil
        }
    }

    @Test func completionsNeverCrash() {
        var fuzzer = LineFuzzer(random: SeededGenerator(seed: 7))
        for _ in 0..<2_000 {
            let line = fuzzer.line()
            for completion in CommandHelp.completions(for: line, nodeCount: 5) {
                #expect(completion.hasPrefix(line), "seed=7 line=`\(line)`")
            }
        }
    }

    @Test func extremeNodeCountsAreHandled() {
        for nodeCount in [Int.min, -1, 0, 1, 9, 10, Int.max] {
            for line in ["kill 1", "partition 1 | 2", "cut 1->2", "get x --stale --node 1"] {
                #expect(Self.problem(with: line, nodeCount: nodeCount) == nil)
            }
            _ = CommandHelp.completions(for: "partition ", nodeCount: nodeCount)
        }
    }
}

/// Makes valid commands with awkward contents: keys with quotes and spaces, tiny percentages.
struct CommandFuzzer {
    var random: SeededGenerator

    mutating func word() -> String {
        let pieces = ["a", " ", "\"", "\\", "--", "#", "é", "🙂", "as", "1,2", "->", "\t", "|"]
        let count = Int.random(in: 0...5, using: &random)
        return (0..<count).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    mutating func percent() -> Double {
        let scale = Int.random(in: 0...6, using: &random)
        let mantissa = Int.random(in: 0...100, using: &random)
        return Double(mantissa) / NumberSyntax.powerOfTen(scale)
    }

    mutating func id() -> Int { Int.random(in: 1...9, using: &random) }

    mutating func command() -> Command {
        let key = "k" + word()
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return .put(key: key, value: word())
        case 1: return .cas(key: key, old: word(), new: word())
        case 2: return .get(key: key, staleNode: Bool.random(using: &random) ? id() : nil)
        case 3:
            let settings = LinkSettings(
                delayMs: Int.random(in: 0...60_000, using: &random),
                lossPercent: percent(),
                duplicatePercent: Bool.random(using: &random) ? percent() : nil
            )
            let to = id()
            return .link(from: to == 1 ? 2 : 1, to: to, settings)
        case 4: return .pace(.factor(Double(Int.random(in: 10...10_000, using: &random)) / 100))
        case 5: return .sleep(ms: Int.random(in: 0...3_600_000, using: &random))
        case 6: return .waitLeader(withinMs: Int.random(in: 1...3_600_000, using: &random))
        default:
            let ids = Array(1...9).shuffled(using: &random)
            let split = Int.random(in: 1...8, using: &random)
            return .partition([Array(ids[..<split]), Array(ids[split...])])
        }
    }
}

extension RobustnessTests {
    @Test(arguments: seeds)
    func generatedCommandsWriteBackExactly(seed: UInt64) throws {
        var fuzzer = CommandFuzzer(random: SeededGenerator(seed: seed))
        for _ in 0..<2_000 {
            let command = fuzzer.command()
            let line = command.description
            #expect(parsed(line) == .success(command), "seed=\(seed) line=`\(line)`")
        }
    }
}
