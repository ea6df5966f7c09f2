/// Service time as the leader proposes it. Time enters the services only through `clock` entries
/// the leader proposes, so applying stays deterministic; this clock counts the node's own ticks (a
/// skewed node ticks faster, a frozen one not at all).
///
/// A new leader continues from the replicated time it has applied, never from its own count: a
/// node that has been up longer than the leaders before it (or whose clock runs fast) would
/// otherwise move service time forward at once and end leases early (`lease-local-clock` keeps that
/// mistake). The replicated time it starts from may lag the true latest one; that only makes
/// leases last longer.
struct ServiceClock: Sendable {
    var tickMs: Int
    let heartbeatTicks: Int
    /// The `lease-local-clock` bug knob.
    let followsOwnClock: Bool
    /// Milliseconds of this node's ticks, since it booted or last took over as leader.
    private(set) var nowMs = 0
    private var leaderTicks = 0

    var heartbeatMs: Int { tickMs * heartbeatTicks }

    init(tickMs: Int, heartbeatTicks: Int, followsOwnClock: Bool) {
        self.tickMs = tickMs
        self.heartbeatTicks = max(1, heartbeatTicks)
        self.followsOwnClock = followsOwnClock
    }

    /// One tick of this node's clock; true when a leader's heartbeat-long period ended (time to
    /// propose a clock entry, if any lease needs one).
    mutating func tick(leading: Bool) -> Bool {
        nowMs += tickMs
        guard leading else { return false }
        leaderTicks += 1
        return leaderTicks % heartbeatTicks == 0
    }

    /// This node now leads; `replicatedMs` is the service time it has applied.
    mutating func becameLeader(replicatedMs: Int) {
        nowMs = followsOwnClock ? max(nowMs, replicatedMs) : replicatedMs
    }

    /// True when the replicated time lags this clock by more than a heartbeat: a lease about to
    /// start should not be measured from it (it would expire at the next clock entry).
    func isAhead(of replicatedMs: Int) -> Bool {
        nowMs > replicatedMs + heartbeatMs
    }
}
