/// Parses lines of the command language.
public enum CommandParser {
    /// Parses one line.
    ///
    /// - Parameters:
    ///   - line: one line of input, without its line break.
    ///   - nodeCount: the size of the running cluster; node ids are checked against `1...nodeCount`
    ///     when given (and a partition must then list every node), else against `1...9`.
    /// - Returns: the command, or nil for a blank line or a comment (first non-blank
    ///   character `#`).
    /// - Throws: `CommandError` with a one-line message, the column, and the command's usage
    ///   when the command is known.
    public static func parse(
        _ line: String,
        nodeCount: Int? = nil
    ) throws(CommandError) -> Command? {
        guard line.utf8.count <= Tokenizer.lineBytesMax else {
            throw CommandError(
                message: "line is too long: at most \(Tokenizer.lineBytesMax) bytes",
                column: 1
            )
        }
        guard let first = line.first(where: { !$0.isWhitespace }), first != "#" else { return nil }
        let tokens: [Token]
        do {
            tokens = try Tokenizer.tokenize(line)
        } catch {
            throw withUsage(error, line: line)
        }
        assert(!tokens.isEmpty, "a line with a non-blank character has a token")
        let name = try commandName(tokens[0])
        // A trailing `as NAME` is split off here, so each command's parser sees only its own arguments.
        var arguments = tokens[1...]
        var client: Token?
        if arguments.count >= 3, let marker = arguments.dropLast().last, marker.text == "as", !marker.isQuoted {
            client = arguments.last
            arguments = arguments.dropLast(2)
        } else if arguments.count >= 5, name == .wait {
            // `wait elected NAME as C within D`, as the issue writes it, as well as `… within D as C`.
            let tail = Array(arguments.suffix(4))
            if tail[0].text == "as", !tail[0].isQuoted, tail[2].text == "within", !tail[2].isQuoted {
                client = tail[1]
                arguments = arguments.dropLast(4) + [tail[2], tail[3]]
            }
        }
        var reader = ArgumentReader(
            tokens: arguments,
            endColumn: client.flatMap { client in
                arguments.last.map { $0.column < client.column } ?? true ? client.column - 3 : nil
            } ?? line.count + 1,
            usage: name.spec.usage,
            nodeCount: nodeCount
        )
        let command = try parseArguments(of: name, from: &reader)
        try reader.finish()
        guard let client else { return command }
        guard command.takesClient else {
            throw CommandError(message: "`\(name.rawValue)` does not take `as CLIENT`", column: client.column,
                               usage: name.spec.usage)
        }
        return .asClient(client.text, command)
    }

    /// The command a token names, or an error suggesting the closest name.
    private static func commandName(_ token: Token) throws(CommandError) -> CommandName {
        if !token.isQuoted, let name = CommandName(rawValue: token.text) { return name }
        var message = "unknown command \(Display.quote(token.text))"
        if let suggestion = Suggestion.closestName(to: token.text) {
            message += ", did you mean `\(suggestion)`?"
        }
        message += " (type `help` for the list)"
        throw CommandError(message: message, column: token.column)
    }

    /// Adds the usage of the line's command, when its first word names one, to a tokenizer error.
    private static func withUsage(_ error: CommandError, line: String) -> CommandError {
        let firstWord = line.split(whereSeparator: { $0.isWhitespace }).first ?? ""
        var error = error
        error.usage = CommandName(rawValue: String(firstWord))?.spec.usage
        return error
    }

