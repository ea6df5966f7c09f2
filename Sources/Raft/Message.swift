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

/// A voter's answer to a vote or pre-vote request: granted, or refused with the rule that refused it,
/// so that a reader of the timeline (or a trace) sees why an election went as it did.
public enum VoteAnswer: Sendable, Equatable, Codable {
    case granted
    case refused(VoteRefusal)

    public var isGranted: Bool { self == .granted }
}

/// Why a node refused a vote or pre-vote: each case is one of Raft's election rules.
public enum VoteRefusal: Sendable, Equatable, Codable {
    /// The request carries an older term than the voter's (§5.1): the asker is out of date.
    case staleTerm
    /// The candidate's log is not at least as up to date as the voter's (§5.4.1).
    case logBehind
    /// The voter already voted for another candidate in this term (one vote per term, §5.2).
    case alreadyVoted(for: NodeID)
    /// The voter already follows this node, elected in this term.
    case hasLeader(NodeID)
    /// The voter heard from this leader within an election timeout: a campaign now would only disrupt
    /// a live leader (check-quorum's lease, thesis §4.2.3; pre-vote keeps the same rule, §9.6).
    case leaderLease(NodeID)
    /// No reason given: a refusal from a node that predates reasons (decoded from an old frame).
    case unstated

    /// A few words for the console's timeline: "log behind", "voted n3", "lease n1".
    public var label: String {
        switch self {
        case .staleTerm: "stale term"
        case .logBehind: "log behind"
        case .alreadyVoted(let candidate): "voted n\(candidate)"
        case .hasLeader(let leader): "leader n\(leader)"
        case .leaderLease(let leader): "lease n\(leader)"
        case .unstated: "no reason"
        }
    }
}

/// The kinds of message nodes exchange.
public enum MessageBody: Sendable, Equatable {
    case preVote(VoteRequest)
    case preVoteResponse(VoteAnswer)
    case vote(VoteRequest)
    case voteResponse(VoteAnswer)
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

    /// The answer a vote or pre-vote response carries; nil for any other message.
    public var voteAnswer: VoteAnswer? {
        switch self {
        case .preVoteResponse(let answer), .voteResponse(let answer): answer
        default: nil
        }
    }

    /// How many log entries the message carries.
    public var entryCount: Int {
        if case .append(let request) = self { return request.entries.count }
        return 0
    }
}
