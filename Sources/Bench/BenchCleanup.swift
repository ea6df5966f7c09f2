import NIOConcurrencyHelpers

/// What to undo if the bench is interrupted (SIGINT, SIGTERM, SIGHUP): kill the clusters it
/// started and remove their directories. The command line runs `undoAll` from its signal handler
/// and then exits as the signal would have.
public final class BenchCleanup: Sendable {
    public static let shared = BenchCleanup()

    private let actions = NIOLockedValueBox<[@Sendable () -> Void]>([])

    public func add(_ action: @escaping @Sendable () -> Void) {
        actions.withLockedValue { $0.append(action) }
    }

    /// Runs every action added so far (synchronously: it is called on the way out).
    public func undoAll() {
        for action in actions.withLockedValue({ $0 }) { action() }
    }
}
