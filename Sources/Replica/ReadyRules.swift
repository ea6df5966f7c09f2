import Raft

/// The two documented exceptions to "persist, then send" (see `Ready`), decided here only: the
/// node loop uses them for the order of its actions and the write-ahead log for its fsync.
public enum ReadyRules {
    /// True when `batch` may go to the followers while this node is still writing it: a leader
    /// writes its log in parallel with replicating it (Raft thesis §10.2.1), so the follower's
    /// fsync overlaps the leader's instead of following it.
    ///
    /// Still safe, and still acknowledged only once a majority has it on disk: appends and
    /// heartbeats promise nothing about the leader's own disk, and the leader counts its own copy
    /// toward a commit only when it steps a follower's acknowledgement — which the host does only
    /// after this batch's `persist` has returned. Votes, acknowledgements, snapshots, and anything
    /// sent while the term or vote is changing still wait for the fsync.
    /// - Parameters:
    ///   - batch: the batch the core handed out.
    ///   - isLeader: whether the core leads now.
    ///   - stored: the hard state already durable.
    public static func sendsBeforePersisting(_ batch: Ready, isLeader: Bool, stored: HardState) -> Bool {
        guard isLeader, batch.snapshot == nil, !batch.messages.isEmpty else { return false }
        if let hardState = batch.hardState {
            guard hardState.term == stored.term, hardState.votedFor == stored.votedFor else { return false }
        }
        return batch.messages.allSatisfy { message in
            switch message.body {
            case .append, .heartbeat: true
            case .preVote, .preVoteResponse, .vote, .voteResponse, .appendResponse,
                 .heartbeatResponse, .installSnapshot: false
            }
        }
    }

    /// Whether `batch` promises something that must survive power loss: entries, a snapshot, or a
    /// new term or vote. A batch that only moves the commit index is written but not synced
    /// (etcd's `MustSync` rule): the commit index is volatile state in Raft, a restart that
    /// recovers an older one learns the newer one from the leader, and the next synced batch
    /// makes this write durable too, since fsync covers the whole file.
    /// - Parameters:
    ///   - batch: the batch to persist.
    ///   - stored: the hard state already durable.
    public static func mustSync(_ batch: Ready, stored: HardState) -> Bool {
        if batch.snapshot != nil || !batch.entries.isEmpty { return true }
        guard let hardState = batch.hardState else { return false }
        return hardState.term != stored.term || hardState.votedFor != stored.votedFor
    }

    /// True when `batch` has anything to make durable.
    public static func isDurable(_ batch: Ready) -> Bool {
        batch.snapshot != nil || batch.hardState != nil || !batch.entries.isEmpty
    }
}
