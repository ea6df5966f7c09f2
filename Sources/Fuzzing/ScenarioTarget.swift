import CommandLanguage

/// `ScenarioParser.parse(_:file:nodeCount:)` on mutated lessons.
///
/// Properties: a scenario parses to steps or to a `ScenarioError` whose line is one of the
/// file's lines, whose column is inside that line (or just past it) and whose message is one
/// non-empty line; parsed steps come in line order, each from a line of the file; `bug` never
/// follows a step that starts the lesson; every command step writes back to a line that parses
/// to the same command.
public struct ScenarioTarget: FuzzTarget {
    /// A scenario's text and the cluster size it is parsed against.
    public struct Input: Sendable {
        public var text: String
        public var nodeCount: Int?
    }

    public let name = "scenario"
    let scenarios: [String]
    let lineMutator: TextMutator
    /// Lines longer than this many are not made: a lesson is a few dozen lines.
    static let linesMax = 400

    /// A target seeded with `TextCorpus.scenarios`.
    public init() {
        scenarios = TextCorpus.scenarios
        let lines = scenarios.flatMap { $0.split(separator: "\n").map(String.init) }
        lineMutator = TextMutator(donors: lines + TextCorpus.commandLines,
                                  vocabulary: TextCorpus.vocabulary + Self.stepWords)
    }

    static let stepWords = [
        "say", "pause", "expect", "bug", "==", "none", "in", "fails", "holder", "role", "get",
        "leader", "locks", "\"caption\"", "vote-twice", "follower", "within", "10s", "2,3",
    ]

    static let stepLines = [
        "say \"a caption\"", "pause", "bug vote-twice", "bug", "expect get x == 1",
        "expect get x --stale --node 2 == none within 2s", "expect leader in 1,2,3 within 5s",
        "expect role 2 == follower", "expect locks L holder == none", "expect fails put x 1",
        "expect fails", "expect", "start 3", "expect get \"a\\\"b\" == 1", "say", "say \"a\" \"b\"",
    ]

    public func makeInput(using random: inout FuzzRandom) -> Input {
        let nodeCount = random.pick(CommandTarget.nodeCounts)
        var lines = random.pick(scenarios).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if random.chance(1, in: 20) {
            let bytes = (0..<random.int(in: 0...256)).map { _ in random.byte() }
            return Input(text: String(decoding: bytes, as: UTF8.self), nodeCount: nodeCount)
        }
        for _ in 0..<random.smallCount(max: 8) {
            mutateLines(&lines, using: &random)
        }
        if lines.count > Self.linesMax { lines.removeLast(lines.count - Self.linesMax) }
        let separator = random.chance(1, in: 10) ? random.pick(["\r\n", "\r", "\n\n"]) : "\n"
        return Input(text: lines.joined(separator: separator), nodeCount: nodeCount)
    }

    private func mutateLines(_ lines: inout [String], using random: inout FuzzRandom) {
        let position = random.below(lines.count + 1)
        switch random.below(7) {
        case 0...1 where !lines.isEmpty:
            let index = random.below(lines.count)
            lines[index] = lineMutator.mutate(lines[index], using: &random)
        case 2:
            lines.insert(random.pick(Self.stepLines), at: position)
        case 3:
            lines.insert(random.pick(lineMutator.donors), at: position)
        case 4 where !lines.isEmpty:
            lines.remove(at: random.below(lines.count))
        case 5 where !lines.isEmpty:
            lines.swapAt(random.below(lines.count), random.below(lines.count))
        default:
            let other = random.pick(scenarios).split(separator: "\n").map(String.init)
            lines.insert(contentsOf: other.prefix(random.int(in: 0...other.count)), at: position)
        }
    }

    public func run(_ input: Input) -> FuzzOutcome {
        // The parser's own rule: any newline ends a line ("\r\n" and a lone "\r" included).
        let lines = input.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        do {
            let steps = try ScenarioParser.parse(
                input.text, file: "fuzz.deck", nodeCount: input.nodeCount)
            if let problem = Self.problem(with: steps, lines: lines, nodeCount: input.nodeCount) {
                return .violation(problem)
            }
            return .accepted(steps.isEmpty ? "no steps" : "steps")
        } catch {
            if let problem = Self.problem(with: error, lines: lines, nodeCount: input.nodeCount) {
                return .violation(problem)
            }
            return .refused(OutcomeLabel.normalize(error.message))
        }
    }

