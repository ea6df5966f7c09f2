/// What kind of thing happened on a node. The raw values are the text frames and journals carry.
public enum NodeEventKind: String, Codable, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// The node's role changed ("became leader in term 3").
    case role
    /// Something about an election worth telling: a vote refused because of a leader's lease.
    case election
    /// Entries were applied ("applied through 12"); many, so the shell and panes hide them.
    case commit
    /// A snapshot was installed.
    case snapshot
    /// The node came up from its disk.
    case recovered
    /// The node hit a problem it reports rather than dies of.
    case error
    /// The node dropped frames for a console too slow to read them (its outbox is bounded).
    case dropped

    /// The text frames and journals carry, so interpolating a kind reads as it always did.
    public var description: String { rawValue }
}

/// Something that happened on a node, as it tells it (Wire's `NodeEventFrame` is this type).
public struct NodeEvent: Codable, Sendable, Equatable {
    public var kind: NodeEventKind
    public var text: String
    /// The node's term when it happened.
    public var term: Term
    /// The log index it concerns, if any.
    public var index: LogIndex?

    /// Creates an event.
    public init(kind: NodeEventKind, text: String, term: Term, index: LogIndex? = nil) {
        self.kind = kind
        self.text = text
        self.term = term
        self.index = index
    }
}
