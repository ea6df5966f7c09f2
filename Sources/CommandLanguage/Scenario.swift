/// One step of a scenario (`demos/*.deck`): a command, a caption, a pause for the viewer, or an
/// expectation that must hold.
public enum ScenarioStep: Equatable, Sendable {
    case command(Command)
    /// `say "caption"`.
    case say(String)
    /// `pause`: wait for the viewer (headless: go on).
    case pause
    case expect(Expectation)
    /// `bug NAME`: start the cluster with a Raft rule dropped (a bug knob); only before the first command.
    case bug(String)
    /// `engine …`, `protocol …`, `simulate SEED`: what the deck needs from its cluster (header only).
    case need(DeckNeed)
    /// `pick NAME = ROLE`: name a node by the role it has when the line runs (`pick cut = follower`);
    /// later lines say `$cut` wherever a node id goes, so a lesson never depends on a lucky id.
    case pick(name: String, role: String)
}

/// What an `expect` line checks. Each is retried until it holds or its time limit passes.
extension ScenarioStep {
    /// The commands this step runs: its own, or the one an `expect` checks with.
    public var commands: [Command] {
        switch self {
        case .command(let command), .expect(.fails(let command)), .expect(.value(let command, _, _)):
            [command]
        case .say, .pause, .bug, .need, .pick, .expect(.leaderIn), .expect(.role), .expect(.lockHolder),
             .expect(.electionLeader):
            []
        }
    }
}

public enum Expectation: Equatable, Sendable {
    /// `expect get K [--stale --node N] == V [within D]` (V `none`: the key is absent).
    case value(get: Command, equals: String?, withinMs: Int?)
    /// `expect leader in 3,4,5 [within D]`.
    case leaderIn([Int], withinMs: Int?)
    /// `expect role N == follower [within D]` (roles: leader, follower, candidate, pre-candidate, down,
    /// paused).
    case role(node: Int, role: String, withinMs: Int?)
    /// `expect locks L holder == NAME [within D]` (NAME `none`: free).
    case lockHolder(lock: String, holder: String?, withinMs: Int?)
    /// `expect elected E == NAME [within D]`: client NAME leads election E (NAME `none`: nobody).
    case electionLeader(election: String, client: String?, withinMs: Int?)
    /// `expect fails COMMAND`: the command must be refused (a fenced write, a failed cas…).
    case fails(Command)
}

/// One parsed line of a scenario file.
public struct ScenarioLine: Equatable, Sendable {
    public var line: Int
    public var text: String
    public var step: ScenarioStep
    /// The `$NAME` node references the line uses: it is parsed again with their ids when it runs.
    public var references: [String] = []

    public init(line: Int, text: String, step: ScenarioStep, references: [String] = []) {
        self.line = line
        self.text = text
        self.step = step
        self.references = references
    }
}

/// A scenario that cannot run: where and why.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }
}

/// Parses scenario files: every line before anything starts, so a typo never stops a lesson halfway.
public enum ScenarioParser {
    static let roles = ["leader", "follower", "candidate", "pre-candidate", "learner", "primary", "replica", "down",
                        "paused", "removed"]

