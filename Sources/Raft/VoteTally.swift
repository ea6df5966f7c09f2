/// The answers one campaign (or pre-campaign) has received, in the order they arrived, so that the
/// console can show who granted and in which order without depending on a dictionary's order.
struct VoteTally: Sendable {
    private var answers: [(voter: NodeID, granted: Bool)] = []

    /// A tally holding only the campaigner's own vote.
    init(campaigner: NodeID) {
        answers = [(campaigner, true)]
    }

    /// No campaign.
    init() {}

    /// Records `voter`'s answer; a later answer from the same voter (a duplicated or delayed message)
    /// replaces the earlier one in place.
    mutating func record(_ voter: NodeID, granted: Bool) {
        if let index = answers.firstIndex(where: { $0.voter == voter }) {
            answers[index].granted = granted
        } else {
            answers.append((voter, granted))
        }
    }

    /// The voters that granted, in the order they answered (the campaigner first).
    var granted: [NodeID] { answers.filter(\.granted).map(\.voter) }

    /// Won once a quorum granted; lost once a quorum refused.
    func outcome(quorum: Int) -> VoteOutcome {
        let grantedCount = answers.count { $0.granted }
        if grantedCount >= quorum { return .won }
        if answers.count - grantedCount >= quorum { return .lost }
        return .pending
    }
}

enum VoteOutcome { case won, lost, pending }
