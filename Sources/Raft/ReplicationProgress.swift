/// What a leader knows about one follower's log (Figure 2's nextIndex and matchIndex, plus flow control).
public struct ReplicationProgress: Sendable, Equatable {
    /// How the leader is currently sending to the follower.
    public enum Mode: Sendable, Equatable {
        /// Looking for the point where the logs agree: one append at a time.
        case probe
        /// Logs agree: stream appends, up to the in-flight limit.
        case replicate
        /// The follower needs entries the leader has compacted: a snapshot is on its way.
        case snapshot(index: LogIndex)
    }

    /// Highest index known to be replicated on the follower.
    public internal(set) var match: LogIndex = 0
    /// Next index to send.
    public internal(set) var next: LogIndex
    public internal(set) var mode: Mode = .probe
    /// In probe and snapshot mode: a message is out and the next one waits for a reply or a heartbeat.
    var waitingForReply = false
    /// Last index of each unacknowledged append, oldest first (replicate mode).
    var inflight: [LogIndex] = []
    /// Heard from since the last check-quorum round.
    var recentlyActive = false
    /// Highest read round the follower confirmed.
    var readRoundAcknowledged = 0

    init(next: LogIndex) {
        self.next = next
    }

    func isPaused(maxInflight: Int) -> Bool {
        switch mode {
        case .probe, .snapshot: waitingForReply
        case .replicate: inflight.count >= maxInflight
        }
    }

    /// Records an acknowledgement; returns true if it taught the leader something new.
    mutating func acknowledge(through index: LogIndex) -> Bool {
        inflight.removeAll { $0 <= index }
        guard index > match else { return false }
        match = index
        next = max(next, index + 1)
        waitingForReply = false
        switch mode {
        case .probe: mode = .replicate
        case .snapshot(let pending) where index >= pending: mode = .replicate
        case .snapshot, .replicate: break
        }
        return true
    }

    /// Falls back to probing from `newNext` after a rejection; false when the rejection is stale.
    /// `followerLastIndex` (known when the follower's log is shorter than asked) below `match` means
    /// the follower lost its disk (`wipe`): start over from what it holds.
    mutating func backOff(rejected rejectedIndex: LogIndex, to newNext: LogIndex,
                          followerLastIndex: LogIndex? = nil) -> Bool {
        if let followerLastIndex, followerLastIndex < match {
            match = followerLastIndex
            next = followerLastIndex + 1
        } else {
            switch mode {
            case .replicate:
                guard rejectedIndex > match else { return false }
                next = max(match + 1, min(newNext, rejectedIndex))
            case .probe:
                guard rejectedIndex == next - 1 else { return false }
                next = max(match + 1, min(newNext, rejectedIndex))
            case .snapshot:
                return false
            }
        }
        mode = .probe
        inflight = []
        waitingForReply = false
        return true
    }
}