    public static func parse(_ text: String, file: String, nodeCount: Int?) throws(ScenarioError) -> [ScenarioLine] {
        var steps: [ScenarioLine] = []
        var started = false
        var picked: Set<String> = []
        for (offset, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw)
            do throws(CommandError) {
                let references = try NodeReferences.find(in: line, known: picked)
                // Checked up front with a stand-in id; the real one is known only when the line runs.
                let stand = NodeReferences.standingInForPicks(line)
                guard let step = try parseLine(stand, nodeCount: nodeCount) else { continue }
                switch step {
                case .bug where started:
                    throw CommandError(message: "`bug` must come before the first command (the cluster "
                        + "starts with it)", column: 1, usage: "bug NAME")
                case .need(let need) where started:
                    throw CommandError(message: "`\(need.text)` must come before the first command (the "
                        + "cluster is chosen by it)", column: 1)
                case .bug, .say, .need, .command(.start): break
                case .pick(let name, _):
                    picked.insert(name)
                    started = true
                case .command, .pause, .expect: started = true
                }
                steps.append(ScenarioLine(line: offset + 1, text: line.trimmingSpaces, step: step,
                                          references: references))
            } catch {
                let message = error.usage.map { "\(error.message) (usage: \($0))" } ?? error.message
                throw ScenarioError(file: file, line: offset + 1, column: error.column, message: message)
            }
        }
        return steps
    }

    /// Parses one line as it runs (after its `$NAME` references were replaced); nil for a blank line.
    public static func parseStep(_ line: String, nodeCount: Int?) throws(CommandError) -> ScenarioStep? {
        try parseLine(line, nodeCount: nodeCount)
    }

    static func parseLine(_ line: String, nodeCount: Int?) throws(CommandError) -> ScenarioStep? {
        let tokens = try Tokenizer.tokenize(line)
        guard let first = tokens.first, !first.isQuoted, !first.text.hasPrefix("#") else {
            return try CommandParser.parse(line, nodeCount: nodeCount).map(ScenarioStep.command)
        }
        if let need = try DeckNeed.parse(tokens) { return .need(need) }
        switch first.text {
        case "say":
            guard tokens.count == 2 else {
                throw CommandError(message: "say takes one quoted caption", column: first.column,
                                   usage: "say \"caption\"")
            }
            return .say(tokens[1].text)
        case "pause" where tokens.count == 1:
            return .pause
        case "pick":
            return try parsePick(tokens)
        case "bug":
            guard tokens.count == 2, !tokens[1].text.isEmpty else {
                throw CommandError(message: "bug takes the name of one knob (clusterdeck sim --list-bugs)",
                                   column: first.column, usage: "bug NAME")
            }
            return .bug(tokens[1].text)
        case "expect":
            return .expect(try parseExpectation(line, tokens: Array(tokens.dropFirst()), nodeCount: nodeCount))
        default:
            return try CommandParser.parse(line, nodeCount: nodeCount).map(ScenarioStep.command)
        }
    }

    private static let pickUsage = "pick NAME = leader|follower|candidate|pre-candidate|learner|primary|replica|down|"
        + "paused|removed"

    /// `pick NAME = ROLE`.
    private static func parsePick(_ tokens: [Token]) throws(CommandError) -> ScenarioStep {
        guard tokens.count == 4, tokens[2].text == "=", !tokens[2].isQuoted else {
            throw CommandError(message: "expected `pick NAME = ROLE`", column: tokens[0].column, usage: pickUsage)
        }
        let name = tokens[1]
        guard NodeReferences.isName(name.text), !name.isQuoted else {
            throw CommandError(message: "a pick's name is letters, digits, - and _ (like cut or old-leader)",
                               column: name.column, usage: pickUsage)
        }
        guard roles.contains(tokens[3].text) else {
            throw CommandError(message: "roles are \(roles.joined(separator: ", "))", column: tokens[3].column,
                               usage: pickUsage)
        }
        return .pick(name: name.text, role: tokens[3].text)
    }

    private static let usage = "expect get K == V | expect leader in 1,2 | expect role N == ROLE | "
        + "expect locks L holder == NAME | expect elected E == NAME | expect fails COMMAND  [within D]"

    private static func parseExpectation(_ line: String, tokens: [Token], nodeCount: Int?)
        throws(CommandError) -> Expectation {
        guard let kind = tokens.first else { throw CommandError(message: "expect what?", column: 1, usage: usage) }
        switch kind.text {
        case "fails":
            let restStart = kind.column + kind.text.count - 1
            let rest = String(line.dropFirst(restStart))
            let parsed = try parsing(at: restStart) { () throws(CommandError) in
                try CommandParser.parse(rest, nodeCount: nodeCount)
            }
            guard let command = parsed else {
                throw CommandError(message: "expect fails needs a command", column: kind.column, usage: usage)
            }
            return .fails(command)
        case "get":
            let (_, right, within) = try splitComparison(tokens, line: line)
            // The query as written, not rebuilt from tokens: quotes and escapes read back exactly.
            let equals = tokens.first { $0.text == "==" && !$0.isQuoted }?.column ?? line.count + 1
            let query = String(Array(line)[(kind.column - 1)..<(equals - 1)])
            let parsed = try parsing(at: kind.column - 1) { () throws(CommandError) in
                try CommandParser.parse(query, nodeCount: nodeCount)
            }
            guard let command = parsed, case .get = command else {
                throw CommandError(message: "expect get needs a get command", column: kind.column, usage: usage)
            }
            return .value(get: command, equals: right.text == "none" && !right.isQuoted ? nil : right.text,
                          withinMs: within)
        case "leader":
            guard tokens.count >= 3, tokens[1].text == "in" else {
                throw CommandError(message: "expected `leader in 1,2,3`", column: kind.column, usage: usage)
            }
            let ids = tokens[2].text.split(separator: ",").compactMap { Int($0) }
            guard !ids.isEmpty, ids.allSatisfy({ isNodeID($0, nodeCount: nodeCount) }) else {
                throw CommandError(message: "expected node ids like 3,4,5", column: tokens[2].column, usage: usage)
            }
            return .leaderIn(ids, withinMs: try within(Array(tokens.dropFirst(3))))
        case "role":
            let (left, right, within) = try splitComparison(tokens, line: line)
            guard left.count == 2, let node = Int(left[1].text), isNodeID(node, nodeCount: nodeCount) else {
                throw CommandError(message: "expected `role N == ROLE`", column: kind.column, usage: usage)
            }
            guard roles.contains(right.text) else {
                throw CommandError(message: "roles are \(roles.joined(separator: ", "))", column: right.column,
                                   usage: usage)
            }
            return .role(node: node, role: right.text, withinMs: within)
        case "locks":
            let (left, right, within) = try splitComparison(tokens, line: line)
            guard left.count == 3, left[2].text == "holder" else {
                throw CommandError(message: "expected `locks L holder == NAME`", column: kind.column, usage: usage)
            }
            return .lockHolder(lock: left[1].text, holder: right.text == "none" ? nil : right.text,
                               withinMs: within)
        case "elected":
            let (left, right, within) = try splitComparison(tokens, line: line)
            guard left.count == 2 else {
                throw CommandError(message: "expected `elected E == NAME`", column: kind.column, usage: usage)
            }
            return .electionLeader(election: left[1].text, client: right.text == "none" ? nil : right.text,
                                   withinMs: within)
        default:
            throw CommandError(message: "cannot expect \(Display.quote(kind.text))", column: kind.column,
                               usage: usage)
        }
    }

    /// Runs `parse` on the part of a line that starts after its first `offset` characters, and
    /// moves an error's column to count from the start of the whole line.
    private static func parsing<T>(
        at offset: Int, _ parse: () throws(CommandError) -> T
    ) throws(CommandError) -> T {
        do {
            return try parse()
        } catch {
            var moved = error
            moved.column += offset
            throw moved
        }
    }

    /// Whether `id` names a node of a cluster of `nodeCount` (1...9 when unknown). A count below 1
    /// names no node; it must not trap (`1...0` is not a range).
    static func isNodeID(_ id: Int, nodeCount: Int?) -> Bool {
        id >= 1 && id <= (nodeCount ?? 9)
    }

    /// `LEFT… == RIGHT [within D]`.
    private static func splitComparison(_ tokens: [Token], line: String)
        throws(CommandError) -> ([Token], Token, Int?) {
        guard let equals = tokens.firstIndex(where: { $0.text == "==" && !$0.isQuoted }),
              equals + 1 < tokens.count else {
            throw CommandError(message: "expected `== VALUE`", column: tokens.last?.column ?? 1, usage: usage)
        }
        let within = try within(Array(tokens[(equals + 2)...]))
        return (Array(tokens[..<equals]), tokens[equals + 1], within)
    }

    private static func within(_ tokens: [Token]) throws(CommandError) -> Int? {
        guard let first = tokens.first else { return nil }
        guard first.text == "within", tokens.count == 2 else {
            throw CommandError(message: "expected `within D` at the end", column: first.column, usage: usage)
        }
        guard case .success(let milliseconds) = DurationSyntax.milliseconds(tokens[1].text[...]),
              milliseconds > 0 else {
            throw CommandError(message: "expected a duration like 5s", column: tokens[1].column, usage: usage)
        }
        return milliseconds
    }
}

