import NIOCore

/// The clock the console's clients run on: wall time that stops while the cluster is frozen, as the
/// nodes' clocks do. Client deadlines, retries and lease renewals follow it, so a write stepped by
/// hand through a frozen cluster is not retried (or given up) behind the reader's back.
struct ClusterClock {
    private var frozenSince: NIODeadline?
    private var frozenTotal = TimeAmount.zero

    /// Cluster time now: wall time less every frozen stretch.
    func now(wall: NIODeadline = .now()) -> NIODeadline {
        let stopped = frozenSince.map { wall - $0 } ?? .zero
        return wall - frozenTotal - stopped
    }

    var isFrozen: Bool { frozenSince != nil }

    mutating func freeze(wall: NIODeadline = .now()) {
        guard frozenSince == nil else { return }
        frozenSince = wall
    }

    mutating func thaw(wall: NIODeadline = .now()) {
        guard let since = frozenSince else { return }
        frozenTotal = frozenTotal + (wall - since)
        frozenSince = nil
    }
}

/// A task due at a cluster time, waiting for a thaw.
struct ClusterTimer {
    var due: NIODeadline
    var action: (ClusterEngine) -> Void
}

extension ClusterEngine {
    /// Runs `action` on the loop once `milliseconds` of cluster time have passed (never while frozen).
    func afterClusterTime(milliseconds: Int, _ action: @escaping (ClusterEngine) -> Void) {
        arm(ClusterTimer(due: clusterClock.now() + .milliseconds(Int64(max(0, milliseconds))), action: action))
    }

    private func arm(_ timer: ClusterTimer) {
        let bound = NIOLoopBound((engine: self, timer: timer), eventLoop: loop)
        loop.scheduleTask(in: max(.zero, timer.due - clusterClock.now())) {
            let (engine, timer) = bound.value
            guard !engine.isShutDown else { return }
            if engine.clusterClock.isFrozen {
                engine.timersWaitingForThaw.append(timer)
            } else if engine.clusterClock.now() < timer.due {
                // Frozen and thawed since it was armed: its time has not come yet.
                engine.arm(timer)
            } else {
                timer.action(engine)
            }
        }
    }

    /// Stops cluster time (with `freeze`).
    func stopClusterClock() {
        clusterClock.freeze()
    }

    /// Starts cluster time again (with `thaw`) and re-arms what came due meanwhile.
    func startClusterClock() {
        clusterClock.thaw()
        let waiting = timersWaitingForThaw
        timersWaitingForThaw = []
        for timer in waiting { arm(timer) }
    }
}
