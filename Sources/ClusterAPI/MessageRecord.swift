/// The kinds of peer message, by the code the binary header carries (docs/PROTOCOL.md). The one
/// table of codes and names: the peer codec encodes and checks with it, the timeline and journal
/// show its names.
public enum PeerMessageType: UInt8, Sendable, Equatable, Hashable, CaseIterable {
    case preVote = 1
    case preVoteResponse = 2
    case vote = 3
    case voteResponse = 4
    case append = 5
    case appendResponse = 6
    case heartbeat = 7
    case heartbeatResponse = 8
    case installSnapshot = 9

    /// The short name traces, the timeline and journals use: "Vote", "AppendResp"…
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

    /// PreVoteResp or VoteResp: a message whose answer the console decodes to show it.
    public var isVoteResponse: Bool { self == .preVoteResponse || self == .voteResponse }

    /// A heartbeat or its answer: this Raft's empty appends, which a timeline may hide.
    public var isHeartbeat: Bool { self == .heartbeat || self == .heartbeatResponse }
}

/// What a peer message says about itself without its body: enough to route, drop, delay or display
/// it. Wire's peer codec reads exactly this from the fixed 16-byte header (`RoutingHeader`).
public struct MessageHeader: Sendable, Equatable {
    public var from: NodeID
    public var to: NodeID
    public var type: PeerMessageType
    public var term: Term
    /// Log entries carried; non-zero only for Append.
    public var entryCount: Int

    /// Creates a header.
    public init(from: NodeID, to: NodeID, type: PeerMessageType, term: Term, entryCount: Int) {
        self.from = from
        self.to = to
        self.type = type
        self.term = term
        self.entryCount = entryCount
    }

    /// The type's short name ("Vote", "AppendResp"…), for display.
    public var typeName: String { type.name }

    /// PreVoteResp or VoteResp.
    public var isVoteResponse: Bool { type.isVoteResponse }
}

/// A voter's answer to a vote or pre-vote request, as the timeline and the journal show it. The cases
/// and labels mirror the Raft core's `VoteAnswer`, so both encode to the same JSON (journals hold it);
/// Wire converts between the two in one place.
public enum VoteReply: Sendable, Equatable, Codable {
    case granted
    case refused(Refusal)

    /// Why a vote was refused: each case is one of Raft's election rules.
    public enum Refusal: Sendable, Equatable, Codable {
        /// The request carried an older term than the voter's.
        case staleTerm
        /// The candidate's log is not at least as up to date as the voter's.
        case logBehind
        /// The voter already voted for another candidate in this term.
        case alreadyVoted(for: NodeID)
        /// The voter already follows this node, elected in this term.
        case hasLeader(NodeID)
        /// The voter heard from this leader within an election timeout (the leader's lease).
        case leaderLease(NodeID)
        /// No reason given (an old node's refusal).
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

    /// Whether the vote was granted.
    public var isGranted: Bool { self == .granted }
}

/// What happened to one peer message in the fabric.
public enum MessageFate: String, Sendable {
    case delivered, held, lost, partitioned, receiverDown = "receiver-down", overflow
}

/// One peer message as the fabric saw it, for the timeline and the journal.
public struct MessageRecord: Sendable {
    public var header: MessageHeader
    public var fate: MessageFate
    public var timeMs: Int
    /// A vote or pre-vote response's answer (the header alone does not carry it); nil otherwise.
    public var voteAnswer: VoteReply?

    /// Creates a record.
    public init(header: MessageHeader, fate: MessageFate, timeMs: Int, voteAnswer: VoteReply? = nil) {
        self.header = header
        self.fate = fate
        self.timeMs = timeMs
        self.voteAnswer = voteAnswer
    }
}

extension MessageRecord {
    /// "granted " or "refused: log behind " for a vote reply, "" for any other message.
    public var answerText: String {
        switch voteAnswer {
        case .granted?: "granted "
        case .refused(let reason)?: "refused: \(reason.label) "
        case nil: ""
        }
    }
}
