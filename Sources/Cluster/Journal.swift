import Foundation

/// One line of a journal (`--journal FILE.jsonl`): an event, a node's new view, or the cluster's new
/// settings, with its time in seconds since the run began. Flat, so `jq` and people can read it; the
/// `type` field says which of the optional fields are set (docs/JOURNAL.md).
public struct JournalEntry: Codable, Sendable, Equatable {
    /// "begin", "node", "started", "stopped", "action", "message", "client", "caption", "view",
    /// "summary".
    public var type: String
    public var t: Double
    public var node: NodeID?
    /// node: the event's kind ("role", "commit" …); message: the message type's name.
    public var kind: String?
    public var text: String?
    public var term: Term?
    public var index: LogIndex?
    public var pid: Int32?
    /// stopped, view: why the node is down.
    public var reason: String?
    public var from: NodeID?
    public var to: NodeID?
    /// message: the type code of the message header.
    public var code: UInt8?
    public var entries: Int?
    public var fate: String?
    /// message: a vote or pre-vote response's answer.
    public var vote: VoteReply?
    public var operation: HistoryRecord?
    /// view: "starting", "up", "paused" or "down".
    public var status: String?
    public var state: NodeState?
    public var summary: ClusterSummary?
    /// begin: the cluster size.
    public var nodes: Int?
    /// begin: what ran the cluster (`processes`, `simulation`); a journal without it came from processes.
    public var engine: String?
    /// caption: the lesson's file, and its step of `steps`.
    public var file: String?
    public var step: Int?
    public var steps: Int?

    init(type: String, t: Double) {
        self.type = type
        self.t = t
    }
}

// MARK: Writing

/// Writes the journal: every event as it is published, and each node's view and the cluster settings
/// whenever they change, so a replay can rebuild what the console showed at any moment. Past
/// `rotateBytes` the file moves to FILE.1 (replacing an older one) and a fresh FILE begins with the
/// cluster's state as of then, so the newest file always replays on its own and the disk use is
/// bounded by about twice the limit. Not thread-safe: one owner writes it (the engine's loop, or a
/// lock around it).
public final class Journal {
    private let path: String
    private let rotateBytes: Int
    private var file: FileHandle
    private var writtenBytes = 0
    /// Lines not yet written to the file.
    private var batch = LineBatch()
    private let encoder = JSONEncoder()
    private var nodeCount = 1
    private var lastViews: [NodeID: NodeView] = [:]
    private var lastSummary: ClusterSummary?

    /// Opens (truncates) `path`; nil when it cannot be created.
    public init?(path: String, rotateBytes: Int = .max) {
        guard let handle = Self.create(path) else { return nil }
        self.path = path
        self.rotateBytes = max(4_096, rotateBytes)
        file = handle
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Opens `path` to go on after its last line (no new `begin`); nil when it cannot be opened.
    init?(appendingTo path: String, nodes: Int, rotateBytes: Int = .max) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        self.path = path
        self.rotateBytes = max(4_096, rotateBytes)
        file = handle
        nodeCount = nodes
        writtenBytes = Int(handle.offsetInFile)
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    private static func create(_ path: String) -> FileHandle? {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { return nil }
        return FileHandle(forWritingAtPath: path)
    }

    /// The first line: how big the cluster is, and what ran it (`engine`: "etcd"; by default
    /// processes, or the simulation when the summary names a seed).
    public func begin(nodes: Int, summary: ClusterSummary, atSeconds seconds: Double = 0, engine: String? = nil) {
        nodeCount = nodes
        var entry = JournalEntry(type: "begin", t: rounded(seconds))
        entry.nodes = nodes
        entry.engine = engine ?? (summary.simulatedSeed == nil ? "processes" : "simulation")
        entry.summary = summary.withoutCounts
        lastSummary = entry.summary
        write(entry)
    }

    /// Writes one event.
    public func record(_ event: ClusterEvent, atSeconds seconds: Double) {
        let t = rounded(seconds)
        if let line = JournalFastLines.line(for: event, t: t) {
            append(line, t: t)
        } else {
            write(JournalEntry(event, t: t))
        }
        if writtenBytes > rotateBytes { rotate(atSeconds: seconds) }
    }

    /// Writes the views and settings that changed since the last call.
    public func noteChanges(views: [NodeView], summary: ClusterSummary, atSeconds seconds: Double) {
        for view in views where lastViews[view.id] != view {
            lastViews[view.id] = view
            write(JournalEntry(view: view, t: rounded(seconds)))
        }
        let settings = summary.withoutCounts
        if settings != lastSummary {
            lastSummary = settings
            var entry = JournalEntry(type: "summary", t: rounded(seconds))
            entry.summary = settings
            write(entry)
        }
    }

    /// Writes what is held back and closes the file.
    public func close() {
        flush()
        try? file.close()
    }

    /// Writes the lines held back so far.
    public func flush() {
        batch.write(to: file)
    }

    /// FILE becomes FILE.1; the new FILE starts with a `begin` line and every node's current view.
    private func rotate(atSeconds seconds: Double) {
        flush()
        try? file.close()
        let older = path + ".1"
        try? FileManager.default.removeItem(atPath: older)
        try? FileManager.default.moveItem(atPath: path, toPath: older)
        guard let handle = Self.create(path) else { return }
        file = handle
        writtenBytes = 0
        let views = lastViews.values.sorted { $0.id < $1.id }
        begin(nodes: nodeCount, summary: lastSummary ?? ClusterSummary(), atSeconds: seconds)
        for view in views { write(JournalEntry(view: view, t: rounded(seconds))) }
    }

    private func write(_ entry: JournalEntry) {
        guard let data = try? encoder.encode(entry) else { return }
        append(data, t: entry.t)
    }

    private func append(_ line: some Collection<UInt8>, t: Double) {
        batch.add(line, atSeconds: t, to: file)
        writtenBytes += line.count + 1
    }

    private func rounded(_ seconds: Double) -> Double {
        (seconds * 1_000_000).rounded() / 1_000_000
    }
}

extension ClusterSummary {
    /// The settings alone: the message counters change with every message, so they are not journaled
    /// as changes (the message lines carry them) and not part of a digest.
    var withoutCounts: ClusterSummary {
        var copy = self
        copy.delivered = 0
        copy.dropped = 0
        copy.heldMessages = 0
        return copy
    }
}

extension JournalEntry {
    init(_ event: ClusterEvent, t: Double) {
        switch event {
        case .node(let id, let frame):
            self.init(type: "node", t: t)
            node = id
            kind = frame.kind.rawValue
            text = frame.text
            term = frame.term
            index = frame.index
        case .nodeStarted(let id, let pid):
            self.init(type: "started", t: t)
            node = id
            self.pid = pid
        case .nodeStopped(let id, let reason):
            self.init(type: "stopped", t: t)
            node = id
            self.reason = reason
        case .action(let text):
            self.init(type: "action", t: t)
            self.text = text
        case .rewound(let rewind):
            self.init(type: "action", t: t)
            text = rewind.text
        case .message(let record):
            self.init(type: "message", t: t)
            from = record.header.from
            to = record.header.to
            code = record.header.type.rawValue
            kind = record.header.typeName
            term = record.header.term
            entries = record.header.entryCount
            fate = record.fate.rawValue
            vote = record.voteAnswer
        case .client(let report):
            self.init(type: "client", t: t)
            operation = report.operation
            node = report.node
            reason = report.reason
        case .narration(let narration):
            self.init(type: "caption", t: t)
            file = narration.file
            text = narration.caption
            step = narration.step
            steps = narration.steps
        }
    }

