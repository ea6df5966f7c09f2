/// The role a node plays, for every protocol a back end may run. The raw values are the text the node
/// state frames and journals have always carried ("leader", "pre-candidate"), so old files still read.
public enum NodeRole: String, Sendable, Equatable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    // Raft (Figure 2, and the thesis's pre-vote phase, §9.6).
    case leader
    case follower
    case candidate
    case preCandidate = "pre-candidate"
    /// A Raft member that replicates the log but does not vote (etcd's learner).
    case learner
    // Primary/backup replication.
    case primary
    case backup

    /// The text frames carry ("pre-candidate"): interpolating a role then reads as it always did,
    /// not as the case name.
    public var description: String { rawValue }

    /// True for the node that takes writes: Raft's leader, or the primary.
    public var leads: Bool { self == .leader || self == .primary }

    /// The word lessons and panes use: a backup is called a replica on screen (`pick r = replica`).
    public var word: String { self == .backup ? "replica" : rawValue }

    /// True while the node campaigns for votes (a pre-vote or a real one): its tally is worth showing.
    public var isCampaigning: Bool {
        switch self {
        case .candidate, .preCandidate: true
        case .leader, .follower, .learner, .primary, .backup: false
        }
    }
}
