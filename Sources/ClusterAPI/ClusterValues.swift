/// Something that happened in the cluster, for the shell, the TUI and the journal.
public enum ClusterEvent: Sendable {
    case node(NodeID, NodeEvent)
    /// A node started: a process (with its pid) or a node run in-process (no pid).
    case nodeStarted(NodeID, pid: Int32?)
    case nodeStopped(NodeID, reason: String)
    /// A fault or control the user applied, in words.
    case action(String)
    case message(MessageRecord)
    case client(ClientReport)
    /// A lesson's caption as it appears (journaled, so a replay shows the narration).
    case narration(Narration)
    /// The simulated cluster went to another moment of its run (`back`, `seek`): what was shown
    /// goes, and `recent` is what the panes showed at that moment.
    case rewound(Rewind)

    /// One line for the shell.
    public var text: String {
        switch self {
        case .node(let id, let event): "n\(id): \(event.text)"
        case .nodeStarted(let id, let pid): "n\(id): started" + (pid.map { " (pid \($0))" } ?? " (in-process)")
        case .nodeStopped(let id, let reason): "n\(id): down — \(reason)"
        case .action(let text): text
        case .message(let record):
            "n\(record.header.from) → n\(record.header.to) \(record.header.typeName) t\(record.header.term) "
                + "entries=\(record.header.entryCount) \(record.answerText)\(record.fate.rawValue)"
        case .client(let report): report.text
        case .narration(let narration): "── step \(narration.step)/\(narration.steps) ──"
        case .rewound(let rewind): rewind.text
        }
    }

    /// Commit events come with every batch; the shell shows them only when asked.
    public var isCommit: Bool {
        if case .node(_, let event) = self { return event.kind == .commit }
        return false
    }

    /// Whether a node's status or the settings may have changed with this event (a node started or
    /// stopped, or the user acted): the journal then looks for changed views. Node reports, client
    /// records and messages come by the thousand and change neither (state frames are journaled
    /// as they arrive).
    public var mayChangeViews: Bool {
        switch self {
        case .nodeStarted, .nodeStopped, .action, .rewound: true
        case .node, .message, .client, .narration: false
        }
    }

    /// Message records are many; the shell shows them only when asked.
    public var isMessage: Bool {
        if case .message = self { return true }
        return false
    }
}

/// A lesson's caption and where the lesson is.
public struct Narration: Sendable, Equatable {
    public var file: String
    public var caption: String
    /// 1-based, of `steps`: a step is a caption and the commands up to the next one.
    public var step: Int
    public var steps: Int

    public init(file: String, caption: String, step: Int, steps: Int) {
        self.file = file
        self.caption = caption
        self.step = step
        self.steps = steps
    }
}

/// What a command printed, and whether it succeeded.
public struct CommandOutput: Sendable, Equatable {
    public var lines: [String]
    public var ok: Bool
    /// What a `get` read, as a value (the lines say it for people): checks and drills use this, never
    /// the printed text.
    public var read: KeyRead?

    public init(lines: [String], ok: Bool = true, read: KeyRead? = nil) {
        self.lines = lines
        self.ok = ok
        self.read = read
    }

    /// The value a successful `get` read; nil when the key was absent or nothing was read.
    public var readValue: String? {
        guard ok, case .value(let value)? = read else { return nil }
        return value
    }

    public static func error(_ message: String) -> CommandOutput {
        CommandOutput(lines: ["error: \(message)"], ok: false)
    }
}

/// What a read found.
public enum KeyRead: Sendable, Equatable {
    case value(String)
    case absent
}

/// The console's view of one node.
public struct NodeView: Sendable, Equatable {
    public var id: NodeID
    public var status: NodeStatus
    public var pid: Int32?
    /// What the node last reported; nil until it has (and kept while it is down, as last known).
    public var state: NodeState?
    /// Taken out of the cluster's membership (etcd's `member remove`): its place waits for the next
    /// `member add`, and nothing restarts it.
    public var isRemoved: Bool

    /// Creates a view.
    public init(id: NodeID, status: NodeStatus, pid: Int32? = nil, state: NodeState? = nil, isRemoved: Bool = false) {
        self.id = id
        self.status = status
        self.pid = pid
        self.state = state
        self.isRemoved = isRemoved
    }
}

