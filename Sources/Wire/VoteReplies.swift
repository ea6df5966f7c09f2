import ClusterAPI
import Raft

// The one place where the Raft core's vote answer and ClusterAPI's meet: Raft imports nothing, and
// ClusterAPI must not know Raft, so Wire (which knows both) converts. WireTests check the round trip
// and that both encode to the same JSON (journals hold the answer).

extension VoteReply {
    /// The answer as the console shows it.
    public init(_ answer: VoteAnswer) {
        switch answer {
        case .granted: self = .granted
        case .refused(let refusal): self = .refused(Refusal(refusal))
        }
    }
}

extension VoteReply.Refusal {
    /// The refusal as the console shows it.
    public init(_ refusal: VoteRefusal) {
        switch refusal {
        case .staleTerm: self = .staleTerm
        case .logBehind: self = .logBehind
        case .alreadyVoted(let candidate): self = .alreadyVoted(for: candidate)
        case .hasLeader(let leader): self = .hasLeader(leader)
        case .leaderLease(let leader): self = .leaderLease(leader)
        case .unstated: self = .unstated
        }
    }
}

extension VoteAnswer {
    /// The core's answer for one the console shows (what a journal's answer meant on the wire).
    public init(_ reply: VoteReply) {
        switch reply {
        case .granted: self = .granted
        case .refused(let refusal): self = .refused(VoteRefusal(refusal))
        }
    }
}

extension VoteRefusal {
    /// The core's refusal for one the console shows.
    public init(_ refusal: VoteReply.Refusal) {
        switch refusal {
        case .staleTerm: self = .staleTerm
        case .logBehind: self = .logBehind
        case .alreadyVoted(let candidate): self = .alreadyVoted(for: candidate)
        case .hasLeader(let leader): self = .hasLeader(leader)
        case .leaderLease(let leader): self = .leaderLease(leader)
        case .unstated: self = .unstated
        }
    }
}

extension PeerCodec {
    /// The answer a PreVoteResp or VoteResp carries, as the console's timeline shows it; nil for any
    /// other type or for malformed bytes.
    public static func voteReply(_ bytes: [UInt8]) -> VoteReply? {
        voteAnswer(bytes).map(VoteReply.init)
    }
}
