import ClientHistory

/// Hand-written JSON for the journal's three commonest lines — peer messages, node events and
/// client operations, nearly every line of a drill's journal — byte for byte what the journal's
/// `JSONEncoder` (sorted keys, slashes unescaped) writes. Foundation's coder spent about a quarter
/// of a simulated drill's CPU on them.
///
/// A fast path only: other events, and a message with a vote answer (a nested value, a handful per
/// election), return nil and the caller uses the coder. `JournalFastLinesTests` checks the
/// equivalence.
enum JournalFastLines {
    static func line(for event: ClusterEvent, t: Double) -> [UInt8]? {
        switch event {
        case .message(let record): message(record, t: t)
        case .node(let id, let event): node(id, event, t: t)
        case .client(let report): client(report, t: t)
        default: nil
        }
    }

    static func message(_ record: MessageRecord, t: Double) -> [UInt8]? {
        guard record.voteAnswer == nil else { return nil }
        let header = record.header
        var line = JSONLine(escapingSlashes: false)
        line.integer("code", Int(header.type.rawValue))
        line.integer("entries", header.entryCount)
        line.string("fate", record.fate.rawValue)
        line.integer("from", header.from)
        line.string("kind", header.typeName)
        line.seconds("t", t)
        line.integer("term", header.term)
        line.integer("to", header.to)
        line.string("type", "message")
        return line.finish()
    }

    static func node(_ id: NodeID, _ event: NodeEvent, t: Double) -> [UInt8] {
        var line = JSONLine(escapingSlashes: false)
        line.integer("index", event.index)
        line.string("kind", event.kind.rawValue)
        line.integer("node", id)
        line.seconds("t", t)
        line.integer("term", event.term)
        line.string("text", event.text)
        line.string("type", "node")
        return line.finish()
    }

    static func client(_ report: ClientReport, t: Double) -> [UInt8] {
        var line = JSONLine(escapingSlashes: false, capacity: 256)
        line.integer("node", report.node)
        line.object("operation", operation(report.operation))
        line.string("reason", report.reason)
        line.seconds("t", t)
        line.string("type", "client")
        return line.finish()
    }

    /// A history operation as its `Codable` conformance writes it (absent fields left out).
    static func operation(_ operation: HistoryOperation) -> JSONLine {
        var line = JSONLine(escapingSlashes: false)
        line.seconds("complete", operation.complete)
        line.string("f", operation.f)
        line.seconds("invoke", operation.invoke)
        line.string("key", operation.key)
        line.string("new", operation.new)
        line.string("old", operation.old)
        line.string("outcome", operation.outcome.rawValue)
        line.string("previous", operation.previous)
        line.string("process", operation.process)
        line.string("result", operation.result)
        line.bool("stale", operation.stale)
        line.integer("token", operation.token)
        line.integer("ttl", operation.ttlMs)
        line.string("value", operation.value)
        return line
    }
}