    static func problem(with error: ScenarioError, lines: [Substring], nodeCount: Int?) -> String? {
        guard (1...lines.count).contains(error.line) else {
            return "error on line \(error.line) of a file of \(lines.count) lines"
        }
        let line = lines[error.line - 1]
        if error.column < 1 || error.column > line.count + 1 {
            return "error column \(error.column) is outside line \(error.line) "
                + "(\(line.count) characters)"
        }
        if error.message.isEmpty { return "empty error message" }
        if error.description.contains(where: \.isNewline) {
            return "error message is not one line: \(error.description.debugDescription)"
        }
        return expectFailsColumnProblem(error, line: String(line), nodeCount: nodeCount)
    }

    /// An error inside the command of `expect fails COMMAND` or `expect get … == V` must point
    /// where the command parser points in that command, counted from the start of the line.
    static func expectFailsColumnProblem(
        _ error: ScenarioError, line: String, nodeCount: Int?
    ) -> String? {
        guard let (text, offset) = embeddedCommand(in: line) else { return nil }
        do {
            _ = try CommandParser.parse(text, nodeCount: nodeCount)
            return nil
        } catch let commandError {
            guard error.message.hasPrefix(commandError.message) else { return nil }
            let expected = commandError.column + offset
            guard error.column != expected else { return nil }
            return "expect: error at column \(error.column), but the command's error is at "
                + "column \(expected) of the line"
        }
    }

    /// The command inside `expect fails COMMAND` or `expect get K … == V` as written, and the
    /// number of characters before it; nil for other lines and for a get with several ` == `.
    static func embeddedCommand(in line: String) -> (text: String, offset: Int)? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count >= 3, words[0] == "expect" else { return nil }
        if words[1] == "fails", let failsEnd = line.range(of: "fails")?.upperBound {
            return (String(line[failsEnd...]), line.distance(from: line.startIndex, to: failsEnd))
        }
        let comparisons = line.ranges(of: " == ")
        guard words[1] == "get", comparisons.count == 1, let get = line.range(of: "get"),
              get.lowerBound < comparisons[0].lowerBound else { return nil }
        let end = line.index(after: comparisons[0].lowerBound)
        let offset = line.distance(from: line.startIndex, to: get.lowerBound)
        return (String(line[get.lowerBound..<end]), offset)
    }

    static func problem(
        with steps: [ScenarioLine], lines: [Substring], nodeCount: Int?
    ) -> String? {
        var previousLine = 0
        var started = false
        for step in steps {
            guard step.line > previousLine, step.line <= lines.count else {
                return "step on line \(step.line) after line \(previousLine) of \(lines.count)"
            }
            previousLine = step.line
            switch step.step {
            case .bug where started:
                return "`bug` on line \(step.line) accepted after the lesson started"
            case .need where started:
                return "a need on line \(step.line) accepted after the lesson started"
            case .bug, .say, .need, .command(.start): break
            case .command, .pause, .expect, .pick: started = true
            }
            for command in step.step.commands {
                if let problem = CommandTarget.roundTripProblem(command, nodeCount: nodeCount) {
                    return "line \(step.line): \(problem)"
                }
                let line = NodeReferences.standingInForPicks(String(lines[step.line - 1]))
                if let problem = embeddedProblem(command, line: line, nodeCount: nodeCount) {
                    return "line \(step.line): \(problem)"
                }
            }
        }
        return nil
    }

    /// The command of an `expect fails` or `expect get` step is what its text parses to alone.
    static func embeddedProblem(_ command: Command, line: String, nodeCount: Int?) -> String? {
        guard let (text, _) = embeddedCommand(in: line) else { return nil }
        let alone = try? CommandParser.parse(text, nodeCount: nodeCount)
        guard alone == command else {
            return "`\(text)` parses to \(String(describing: alone)) alone, "
                + "to \(command) in `\(line)`"
        }
        return nil
    }

    public func size(of input: Input) -> Int { input.text.utf8.count }

    public func describe(_ input: Input) -> String {
        "nodeCount \(input.nodeCount.map(String.init) ?? "nil"), text "
            + Escaping.shortened(input.text.debugDescription)
    }
}
