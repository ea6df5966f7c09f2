/// A message between two nodes. `term` is the sender's term (for a pre-vote request: the term it would
/// campaign in).
public struct Message: Sendable, Equatable {
    public var from: NodeID
    public var to: NodeID
    public var term: Term
    public var body: MessageBody

    public init(from: NodeID, to: NodeID, term: Term, body: MessageBody) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }
}

/// The request a (pre-)candidate sends: its log's last position, for the voter's up-to-date check.
public struct VoteRequest: Sendable, Equatable {
    public var lastLogIndex: LogIndex
    public var lastLogTerm: Term

    public init(lastLogIndex: LogIndex, lastLogTerm: Term) {
        self.lastLogIndex = lastLogIndex
        self.lastLogTerm = lastLogTerm
    }
}

/// AppendEntries (Figure 2).
public struct AppendRequest: Sendable, Equatable {
    public var prevLogIndex: LogIndex
    public var prevLogTerm: Term
    public var entries: [Entry]
    public var leaderCommit: LogIndex

    public init(prevLogIndex: LogIndex, prevLogTerm: Term, entries: [Entry], leaderCommit: LogIndex) {
        self.prevLogIndex = prevLogIndex
        self.prevLogTerm = prevLogTerm
        self.entries = entries
        self.leaderCommit = leaderCommit
    }
}

/// A follower's answer to AppendEntries or InstallSnapshot.
public enum AppendResponse: Sendable, Equatable {
    /// The follower's log matches the leader's up to `matchIndex`.
    case accepted(matchIndex: LogIndex)
    /// The follower has no entry matching `rejectedIndex`. The hint lets the leader skip back a whole term
    /// at a time: the follower's term at `rejectedIndex` (0 when its log is shorter) and the first index
    /// it holds of that term (or its last index + 1).
    case rejected(rejectedIndex: LogIndex, hintIndex: LogIndex, hintTerm: Term)
}

/// The kinds of message nodes exchange.
public enum MessageBody: Sendable, Equatable {
    case preVote(VoteRequest)
    case preVoteResponse(granted: Bool)
    case vote(VoteRequest)
    case voteResponse(granted: Bool)
    case append(AppendRequest)
    case appendResponse(AppendResponse)
    /// `commit` is capped at what the follower is known to hold; `readRound` confirms leadership for
    /// ReadIndex (0 when no read is waiting).
    case heartbeat(commit: LogIndex, readRound: Int)
    case heartbeatResponse(readRound: Int)
    case installSnapshot(Snapshot)

    /// A short name for traces and the console's timeline.
    public var name: String {
        switch self {
        case .preVote: "PreVote"
        case .preVoteResponse: "PreVoteResp"
        case .vote: "Vote"
        case .voteResponse: "VoteResp"
        case .append: "Append"
        case .appendResponse: "AppendResp"
        case .heartbeat: "Heartbeat"
        case .heartbeatResponse: "HeartbeatResp"
        case .installSnapshot: "Snapshot"
        }
    }

    /// How many log entries the message carries.
    public var entryCount: Int {
        if case .append(let request) = self { return request.entries.count }
        return 0
    }
}