    init(view: NodeView, t: Double) {
        self.init(type: "view", t: t)
        node = view.id
        pid = view.pid
        state = view.state
        switch view.status {
        case .starting: status = "starting"
        case .up: status = "up"
        case .paused: status = "paused"
        case .down(let why):
            status = "down"
            reason = why
        }
    }
}

// MARK: Reading

/// A journal line that cannot be read.
public struct JournalError: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

extension JournalEntry {
    /// Reads a whole journal; the first unreadable line is an error naming it. Entries come out in
    /// time order (the file is written in that order; a stable sort keeps it for hand-edited files).
    public static func read(_ text: String) throws(JournalError) -> [JournalEntry] {
        let decoder = JSONDecoder()
        var entries: [JournalEntry] = []
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                let entry = try decoder.decode(JournalEntry.self, from: Data(line.utf8))
                guard entry.t.isFinite, entry.t >= 0 else {
                    throw JournalError(line: offset + 1, message: "time must be a number of seconds ≥ 0")
                }
                entries.append(entry)
            } catch let error as JournalError {
                throw error
            } catch {
                throw JournalError(line: offset + 1, message: "not a journal entry (\(Self.reason(error)))")
            }
        }
        guard entries.first?.type == "begin", let nodes = entries.first?.nodes, (1...9).contains(nodes) else {
            throw JournalError(line: 1, message: "a journal starts with a `begin` line naming 1–9 nodes")
        }
        return entries.enumerated().sorted { ($0.element.t, $0.offset) < ($1.element.t, $1.offset) }
            .map(\.element)
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "no field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "field \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: "\(error)"
        }
    }

    /// The event this line recorded, if it is one (views, settings and `begin` are not events).
    public var event: ClusterEvent? {
        switch type {
        case "node":
            // A kind this version does not know (a hand-edited or newer journal) is not an event it
            // can show: skipped, like a line of an unknown type.
            guard let node, let kind = kind.flatMap(NodeEventKind.init(rawValue:)) else { return nil }
            return .node(node, NodeEvent(kind: kind, text: text ?? "", term: term ?? 0, index: index))
        case "started":
            return node.map { .nodeStarted($0, pid: pid) }
        case "stopped":
            return node.map { .nodeStopped($0, reason: reason ?? "") }
        case "action":
            return text.map { .action($0) }
        case "message":
            guard let from, let to, let type = code.flatMap(PeerMessageType.init(rawValue:)),
                  let fate = fate.flatMap(MessageFate.init(rawValue:)) else {
                return nil
            }
            let header = MessageHeader(from: from, to: to, type: type, term: term ?? 0, entryCount: entries ?? 0)
            return .message(MessageRecord(header: header, fate: fate, timeMs: Int(t * 1000), voteAnswer: vote))
        case "client":
            return operation.map { .client(ClientReport(operation: $0, node: node, reason: reason)) }
        case "caption":
            guard let text, let step, let steps else { return nil }
            return .narration(Narration(file: file ?? "", caption: text, step: step, steps: steps))
        default:
            return nil
        }
    }

    /// The node view this line recorded, if it is one.
    public var view: NodeView? {
        guard type == "view", let node else { return nil }
        let nodeStatus: NodeStatus
        switch status {
        case "starting": nodeStatus = .starting
        case "up": nodeStatus = .up
        case "paused": nodeStatus = .paused
        default: nodeStatus = .down(reason: reason ?? "")
        }
        return NodeView(id: node, status: nodeStatus, pid: pid, state: state)
    }
}