/// The cluster-wide facts the console's header shows.
public struct ClusterSummary: Sendable, Equatable, Codable {
    /// The partition shape and the links that differ from it, as data (the journal also reads the
    /// string older journals wrote).
    public var network: NetworkSummary
    public var frozen: Bool
    public var heldMessages: Int
    public var timing: Timing
    public var delivered: Int
    public var dropped: Int
    public var preVote: Bool
    public var checkQuorum: Bool
    public var fsync: Bool
    public var bugs: [String]
    /// Named clients by id, to show lock holders and election leaders by name (encoded in id order,
    /// so a journal's bytes never depend on a dictionary's order).
    @InIDOrder public var clientNames: [UInt64: String] = [:]
    /// The seed of a simulated cluster (nil for node processes): the header says `SIMULATED seed S`.
    public var simulatedSeed: UInt64?
    /// What runs the cluster when it is not ClusterDeck's own nodes ("etcd 3.4.23"): the header
    /// says so.
    public var engineLabel: String?
    /// Per directed link, what a proxy relayed (nil for back ends whose messages are decoded and
    /// shown one by one): the timeline shows this instead of message arrows.
    public var linkTraffic: [LinkTraffic]?
    /// Where a recorded simulated run stands on its time line (the console's time bar); nil where
    /// there is no time travel. Never journaled: it changes with every instant.
    public var travel: TimeTravelSummary?

    public init(network: NetworkSummary = .none, frozen: Bool = false, heldMessages: Int = 0, timing: Timing = .teach,
                delivered: Int = 0, dropped: Int = 0, preVote: Bool = true, checkQuorum: Bool = true,
                fsync: Bool = true, bugs: [String] = []) {
        self.network = network
        self.frozen = frozen
        self.heldMessages = heldMessages
        self.timing = timing
        self.delivered = delivered
        self.dropped = dropped
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.fsync = fsync
        self.bugs = bugs
    }
}

extension Collection where Element == NodeView {
    /// The replica whose services (locks, elections) the screens and checks show: the leader's, else
    /// the running node that applied the most.
    public var replicaShown: NodeState? {
        leader?.state ?? filter { $0.status == .up }.compactMap(\.state).max { $0.appliedIndex < $1.appliedIndex }
    }

    /// The node that leads: a running node that says it leads, the highest term winning (a deposed
    /// leader cut off from the others may still say so for a while).
    public var leader: NodeView? {
        leading(status: \.status, state: \.state)
    }
}

extension Sequence {
    /// The element that leads by the rule `leader` states (running, says it leads, highest term),
    /// for anything that has a node's status and state: one pass, nothing allocated (a back end's
    /// clients ask for every request). Inlinable, so that the engine's call is specialized and reads
    /// each node's state in place: unspecialized, it copied every node's whole state through the
    /// generic closure, a twentieth of a simulated drill's time.
    @inlinable
    public func leading(status: (Element) -> NodeStatus, state: (Element) -> NodeState?) -> Element? {
        var best: (element: Element, term: Term)?
        for element in self where status(element) == .up {
            guard let state = state(element), state.role.leads else { continue }
            if best == nil || state.term > best!.term { best = (element, state.term) }
        }
        return best?.element
    }
}

/// Where a recorded simulated run stands: now, how far its recorded future goes, where it forked.
public struct TimeTravelSummary: Sendable, Equatable, Codable {
    /// The cluster's time now, in seconds since the run began.
    public var nowSeconds: Double
    /// The end of the recorded future: the furthest instant this timeline reached.
    public var endSeconds: Double
    /// Where the run forked (a command given after going back dropped the recorded future).
    public var forkSeconds: [Double]

    public init(nowSeconds: Double, endSeconds: Double, forkSeconds: [Double]) {
        self.nowSeconds = nowSeconds
        self.endSeconds = endSeconds
        self.forkSeconds = forkSeconds
    }
}

/// A move of the simulated cluster to another moment of its run.
public struct Rewind: Sendable {
    /// The cluster time left and the one reached, in seconds since the run began.
    public var fromSeconds: Double
    public var toSeconds: Double
    /// The latest events before `toSeconds` (at most a pane's worth of each kind), oldest first.
    public var recent: [ClusterEvent]

    public init(fromSeconds: Double, toSeconds: Double, recent: [ClusterEvent]) {
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
        self.recent = recent
    }

    /// One line for the event log and the shell.
    public var text: String {
        let direction = toSeconds < fromSeconds ? "back" : "forward"
        return "⟲ went \(direction) to \(Self.seconds(toSeconds)) (from \(Self.seconds(fromSeconds)))"
    }

    /// Seconds as the time bar and the shell show them: `12.345 s`.
    public static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
    }
}
