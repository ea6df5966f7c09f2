import ClusterAPI

/// What other threads hand the UI thread: cluster news, command results, a request to quit.
///
/// Limit: at most `maximumEvents` (4096) cluster events wait for the UI thread; beyond it the oldest
/// are dropped and counted (`events.dropped`), and the event log says once per turn how many
/// (`droppedNotice`). The event log keeps only the newest 200 lines anyway, so a console that fell
/// that far behind loses nothing it would have shown but the order of messages for the timeline.
/// Results, views and the summary are few (one per command; the newest views replace the older).
public struct ConsoleInbox: Sendable {
    /// The most cluster events held for the UI thread between two turns.
    static let maximumEvents = 4096

    var events = BoundedBuffer<ClusterEvent>(capacity: maximumEvents)
    var views: [NodeView]?
    var summary: ClusterSummary?
    /// Results of a scenario's steps: the status line shows them.
    var results: [(output: CommandOutput, line: String)] = []
    /// Results of what the user ran: long ones open the output pane.
    var userResults: [(output: CommandOutput, line: String)] = []
    /// The cluster's size, when it changed back (a `start N` that failed).
    var nodeCount: Int?
    /// Which cluster the news are from: `start N` swaps in a new one, and news of the old one, still
    /// on their way, are dropped.
    var generation = 0
    /// The scenario's latest progress, when one plays.
    var script: ScriptProgress?
    public var quitRequested = false
    var waker: (any ConsoleWaker)?
    /// A wake is on its way; more news need not write to the pipe again.
    var wakePending = false

    /// Records news and returns the waker to call, if one is needed.
    public mutating func deliver(_ change: (inout ConsoleInbox) -> Void) -> (any ConsoleWaker)? {
        deliver(from: generation, change)
    }

    /// Records news of cluster `generation`, unless a newer cluster replaced it.
    mutating func deliver(from generation: Int, _ change: (inout ConsoleInbox) -> Void) -> (any ConsoleWaker)? {
        guard generation == self.generation else { return nil }
        change(&self)
        guard !wakePending else { return nil }
        wakePending = true
        return waker
    }

    /// One line for the event log when events were dropped before the UI thread took them.
    var droppedNotice: ClusterEvent? {
        guard events.dropped > 0 else { return nil }
        let noun = events.dropped == 1 ? "event" : "events"
        return .action("\(events.dropped) \(noun) dropped: the console fell behind the cluster")
    }

    /// Takes what arrived, leaving the inbox empty (and the waker armed again).
    mutating func take() -> ConsoleInbox {
        let taken = self
        events.removeAll()
        results = []
        userResults = []
        views = nil
        summary = nil
        nodeCount = nil
        script = nil
        wakePending = false
        return taken
    }
}
