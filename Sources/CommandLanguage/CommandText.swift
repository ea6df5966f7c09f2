// MARK: CustomStringConvertible

extension Command: CustomStringConvertible {
    /// The canonical line for this command, as the journal and history show it; parsing it gives
    /// the same command back.
    public var description: String {
        switch self {
        case .start(let nodes, let frozen): "start \(nodes)" + (frozen ? " --frozen" : "")
        case .kill(let node): "kill \(node)"
        case .pause(let node): "pause \(node)"
        case .resume(let node): "resume \(node)"
        case .restart(let node): "restart \(node)"
        case .wipe(let node): "wipe \(node)"
        case .partition(let groups):
            "partition " + groups.map { $0.map(String.init).joined(separator: ",") }
                .joined(separator: " | ")
        case .partitionRing(nil): "partition ring"
        case .partitionRing(let order?): "partition ring " + order.map(String.init).joined(separator: ",")
        case .partitionBridge(let node, let halves):
            "partition bridge" + (node.map { " \($0)" } ?? "")
                + (halves.map { " between " + $0.map { $0.map(String.init).joined(separator: ",") }
                    .joined(separator: " | ") } ?? "")
        case .isolate(let node): "isolate \(node)"
        case .transfer(let node): "transfer \(node)"
        case .member(.add): "member add"
        case .member(.list): "member list"
        case .member(.promote(let node)): "member promote \(node)"
        case .member(.remove(let node)): "member remove \(node)"
        case .cut(let from, let to): "cut \(from)->\(to)"
        case .link(let from, let to, let settings): "link \(from)->\(to)\(settings)"
        case .heal: "heal"
        case .freeze: "freeze"
        case .step(let count): "step \(count)"
        case .thaw: "thaw"
        case .pace(let pace): "pace \(pace)"
        case .put(let key, let value): "put \(quoted(key)) \(quoted(value))"
        case .get(let key, nil): "get \(quoted(key))"
        case .get(let key, let node?): "get \(quoted(key)) --stale --node \(node)"
        case .del(let key): "del \(quoted(key))"
        case .cas(let key, let old, let new): "cas \(quoted(key)) \(quoted(old)) \(quoted(new))"
        case .status: "status"
        case .log(let node): "log \(node)"
        case .waitLeader(nil): "wait leader"
        case .waitLeader(let milliseconds?):
            "wait leader within \(DurationSyntax.text(milliseconds: milliseconds))"
        case .sleep(let milliseconds): "sleep \(DurationSyntax.text(milliseconds: milliseconds))"
        case .help(nil): "help"
        case .help(let topic?): "help \(topic)"
        case .quit: "quit"
        case .timeout(let node): "timeout \(node)"
        case .skew(let node, let factor): "skew \(node) \(NumberSyntax.text(factor))"
        case .set(let setting, let on): "set \(setting.rawValue) \(on ? "on" : "off")"
        case .asClient(let name, let command): "\(command) as \(quoted(name))"
        case .clientPause(let name, let pause): "client \(pause ? "pause" : "resume") \(quoted(name))"
        case .clients: "clients"
        case .fencedPut(let key, let value, let token): "put \(quoted(key)) \(quoted(value)) --fence \(token)"
        case .lock(let name, let ttl): "lock \(quoted(name))" + ttlText(ttl)
        case .unlock(let name): "unlock \(quoted(name))"
        case .locks: "locks"
        case .campaign(let name, let value, let ttl): "campaign \(quoted(name)) \(quoted(value))" + ttlText(ttl)
        case .resign(let name): "resign \(quoted(name))"
        case .electionLeader(let name): "leader \(quoted(name))"
        case .waitElected(let name, nil): "wait elected \(quoted(name))"
        case .waitElected(let name, let milliseconds?):
            "wait elected \(quoted(name)) within \(DurationSyntax.text(milliseconds: milliseconds))"
        case .check: "check"
        case .back(let count): "back \(count)"
        case .seek(.at(0)): "seek 0"
        case .seek(.at(let ms)): "seek \(DurationSyntax.text(milliseconds: ms))"
        case .seek(.by(let ms)): "seek \(ms < 0 ? "-" : "+")\(DurationSyntax.text(milliseconds: abs(ms)))"
        case .seek(.end): "seek end"
        case .seek(.event(let forward)): "seek \(forward ? "next" : "prev")"
        case .heartbeats(let shown): "\(shown ? "show" : "hide") heartbeats"
        }
    }

    private func ttlText(_ milliseconds: Int?) -> String {
        milliseconds.map { " ttl \(DurationSyntax.text(milliseconds: $0))" } ?? ""
    }

    /// `word` as written in a line: bare when that reads back the same, else double-quoted.
    private func quoted(_ word: String) -> String {
        // A bare `as` would read back as the start of an `as NAME` clause, `ttl` and `within` as
        // options.
        let isBare = !word.isEmpty && !word.hasPrefix("-") && !["as", "ttl", "within"].contains(word)
            && !word.contains { $0.isWhitespace || $0 == "\"" || $0 == "\\" }
        if isBare { return word }
        var escaped = "\""
        for character in word {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "\""
    }
}

// MARK: CustomStringConvertible

extension NodeRef: CustomStringConvertible {
    /// `leader` or the node id.
    public var description: String {
        switch self {
        case .id(let id): "\(id)"
        case .leader: "leader"
        }
    }
}

// MARK: CustomStringConvertible

extension Pace: CustomStringConvertible {
    /// `teach`, `real` or the factor.
    public var description: String {
        switch self {
        case .teach: "teach"
        case .real: "real"
        case .factor(let factor): NumberSyntax.text(factor)
        }
    }
}

// MARK: CustomStringConvertible

extension LinkSettings: CustomStringConvertible {
    /// The settings given, each with a leading space: ` delay 20ms loss 10.0%`.
    public var description: String {
        var text = ""
        if let delayMs { text += " delay \(DurationSyntax.text(milliseconds: delayMs))" }
        if let jitterMs { text += " jitter \(DurationSyntax.text(milliseconds: jitterMs))" }
        if let lossPercent { text += " loss \(NumberSyntax.text(lossPercent))%" }
        if let duplicatePercent { text += " dup \(NumberSyntax.text(duplicatePercent))%" }
        return text
    }
}
