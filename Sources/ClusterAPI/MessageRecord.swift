import Raft
import Wire

/// What happened to one peer message in the fabric.
public enum MessageFate: String, Sendable {
    case delivered, held, lost, partitioned, receiverDown = "receiver-down", overflow
}

/// One peer message as the fabric saw it, for the timeline and the journal.
public struct MessageRecord: Sendable {
    public var header: RoutingHeader
    public var fate: MessageFate
    public var timeMs: Int
    /// A vote or pre-vote response's answer (the header alone does not carry it); nil otherwise.
    public var voteAnswer: VoteAnswer?

    public init(header: RoutingHeader, fate: MessageFate, timeMs: Int, voteAnswer: VoteAnswer? = nil) {
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
