/// Help texts and tab completion for the command language.
public enum CommandHelp {
    /// Every command word, in the order of the overview.
    public static var commandNames: [String] {
        CommandName.allCases.map(\.rawValue)
    }

    /// The help for one command: its usage line, a paragraph, and an example, separated by blank
    /// lines; nil when `name` is not a command.
    /// - Parameter name: a command word; letter case and surrounding spaces are ignored.
    public static func help(for name: String) -> String? {
        let trimmed = name.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard let command = CommandName(rawValue: trimmed.lowercased()) else { return nil }
        let spec = command.spec
        return "usage: \(spec.usage)\n\n\(spec.description)\n\nexample: \(spec.example)"
    }

    /// One line per command: its usage, padded to a column, then a summary; at most 80 columns.
    public static var overview: String {
        CommandName.allCases.map { command in
            let usage = command.spec.usage
            let paddingCount = max(overviewUsageWidth - usage.count, 0) + 2
            let padding = String(repeating: " ", count: paddingCount)
            return usage + padding + command.spec.summary
        }.joined(separator: "\n")
    }

    /// Usages up to this width line their summaries up; a longer one (`link`) pushes its own along.
    static let overviewUsageWidth = 24

    /// Completions of the word being typed at the end of `partialLine`: command names, node ids,
    /// and the keywords that can follow (`leader`, `within`, link settings, `get` options).
    ///
    /// - Parameters:
    ///   - partialLine: the line typed so far; the word to complete is the text after the last
    ///     space (or, within a node list, after the last `,`, `|` or `->`).
    ///   - nodeCount: the size of the running cluster; node ids offered are `1...nodeCount`.
    /// - Returns: whole lines, each `partialLine` with its last word completed, sorted as offered;
    ///   empty when nothing fits (or the line holds a quote).
    public static func completions(for partialLine: String, nodeCount: Int) -> [String] {
        guard !partialLine.contains("\""), partialLine.utf8.count <= Tokenizer.lineBytesMax else {
            return []
        }
        let endsWord = partialLine.last.map { !$0.isWhitespace } ?? false
        var words = partialLine.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        let current = endsWord ? words.removeLast() : ""
        let lineHead = String(partialLine.dropLast(current.count))
        let ids = (0..<min(max(nodeCount, 0), Limits.nodeCountMax)).map { String($0 + 1) }
        let context = Completion.Context(previous: words, current: current, nodeIds: ids)
        return Completion.candidates(in: context)
            .filter { $0.hasPrefix(current) && $0 != current }
            .map { lineHead + $0 }
    }
}

/// What can complete the current word, given the words before it.
enum Completion {
    struct Context {
        /// Complete words before the one being typed; the first is the command.
        var previous: [String]
        /// The word being typed, possibly empty.
        var current: String
        /// Node ids of the running cluster, as text.
        var nodeIds: [String]

        /// The argument being typed, counted from 0 after the command.
        var argumentIndex: Int { previous.count - 1 }
    }

    /// Whole-word candidates for `context.current`; the caller keeps those it prefixes.
    static func candidates(in context: Context) -> [String] {
        guard let first = context.previous.first else { return CommandHelp.commandNames }
        guard let command = CommandName(rawValue: first) else { return [] }
        let isFirstArgument = context.argumentIndex == 0
        switch command {
        case .kill, .pause, .isolate, .log, .timeout:
            return isFirstArgument ? context.nodeIds + ["leader"] : []
        case .skew:
            return isFirstArgument ? context.nodeIds : []
        case .set:
            return [Setting.allCases.map(\.rawValue), ["on", "off"]][safe: context.argumentIndex] ?? []
        case .client:
            return isFirstArgument ? ["pause", "resume"] : []
        case .member:
            return isFirstArgument ? ["add", "promote", "remove", "list"] : context.argumentIndex == 1 ? context.nodeIds : []
        case .clients, .lock, .unlock, .locks, .campaign, .resign, .leader:
            return []
        case .resume, .restart, .wipe, .transfer:
            return isFirstArgument ? context.nodeIds : []
        case .start:
            return [(1...Limits.nodeCountMax).map(String.init), ["--frozen"]][safe: context.argumentIndex] ?? []
        case .show, .hide:
            return isFirstArgument ? ["heartbeats"] : []
        case .partition:
            return partitionCandidates(in: context)
        case .cut:
            return linkEndCandidates(in: context)
        case .link:
            return linkCandidates(in: context)
        case .pace:
            return isFirstArgument ? ["teach", "real"] : []
        case .get:
            return getCandidates(in: context)
        case .wait:
            return [["leader", "elected"], ["within"]][safe: context.argumentIndex] ?? []
        case .help:
            return isFirstArgument ? CommandHelp.commandNames : []
        case .seek:
            return isFirstArgument ? ["end", "next", "prev"] : []
        case .heal, .freeze, .step, .thaw, .put, .del, .cas, .status, .sleep, .quit, .check, .back:
            return []
        }
    }

