import NIOCore

/// The run's one clock source: how long since the run began. Everything in the engine that needs
/// the time asks it (the fabric's delays, the clients' clock, history and journal stamps), and the
/// values driven by time (`Fabric`, `Clients`, `ClusterClock`) are handed its readings rather
/// than reading a clock themselves, so a later back end can drive them on virtual time.
struct RunClock: Sendable {
    private let elapsed: @Sendable () -> Duration

    /// A clock that reads `elapsed` for the time since the run began.
    init(elapsed: @escaping @Sendable () -> Duration) {
        self.elapsed = elapsed
    }

    /// Monotonic wall time, counted from the moment this is called.
    static func wall() -> RunClock {
        let start = NIODeadline.now()
        return RunClock { .nanoseconds((NIODeadline.now() - start).nanoseconds) }
    }

    /// Time since the run began.
    var now: Duration { elapsed() }
}

extension Duration {
    /// In seconds, with the fraction.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// In whole milliseconds (rounded toward zero).
    var wholeMilliseconds: Int {
        let (whole, attoseconds) = components
        return Int(whole) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

extension TimeAmount {
    /// The event loop's amount for a span of run time; a negative span is no time at all.
    init(_ duration: Duration) {
        let (whole, attoseconds) = duration.components
        self = .nanoseconds(max(0, whole * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}