/// `$NAME` references to nodes picked by role (`pick NAME = ROLE`).
public enum NodeReferences {
    /// Whether `text` can name a pick.
    static func isName(_ text: String) -> Bool {
        text.first?.isLetter == true && text.count <= 32 && text.allSatisfy(isNameCharacter)
    }

    /// The names a line refers to, in order of first use. Outside quotes a name never picked is an
    /// error at its column; inside quotes (a caption saying "node $cut") only picked names count.
    static func find(in line: String, known: Set<String>) throws(CommandError) -> [String] {
        var names: [String] = []
        for occurrence in occurrences(in: line) {
            guard known.contains(occurrence.name) else {
                if occurrence.quoted { continue }
                throw CommandError(message: "no node picked as $\(occurrence.name) (`pick \(occurrence.name) = "
                    + "follower` must come first)", column: occurrence.column)
            }
            if !names.contains(occurrence.name) { names.append(occurrence.name) }
        }
        return names
    }

    /// The line with every `$NAME` outside quotes replaced by node 1: what the parser checks before
    /// the real ids are known.
    public static func standingInForPicks(_ line: String) -> String {
        let names = occurrences(in: line).filter { !$0.quoted }.map(\.name)
        return substitute(in: line, ids: Dictionary(names.map { ($0, 1) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The line with every `$NAME` that has an id replaced by it.
    public static func substitute(in line: String, ids: [String: Int]) -> String {
        var result = ""
        var consumed = 0
        let characters = Array(line)
        for occurrence in occurrences(in: line) {
            guard let id = ids[occurrence.name] else { continue }
            let dollar = occurrence.column - 2
            result += String(characters[consumed..<dollar]) + "\(id)"
            consumed = dollar + 1 + occurrence.name.count
        }
        return result + String(characters[consumed...])
    }

    private struct Occurrence {
        /// 1-based column of the name (after the `$`).
        var column: Int
        var name: String
        var quoted: Bool
    }

    /// Every `$NAME` (a letter, then letters, digits, - and _) before a comment.
    private static func occurrences(in line: String) -> [Occurrence] {
        var found: [Occurrence] = []
        let characters = Array(line)
        var quoted = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\"", index == 0 || characters[index - 1] != "\\" { quoted.toggle() }
            if character == "#", !quoted { break }
            if character == "$", index + 1 < characters.count, characters[index + 1].isLetter {
                let name = String(characters[(index + 1)...].prefix(while: isNameCharacter))
                found.append(Occurrence(column: index + 2, name: name, quoted: quoted))
                index += name.count
            }
            index += 1
        }
        return found
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "-" || character == "_"
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    package var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// The text followed by spaces up to `width` (at least one space): a table column.
    package func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
