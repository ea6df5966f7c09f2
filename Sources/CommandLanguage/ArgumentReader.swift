/// Reads one command's arguments in order, turning every mistake into a `CommandError` that carries
/// the command's usage line.
struct ArgumentReader {
    /// The arguments, after the command name (and, later, before any trailing clause).
    private let tokens: ArraySlice<Token>
    private var index: Int
    /// Column one past the end of the line, for errors about missing input.
    let endColumn: Int
    /// Usage line of the command being read.
    let usage: String
    /// Highest valid node id: the cluster size when known, else 9.
    let nodeIdMax: Int
    /// True when `nodeIdMax` is the known cluster size rather than the language's limit.
    let isNodeCountKnown: Bool

    init(tokens: ArraySlice<Token>, endColumn: Int, usage: String, nodeCount: Int?) {
        self.tokens = tokens
        self.index = tokens.startIndex
        self.endColumn = endColumn
        self.usage = usage
        // Clamped: no cluster is larger than the language can name, and none is smaller than empty.
        self.nodeIdMax = min(max(nodeCount ?? Limits.nodeCountMax, 0), Limits.nodeCountMax)
        self.isNodeCountKnown = nodeCount != nil
    }

    /// True when every argument has been read.
    var isAtEnd: Bool { index == tokens.endIndex }

    /// The next argument, without reading it.
    var peek: Token? { isAtEnd ? nil : tokens[index] }

    /// An error at `column` with this command's usage.
    func error(_ message: String, at column: Int) -> CommandError {
        CommandError(message: message, column: column, usage: usage)
    }

    /// Reads the next argument.
    /// - Parameter what: names the missing argument in the error, like "a node id".
    mutating func next(_ what: String) throws(CommandError) -> Token {
        guard let token = peek else { throw error("missing \(what)", at: endColumn) }
        index += 1
        return token
    }

    /// Reads the next argument, which must be bare (keywords and numbers are never quoted).
    mutating func nextBare(_ what: String) throws(CommandError) -> Token {
        let token = try next(what)
        guard !token.isQuoted else {
            throw error("expected \(what), found a quoted string", at: token.column)
        }
        return token
    }

    /// Succeeds only when no argument is left.
    func finish() throws(CommandError) {
        guard let extra = peek else { return }
        throw error("unexpected extra argument \(Display.quote(extra.text))", at: extra.column)
    }

    // MARK: Typed arguments

    /// Reads a node id or `leader`.
    mutating func nodeRef() throws(CommandError) -> NodeRef {
        let token = try nextBare("a node id or leader")
        if token.text == "leader" { return .leader }
        return .id(try checkedNodeId(token.text[...], at: token.column, orLeader: true))
    }

    /// Reads a node id (never `leader`).
    /// - Parameter leaderReason: why `leader` is refused here, when it could be mistaken for valid.
    mutating func nodeId(leaderReason: String? = nil) throws(CommandError) -> Int {
        let token = try nextBare("a node id")
        if token.text == "leader", let leaderReason {
            throw error("takes a node id, not leader: \(leaderReason)", at: token.column)
        }
        return try checkedNodeId(token.text[...], at: token.column, orLeader: false)
    }

    /// Checks that `text` is a node id within range.
    func checkedNodeId(
        _ text: Substring,
        at column: Int,
        orLeader: Bool
    ) throws(CommandError) -> Int {
        let expected = orLeader ? "a node id or leader" : "a node id"
        switch NumberSyntax.wholeNumber(text) {
        case .value(let id):
            return try checkedNodeId(id, at: column)
        case .negative, .tooLarge:
            throw error("no node \(Display.quote(text)): \(nodeRangeText)", at: column)
        case .invalid:
            throw error("expected \(expected), found \(Display.quote(text))", at: column)
        }
    }

    /// Checks that `id` is within range.
    func checkedNodeId(_ id: Int, at column: Int) throws(CommandError) -> Int {
        guard id >= 1, id <= nodeIdMax else {
            throw error("no node \(id): \(nodeRangeText)", at: column)
        }
        return id
    }

    private var nodeRangeText: String {
        if nodeIdMax < 1 { return "the cluster has no nodes" }
        if nodeIdMax == 1 { return "the only node is 1" }
        let cluster = isNodeCountKnown ? "in this cluster " : ""
        return "node ids \(cluster)are 1 to \(nodeIdMax)"
    }

