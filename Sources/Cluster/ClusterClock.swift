import NIOCore
import NodeRuntime

/// The clock the console's clients run on: run time that stops while the cluster is frozen, as the
/// nodes' clocks do. Client deadlines, retries and lease renewals follow it, so a write stepped by
/// hand through a frozen cluster is not retried (or given up) behind the reader's back. A value
/// handed the run's time (`RunClock`) on every call: it reads no clock of its own.
struct ClusterClock {
    private var frozenSince: Duration?
    private var frozenTotal = Duration.zero

    /// Cluster time at run time `run`: run time less every frozen stretch.
    func now(run: Duration) -> Duration {
        let stopped = frozenSince.map { run - $0 } ?? .zero
        return run - frozenTotal - stopped
    }

    var isFrozen: Bool { frozenSince != nil }

    mutating func freeze(run: Duration) {
        guard frozenSince == nil else { return }
        frozenSince = run
    }

    mutating func thaw(run: Duration) {
        guard let since = frozenSince else { return }
        frozenTotal += run - since
        frozenSince = nil
    }
}

/// A task due at a cluster time, waiting for a thaw.
struct ClusterTimer {
    var due: Duration
    var action: (ClusterEngine) -> Void
}

extension ClusterEngine {
    /// Cluster time now (see `ClusterClock`).
    var clusterNow: Duration { clusterClock.now(run: clock.now) }

    /// Runs `action` on the loop once `milliseconds` of cluster time have passed (never while frozen).
    func afterClusterTime(milliseconds: Int, _ action: @escaping (ClusterEngine) -> Void) {
        arm(ClusterTimer(due: clusterNow + .milliseconds(max(0, milliseconds)), action: action))
    }

    private func arm(_ timer: ClusterTimer) {
        let bound = NIOLoopBound((engine: self, timer: timer), eventLoop: loop)
        deferral.run(after: TimeAmount(timer.due - clusterNow)) {
            let (engine, timer) = bound.value
            guard !engine.isShutDown else { return }
            if engine.clusterClock.isFrozen {
                engine.timersWaitingForThaw.append(timer)
            } else if engine.clusterNow < timer.due {
                // Frozen and thawed since it was armed: its time has not come yet.
                engine.arm(timer)
            } else {
                timer.action(engine)
            }
        }
    }

    /// Stops cluster time (with `freeze`).
    func stopClusterClock() {
        clusterClock.freeze(run: clock.now)
    }

    /// Starts cluster time again (with `thaw`) and re-arms what came due meanwhile.
    func startClusterClock() {
        clusterClock.thaw(run: clock.now)
        let waiting = timersWaitingForThaw
        timersWaitingForThaw = []
        for timer in waiting { arm(timer) }
    }
}