    // One line per command; anything longer lives in a function of its own below.
    private static func parseArguments(
        of name: CommandName,
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Command {
        switch name {
        case .start: try parseStart(from: &reader)
        case .kill: try .kill(reader.nodeRef())
        case .pause: try .pause(reader.nodeRef())
        case .resume: try .resume(.id(reader.nodeId(leaderReason: "a paused node may not lead")))
        case .restart: try .restart(.id(reader.nodeId(leaderReason: "a stopped node is no leader")))
        case .wipe: try .wipe(.id(reader.nodeId(leaderReason: "name the node that loses its disk")))
        case .partition: try parsePartition(from: &reader)
        case .isolate: try .isolate(reader.nodeRef())
        case .transfer: try .transfer(to: reader.nodeId(leaderReason: "name the node that is to lead"))
        case .member: try .member(parseMember(from: &reader))
        case .cut: try parseCut(from: &reader)
        case .link: try parseLink(from: &reader)
        case .heal: .heal
        case .freeze: .freeze
        case .step: try .step(count: reader.isAtEnd ? 1 : reader.wholeNumber("a count", in: steps))
        case .thaw: .thaw
        case .pace: try .pace(parsePace(from: &reader))
        case .put: try parsePut(from: &reader)
        case .get: try parseGet(from: &reader)
        case .del: try .del(key: reader.key())
        case .cas: try .cas(key: reader.key(), old: reader.text("OLD"), new: reader.text("NEW"))
        case .status: .status
        case .log: try .log(reader.nodeRef())
        case .wait: try parseWait(from: &reader)
        case .sleep: try .sleep(ms: reader.duration("a duration", in: 0...Limits.waitMsMax))
        case .help: try parseHelp(from: &reader)
        case .quit: .quit
        case .timeout: try .timeout(reader.nodeRef())
        case .skew: try parseSkew(from: &reader)
        case .set: try parseSet(from: &reader)
        case .client: try parseClient(from: &reader)
        case .clients: .clients
        case .lock: try .lock(name: reader.text("a lock name"), ttlMs: parseTTL(from: &reader))
        case .unlock: try .unlock(name: reader.text("a lock name"))
        case .locks: .locks
        case .campaign:
            try .campaign(name: reader.text("an election name"), value: reader.text("a value"),
                          ttlMs: parseTTL(from: &reader))
        case .resign: try .resign(name: reader.text("an election name"))
        case .leader: try .electionLeader(name: reader.text("an election name"))
        case .check: .check
        case .back: try .back(messages: reader.isAtEnd ? 1 : reader.wholeNumber("a count", in: 1...1_000_000))
        case .seek: try parseSeek(from: &reader)
        case .show: try parseHeartbeats(shown: true, from: &reader)
        case .hide: try parseHeartbeats(shown: false, from: &reader)
        }
    }

    private static func parseStart(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        let nodes = try reader.wholeNumber("a node count", in: nodeCounts)
        guard let option = reader.peek, option.text.hasPrefix("--"), !option.isQuoted else {
            return .start(nodes: nodes)
        }
        _ = try reader.nextBare("--frozen")
        guard option.text == "--frozen" else {
            throw reader.error("expected --frozen, found \(Display.quote(option.text))", at: option.column)
        }
        return .start(nodes: nodes, frozen: true)
    }

    /// `show heartbeats` / `hide heartbeats`: the one thing they show or hide, for now.
    /// `seek 12.5s`, `seek 0`, `seek +3s`, `seek -3s`, `seek end`, `seek next`, `seek prev`.
    private static func parseSeek(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        guard let token = reader.peek else {
            throw reader.error("expected a time like 12.5s, +3s, -3s, end, next or prev", at: reader.endColumn)
        }
        switch token.text {
        case "end": _ = try reader.nextBare("end"); return .seek(.end)
        case "next": _ = try reader.nextBare("next"); return .seek(.event(forward: true))
        case "prev", "previous": _ = try reader.nextBare("prev"); return .seek(.event(forward: false))
        case "0": _ = try reader.nextBare("0"); return .seek(.at(ms: 0))
        default: break
        }
        let range = 0...Limits.waitMsMax
        if let sign = token.text.first, sign == "+" || sign == "-" {
            let ms = try reader.duration("a duration", in: range, droppingSign: true)
            return .seek(.by(ms: sign == "-" ? -ms : ms))
        }
        return .seek(.at(ms: try reader.duration("a time", in: range)))
    }

    private static func parseHeartbeats(shown: Bool, from reader: inout ArgumentReader) throws(CommandError)
        -> Command {
        let what = try reader.nextBare("heartbeats")
        guard what.text == "heartbeats" else {
            throw reader.error("expected heartbeats, found \(Display.quote(what.text))", at: what.column)
        }
        return .heartbeats(shown: shown)
    }

    private static func parsePut(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        let key = try reader.key()
        let value = try reader.text("a value")
        guard let option = reader.peek, option.text.hasPrefix("--"), !option.isQuoted else {
            return .put(key: key, value: value)
        }
        _ = try reader.nextBare("--fence")
        guard option.text == "--fence" else {
            throw reader.error("expected --fence TOKEN, found \(Display.quote(option.text))", at: option.column)
        }
        let token = try reader.wholeNumber("a fencing token", in: 0...Int(Int32.max))
        return .fencedPut(key: key, value: value, token: token)
    }

    /// An optional `ttl D` (1 ms to 60 m).
    private static func parseTTL(from reader: inout ArgumentReader) throws(CommandError) -> Int? {
        guard let word = reader.peek else { return nil }
        _ = try reader.nextBare("ttl")
        guard word.text == "ttl" else {
            throw reader.error("expected ttl D, found \(Display.quote(word.text))", at: word.column)
        }
        return try reader.duration("a lease time", in: 1...Limits.waitMsMax)
    }

    private static func parseClient(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        let verb = try reader.nextBare("pause or resume")
        guard verb.text == "pause" || verb.text == "resume" else {
            throw reader.error("expected pause or resume, found \(Display.quote(verb.text))", at: verb.column)
        }
        return .clientPause(try reader.text("a client name"), verb.text == "pause")
    }

    /// `member add|promote N|remove N|leader|list`. A promoted id goes up to the limit, not the size
    /// the parser was told: a member just added may not be in the caller's count yet (the back end
    /// checks). A removed member has been in the count for a while.
    private static func parseMember(from reader: inout ArgumentReader) throws(CommandError) -> MemberChange {
        let verb = try reader.nextBare("add, promote, remove or list")
        switch verb.text {
        case "add": return .add
        case "list": return .list
        case "promote": return .promote(try reader.wholeNumber("a node id", in: nodeCounts))
        case "remove": return .remove(try reader.nodeRef())
        default:
            throw reader.error("expected add, promote, remove or list, found \(Display.quote(verb.text))",
                               at: verb.column)
        }
    }

    private static func parseSkew(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        let node = try reader.nodeId(leaderReason: "name the node whose clock drifts")
        let token = try reader.nextBare("a factor")
        guard case .value(let decimal) = NumberSyntax.decimal(token.text[...]),
              (0.1...10).contains(decimal.doubleValue) else {
            throw reader.error("a skew factor must be 0.1 to 10, not \(Display.quote(token.text))",
                               at: token.column)
        }
        return .skew(node: node, factor: decimal.doubleValue)
    }

    private static func parseSet(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        let name = try reader.nextBare("prevote, checkquorum or fsync")
        guard let setting = Setting(rawValue: name.text) else {
            throw reader.error("expected prevote, checkquorum or fsync, found \(Display.quote(name.text))",
                               at: name.column)
        }
        let state = try reader.nextBare("on or off")
        switch state.text {
        case "on": return .set(setting, true)
        case "off": return .set(setting, false)
        default: throw reader.error("expected on or off, found \(Display.quote(state.text))", at: state.column)
        }
    }

    /// The shapes `partition` takes by name, besides groups of ids.
    static let partitionShapes = ["ring", "bridge"]

    /// `partition 1,2 | 3,4,5`, `partition ring [A,B,C,…]` or `partition bridge [N|leader] [between A,B | C,D]`.
    private static func parsePartition(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        guard let word = reader.peek, !word.isQuoted, word.text.allSatisfy(\.isLetter) else {
            return .partition(try reader.partitionGroups())
        }
        _ = try reader.nextBare("a shape")
        switch word.text {
        case "ring": return .partitionRing(order: try reader.ringOrder())
        case "bridge": return try parseBridge(from: &reader)
        default:
            var message = "unknown partition shape \(Display.quote(word.text))"
            if let suggestion = Suggestion.closest(to: word.text, among: partitionShapes) {
                message += ", did you mean `\(suggestion)`?"
            }
            throw reader.error(message + " (ring, bridge, or groups like 1,2 | 3,4,5)", at: word.column)
        }
    }

    private static func parseBridge(from reader: inout ArgumentReader) throws(CommandError) -> Command {
        if reader.isNodeCountKnown, reader.nodeIdMax < 3 {
            throw reader.error("a bridge needs at least 3 nodes", at: reader.peek?.column ?? reader.endColumn)
        }
        guard !reader.isAtEnd else { return .partitionBridge(node: nil, halves: nil) }
        let node = try reader.nodeRef()
        guard let word = reader.peek else { return .partitionBridge(node: node, halves: nil) }
        _ = try reader.nextBare("between")
        guard word.text == "between" else {
            throw reader.error("expected between A,B | C,D, found \(Display.quote(word.text))", at: word.column)
        }
        guard case .id(let id) = node else {
            throw reader.error("halves need the bridge by id, not leader: the leader may be in a half",
                               at: word.column)
        }
        return .partitionBridge(node: node, halves: try reader.bridgeHalves(bridge: id))
    }

    private static let nodeCounts = 1...Limits.nodeCountMax
    private static let steps = 1...Limits.stepCountMax

    private static func parseCut(
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Command {
        let link = try reader.directedLink()
        return .cut(from: link.from, to: link.to)
    }

    private static func parseLink(
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Command {
        let link = try reader.directedLink()
        var settings = LinkSettings()
        while let token = reader.peek {
            let setting = try reader.nextBare("a link setting")
            let delays = 0...Limits.linkDelayMsMax
            let twice = reader.error(
                "\(Display.quote(setting.text)) is given twice",
                at: token.column
            )
            switch setting.text {
            case "delay":
                guard settings.delayMs == nil else { throw twice }
                settings.delayMs = try reader.duration("a delay", in: delays)
            case "jitter":
                guard settings.jitterMs == nil else { throw twice }
                settings.jitterMs = try reader.duration("a jitter", in: delays)
            case "loss":
                guard settings.lossPercent == nil else { throw twice }
                settings.lossPercent = try reader.percent("a loss percentage")
            case "dup":
                guard settings.duplicatePercent == nil else { throw twice }
                settings.duplicatePercent = try reader.percent("a duplicate percentage")
            default:
                throw reader.error(
                    "unknown link setting \(Display.quote(setting.text)): "
                        + "use delay, jitter, loss or dup",
                    at: setting.column
                )
            }
        }
        guard !settings.isEmpty else {
            throw reader.error(
                "missing a setting: delay, jitter, loss or dup",
                at: reader.endColumn
            )
        }
        return .link(from: link.from, to: link.to, settings)
    }

    private static func parsePace(
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Pace {
        let token = try reader.nextBare("teach, real or a factor")
        switch token.text {
        case "teach": return .teach
        case "real": return .real
        default: break
        }
        let range = "a factor must be \(Limits.paceFactorMin) to \(Limits.paceFactorMax)"
        switch NumberSyntax.decimal(token.text[...]) {
        case .value(let decimal):
            let factor = decimal.doubleValue
            guard factor >= Limits.paceFactorMin, factor <= Limits.paceFactorMax else {
                throw reader.error("\(range), not \(token.text)", at: token.column)
            }
            return .factor(factor)
        case .negative, .tooLarge:
            throw reader.error("\(range), not \(Display.quote(token.text))", at: token.column)
        case .invalid:
            throw reader.error(
                "expected teach, real or a factor like 0.5, found \(Display.quote(token.text))",
                at: token.column
            )
        }
    }

    private static func parseGet(
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Command {
        if let first = reader.peek, !first.isQuoted, first.text.hasPrefix("--") {
            throw reader.error(
                "expected a key before the options (quote a key that starts with --)",
                at: first.column
            )
        }
        let key = try reader.key()
        var isStale = false
        var node: Int?
        while let option = reader.peek {
            _ = try reader.nextBare("an option")
            let twice = reader.error(
                "\(Display.quote(option.text)) is given twice",
                at: option.column
            )
            switch option.text {
            case "--stale":
                guard !isStale else { throw twice }
                isStale = true
            case "--node":
                guard node == nil else { throw twice }
                node = try reader.nodeId(leaderReason: "a stale read names the replica it reads")
            default:
                throw reader.error(
                    "unknown option \(Display.quote(option.text)): use --stale --node N",
                    at: option.column
                )
            }
        }
        guard isStale == (node != nil) else {
            let missing = isStale ? "--stale needs --node N" : "--node N needs --stale"
            throw reader.error("\(missing): a stale read names its replica", at: reader.endColumn)
        }
        return .get(key: key, staleNode: node)
    }

    private static func parseWait(
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Command {
        let target = try reader.nextBare("what to wait for (leader or elected)")
        var election: String?
        switch target.text {
        case "leader": break
        case "elected": election = try reader.text("an election name")
        default:
            throw reader.error(
                "can only wait for leader or elected NAME, not \(Display.quote(target.text))",
                at: target.column
            )
        }
        var limit: Int?
        if let within = reader.peek {
            _ = try reader.nextBare("within")
            guard within.text == "within" else {
                throw reader.error(
                    "expected within, found \(Display.quote(within.text))",
                    at: within.column
                )
            }
            limit = try reader.duration("a time limit", in: 1...Limits.waitMsMax)
        }
        if let election { return .waitElected(name: election, withinMs: limit) }
        return .waitLeader(withinMs: limit)
    }

    private static func parseHelp(
        from reader: inout ArgumentReader
    ) throws(CommandError) -> Command {
        guard let topic = reader.peek else { return .help(topic: nil) }
        _ = try reader.nextBare("a command name")
        guard CommandName(rawValue: topic.text) != nil else {
            var message = "no help for \(Display.quote(topic.text)): not a command"
            if let suggestion = Suggestion.closestName(to: topic.text) {
                message += ", did you mean `\(suggestion)`?"
            }
            throw reader.error(message, at: topic.column)
        }
        return .help(topic: topic.text)
    }
}
