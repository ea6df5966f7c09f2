import ClusterAPI
import Raft
import Replica
import Services

// Where the node's own types become ClusterAPI's: the Raft core, the services and the loop import
// no front-end types, and the state frame a node sends is ClusterAPI's `NodeState`. Each mapping is
// an exhaustive switch or a field-for-field copy from a type ClusterAPI cannot see; NodeRuntimeTests
// check that the frames still encode as they did.

extension NodeRole {
    /// The role of a Raft node.
    init(_ role: Role) {
        switch role {
        case .follower: self = .follower
        case .preCandidate: self = .preCandidate
        case .candidate: self = .candidate
        case .leader: self = .leader
        }
    }
}

extension NodeState.ReplicationMode {
    /// How the leader replicates to a follower.
    init(_ mode: ReplicationProgress.Mode) {
        switch mode {
        case .probe: self = .probe
        case .replicate: self = .replicate
        case .snapshot(index: _): self = .snapshot
        }
    }
}

extension NodeState.Lock {
    /// A lock as the lock service reports it.
    init(_ info: LockInfo) {
        self.init(name: info.name, holder: info.holder, token: info.token, leaseRemainingMs: info.leaseRemainingMs,
                  waiters: info.waiters)
    }
}

extension NodeState.Election {
    /// An election as the election service reports it.
    init(_ info: ElectionInfo) {
        self.init(name: info.name, leader: info.leader, value: info.value, revision: info.revision,
                  leaseRemainingMs: info.leaseRemainingMs, candidates: info.candidates)
    }
}

extension NodeEventKind {
    /// The kind of an event the node loop reports.
    init(_ kind: ReplicaEvent.Kind) {
        switch kind {
        case .role: self = .role
        case .commit: self = .commit
        case .snapshot: self = .snapshot
        }
    }
}
