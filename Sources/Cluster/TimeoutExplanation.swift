
/// What `timeout N` makes node N do under the current settings, in words: with pre-vote and
/// check-quorum on, a campaign against a live leader goes nowhere, and without this answer the
/// command would seem to do nothing at all.
struct TimeoutExplanation {
    /// The node whose election timer fires, and its state as last reported (nil: not yet known).
    var node: NodeID
    var state: NodeState?
    /// The node that leads as the console sees it, if any.
    var leader: NodeID?
    var preVote: Bool
    var checkQuorum: Bool

    /// One line for the status line and the event log.
    var text: String {
        if state?.role == .leader {
            return "n\(node) leads\(currentTerm.map { " " + $0 } ?? ""): a leader's election timer does not "
                + "run, so nothing happens"
        }
        let fired = "n\(node)'s election timer fired: "
        return fired + (preVote ? preVoteCampaign : election)
    }

    private var currentTerm: String? { state.map { "term \($0.term)" } }

    /// The term a campaign would run in.
    private var nextTerm: String { state.map { "term \($0.term + 1)" } ?? "the next term" }

    /// The other node that leads, whose followers stand in its way.
    private var liveLeader: NodeID? { leader == node ? nil : leader }

    private var preVoteCampaign: String {
        let asks = "with pre-vote on it first asks for pre-votes for \(nextTerm)"
        guard let leader = liveLeader else {
            return asks + "; if a majority grants them, it starts an election in \(nextTerm)"
        }
        return asks + "; nodes that heard from leader n\(leader) within an election timeout "
            + "(its lease) refuse, so n\(node) stays a follower\(currentTerm.map { " in " + $0 } ?? "")"
    }

    private var election: String {
        let starts = "it starts an election in \(nextTerm)"
        guard let leader = liveLeader else {
            return starts + " and wins with a majority of nodes whose logs are not ahead of its own"
        }
        guard checkQuorum else {
            return starts + "; every node that hears it moves to \(nextTerm) (leader n\(leader) steps "
                + "down) and votes for it if its log is at least as up to date"
        }
        return starts + "; nodes in leader n\(leader)'s lease (check-quorum) refuse, but n\(leader) "
            + "steps down when its next heartbeat meets \(nextTerm), and a new election follows"
    }
}