    /// Reads a whole number within `range`.
    /// - Parameter what: names the number in errors, like "a message count".
    mutating func wholeNumber(
        _ what: String,
        in range: ClosedRange<Int>
    ) throws(CommandError) -> Int {
        let token = try nextBare(what)
        let outOfRange = "\(what) must be \(range.lowerBound) to \(range.upperBound)"
        switch NumberSyntax.wholeNumber(token.text[...]) {
        case .value(let value):
            guard range.contains(value) else {
                throw error("\(outOfRange), not \(value)", at: token.column)
            }
            return value
        case .negative, .tooLarge:
            throw error("\(outOfRange), not \(Display.quote(token.text))", at: token.column)
        case .invalid:
            throw error("expected \(what), found \(Display.quote(token.text))", at: token.column)
        }
    }

    /// Reads a duration like `500ms`, `2s`, `1.5s` or `1m`, in milliseconds, within `range`.
    /// - Parameter droppingSign: the token starts with `+` or `-`, which the caller reads itself.
    mutating func duration(
        _ what: String,
        in range: ClosedRange<Int>,
        droppingSign: Bool = false
    ) throws(CommandError) -> Int {
        let token = try nextBare(what)
        let shown = Display.quote(token.text)
        let message: String
        switch DurationSyntax.milliseconds(droppingSign ? token.text.dropFirst() : token.text[...]) {
        case .success(let milliseconds):
            if range.contains(milliseconds) { return milliseconds }
            message = "\(what) must be \(DurationSyntax.text(milliseconds: range.lowerBound)) to "
                + "\(DurationSyntax.text(milliseconds: range.upperBound)), not \(shown)"
        case .failure(.negative):
            message = "\(what) must not be negative, not \(shown)"
        case .failure(.missingUnit):
            message = "\(shown) needs a unit: ms, s or m (like 500ms or 2s)"
        case .failure(.unknownUnit(let unit)):
            message = "unknown unit \(Display.quote(unit)) in \(shown): use ms, s or m"
        case .failure(.notANumber):
            message = "expected \(what) like 500ms, 2s, 1.5s or 1m, found \(shown)"
        case .failure(.tooLong):
            message = "\(what) \(shown) is too long: at most "
                + DurationSyntax.text(milliseconds: range.upperBound)
        case .failure(.fractionalMilliseconds):
            message = "\(what) \(shown) is not a whole number of milliseconds"
        }
        throw error(message, at: token.column)
    }

    /// Reads a percentage like `10%` or `0.5%`, from 0 to 100.
    mutating func percent(_ what: String) throws(CommandError) -> Double {
        let token = try nextBare(what)
        let shown = Display.quote(token.text)
        let outOfRange = "\(what) must be 0% to 100%, not \(shown)"
        guard token.text.last == "%" else {
            throw error("expected \(what) like 10%, found \(shown)", at: token.column)
        }
        switch NumberSyntax.decimal(token.text.dropLast()) {
        case .value(let decimal):
            let value = decimal.doubleValue
            guard value <= 100 else { throw error(outOfRange, at: token.column) }
            return value
        case .negative, .tooLarge:
            throw error(outOfRange, at: token.column)
        case .invalid:
            throw error("expected \(what) like 10%, found \(shown)", at: token.column)
        }
    }

    /// Reads a key or value: any word, bare or quoted.
    mutating func text(_ what: String) throws(CommandError) -> String {
        try next(what).text
    }

    /// Reads a key: any non-empty word.
    mutating func key() throws(CommandError) -> String {
        let token = try next("a key")
        guard !token.text.isEmpty else { throw error("a key must not be empty", at: token.column) }
        return token.text
    }
}

/// Limits of the language.
enum Limits {
    /// Largest cluster: node ids are single digits.
    static let nodeCountMax = 9
    /// Most messages one `step` delivers.
    static let stepCountMax = 10_000
    /// Longest `sleep` or `wait … within`.
    static let waitMsMax = 3_600_000
    /// Longest link delay or jitter.
    static let linkDelayMsMax = 60_000
    /// Smallest and largest pace factors (multipliers of real timer durations).
    static let paceFactorMin = 0.1
    static let paceFactorMax = 100.0
}

/// Showing user input inside one-line messages.
enum Display {
    /// Longest piece of input quoted in a message, in characters.
    static let quotedCharactersMax = 24

    /// `text` in backquotes, shortened, with control characters and line breaks made visible.
    static func quote(_ text: some StringProtocol) -> String {
        var shown = ""
        for (offset, character) in text.enumerated() {
            guard offset < quotedCharactersMax else {
                shown += "…"
                break
            }
            shown += visible(character)
        }
        return "`\(shown)`"
    }

    /// A character as it can safely appear in one line of text.
    static func visible(_ character: Character) -> String {
        if character == " " { return " " }
        if character.isWhitespace || character.unicodeScalars.contains(where: isControl) {
            return character.unicodeScalars.map { "\\u{\(String($0.value, radix: 16))}" }.joined()
        }
        return String(character)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
            || scalar.properties.generalCategory == .lineSeparator
            || scalar.properties.generalCategory == .paragraphSeparator
    }
}
