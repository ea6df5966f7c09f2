import NIOCore

/// An event loop that runs a task after a delay without making the promise and `Scheduled` handle
/// `scheduleTask` returns. A simulated cluster hands every frame between its nodes and the console
/// over this way: a promise per frame, which nobody waits on, cost a tenth of a drill's time.
public protocol DeferringEventLoop: EventLoop {
    /// Runs `task` on the loop once `delay` has passed, in the very order `scheduleTask(in:)` would
    /// have run it (deadline, then scheduling). It cannot be cancelled; if the loop shuts down
    /// first, it never runs — as a scheduled task's body never does.
    func runAfter(_ delay: TimeAmount, _ task: @escaping @Sendable () -> Void)
}

/// Runs tasks after a delay on one loop: through `DeferringEventLoop` where the loop offers it,
/// through `scheduleTask(in:)` otherwise (NIO's own loops, in a node process).
public struct Deferral {
    private let loop: any EventLoop
    /// The loop's fast path, looked up once: a cast per frame would cost a conformance lookup.
    private let deferring: (any DeferringEventLoop)?

    /// Looks up once whether `loop` offers `runAfter`.
    public init(_ loop: any EventLoop) {
        self.loop = loop
        deferring = loop as? any DeferringEventLoop
    }

    /// Runs `task` on the loop once `delay` has passed; nothing waits for it.
    public func run(after delay: TimeAmount, _ task: @escaping @Sendable () -> Void) {
        if let deferring {
            deferring.runAfter(delay, task)
        } else {
            loop.scheduleTask(in: delay, task)
        }
    }
}