    /// Node ids or a shape first; after `ring`, ids in ring order; after `bridge`, the bridge, then
    /// `between` and the halves.
    private static func partitionCandidates(in context: Context) -> [String] {
        let arguments = context.previous.dropFirst()
        switch arguments.first {
        case nil:
            // A ring or a bridge needs three nodes: not offered where it would be refused.
            return nodeListCandidates(in: context)
                + (context.nodeIds.count >= 3 ? CommandParser.partitionShapes : [])
        case "ring":
            return nodeListCandidates(in: context)
        case "bridge":
            switch arguments.count {
            case 1: return context.nodeIds + ["leader"]
            case 2: return arguments.last == "leader" ? [] : ["between"]
            default: return nodeListCandidates(in: context)
            }
        default:
            return nodeListCandidates(in: context)
        }
    }

    /// The current word with its last node id completed, for ids not yet listed.
    private static func nodeListCandidates(in context: Context) -> [String] {
        let head = context.current[...]
        let cut = head.lastIndex { $0 == "," || $0 == "|" }.map { head.index(after: $0) }
        let kept = String(head[..<(cut ?? head.startIndex)])
        let listed = Set((context.previous.dropFirst() + [kept]).flatMap(numbers(in:)))
        return context.nodeIds.filter { !listed.contains($0) }.map { kept + $0 }
    }

    /// `A`, then `A->B` with B not A, for `cut` and the start of `link`.
    private static func linkEndCandidates(in context: Context) -> [String] {
        let typed = context.previous.dropFirst().joined() + context.current
        guard let arrow = typed.firstRange(of: "->") else {
            return context.argumentIndex == 0 ? context.nodeIds : []
        }
        let afterArrow = typed[arrow.upperBound...]
        // Only the second id can still be typed, and only inside the current word.
        guard afterArrow.count <= context.current.count else { return [] }
        let kept = String(context.current.dropLast(afterArrow.count))
        let from = String(typed[..<arrow.lowerBound])
        return context.nodeIds.filter { $0 != from }.map { kept + $0 }
    }

    private static func linkCandidates(in context: Context) -> [String] {
        let typed = context.previous.dropFirst().joined()
        guard let arrow = typed.firstRange(of: "->"), !typed[arrow.upperBound...].isEmpty else {
            return linkEndCandidates(in: context)
        }
        let settings = ["delay", "jitter", "loss", "dup"]
        guard let last = context.previous.last, !settings.contains(last) else { return [] }
        return settings.filter { !context.previous.contains($0) }
    }

    private static func getCandidates(in context: Context) -> [String] {
        guard context.argumentIndex >= 1 else { return [] }
        if context.previous.last == "--node" { return context.nodeIds }
        return ["--stale", "--node"].filter { !context.previous.contains($0) }
    }

    /// Runs of ASCII digits in `text`.
    private static func numbers(in text: String) -> [String] {
        text.split(whereSeparator: { NumberSyntax.asciiDigit($0) == nil }).map(String.init)
    }
}

extension Array {
    /// The element at `index`, or nil when out of bounds.
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
