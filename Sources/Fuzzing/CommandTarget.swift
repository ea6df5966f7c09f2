import CommandLanguage

/// `CommandParser.parse(_:nodeCount:)` on mutated command lines and cluster sizes.
///
/// Properties: every line parses to nothing (blank, comment), a command, or a `CommandError`
/// with a non-empty one-line message, a column inside the line (or just past it) and a non-empty
/// usage when it has one; a parsed command writes back (`description`) to a line that parses to
/// the same command.
public struct CommandTarget: FuzzTarget {
    /// One line and the cluster size it is parsed against.
    public struct Input: Sendable {
        public var line: String
        public var nodeCount: Int?
    }

    public let name = "command"
    let mutator: TextMutator

    /// A target seeded with `TextCorpus.commandLines`.
    public init() {
        mutator = TextMutator(donors: TextCorpus.commandLines, vocabulary: TextCorpus.vocabulary)
    }

    static let nodeCounts: [Int?] = [nil, nil, nil, 3, 5, 9, 0, 1, 2, 7, 10, -1, Int.min, Int.max]

    public func makeInput(using random: inout FuzzRandom) -> Input {
        let nodeCount = random.pick(Self.nodeCounts)
        let seed = random.pick(mutator.donors)
        switch random.below(10) {
        case 0:
            return Input(line: seed, nodeCount: nodeCount)
        case 1:
            // Raw bytes, decoded as the shell would decode a line it cannot read as UTF-8.
            let bytes = (0..<random.int(in: 0...64)).map { _ in random.byte() }
            return Input(line: String(decoding: bytes, as: UTF8.self), nodeCount: nodeCount)
        case 2:
            let words = (0..<random.int(in: 1...8)).map { _ in random.pick(mutator.vocabulary) }
            return Input(line: words.joined(separator: " "), nodeCount: nodeCount)
        case 3, 4:
            return Input(line: mutator.mutate(seed, using: &random), nodeCount: nodeCount)
        default:
            // Keep the command word most of the time: an unknown command stops the parser at
            // its first word, before any argument reader runs.
            let words = seed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            let arguments = words.count > 1 ? String(words[1]) : ""
            let line = String(words.first ?? "") + " " + mutator.mutate(arguments, using: &random)
            return Input(line: line, nodeCount: nodeCount)
        }
    }

    public func run(_ input: Input) -> FuzzOutcome {
        Self.check(line: input.line, nodeCount: input.nodeCount)
    }

    /// Parses `line` and checks the properties; shared with the scenario target's command lines.
    static func check(line: String, nodeCount: Int?) -> FuzzOutcome {
        let command: Command?
        do {
            command = try CommandParser.parse(line, nodeCount: nodeCount)
        } catch {
            if let problem = problem(with: error, line: line) { return .violation(problem) }
            return .refused(OutcomeLabel.normalize(error.message))
        }
        guard let command else { return .accepted("blank or comment") }
        if let problem = roundTripProblem(command, nodeCount: nodeCount) {
            return .violation(problem)
        }
        return .accepted(String(command.description.prefix { $0 != " " }))
    }

    static func problem(with error: CommandError, line: String) -> String? {
        if error.message.isEmpty { return "empty error message" }
        if error.description.contains(where: \.isNewline) {
            return "error message is not one line: \(error.description.debugDescription)"
        }
        if error.column < 1 || error.column > line.count + 1 {
            return "error column \(error.column) is outside the line of \(line.count) characters"
        }
        if error.usage?.isEmpty == true { return "empty usage" }
        return nil
    }

    static func roundTripProblem(_ command: Command, nodeCount: Int?) -> String? {
        let line = command.description
        let again: Command?
        do {
            again = try CommandParser.parse(line, nodeCount: nodeCount)
        } catch {
            return "\(command) writes back as `\(line)`, which does not parse: \(error.message)"
        }
        guard again == command else {
            return "\(command) writes back as `\(line)`, which parses to "
                + String(describing: again)
        }
        return nil
    }

    public func size(of input: Input) -> Int { input.line.utf8.count }

    public func describe(_ input: Input) -> String {
        "nodeCount \(input.nodeCount.map(String.init) ?? "nil"), line "
            + Escaping.shortened(input.line.debugDescription)
    }
}

/// Renderings of inputs short enough for a terminal.
enum Escaping {
    static let maximumCharacters = 2_000

    static func shortened(_ text: String) -> String {
        guard text.count > maximumCharacters else { return text }
        return String(text.prefix(maximumCharacters)) + "… (\(text.count) characters)"
    }

    /// Bytes as hex, sixteen to a group.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for (index, byte) in bytes.prefix(maximumCharacters / 2).enumerated() {
            if index > 0 { text += index % 16 == 0 ? " | " : " " }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return bytes.count > maximumCharacters / 2 ? text + " … (\(bytes.count) bytes)" : text
    }
}
