/// A recorded run a front end can move through in time (a journal today): what the console showed
/// at any moment, as the live console would have shown it.
public protocol RecordedRun: Sendable {
    associatedtype Cursor: RecordedRunCursor
    /// How many nodes the recorded cluster had.
    var nodeCount: Int { get }
    /// The time of the first record, in seconds (later than 0 for a rotated journal).
    var startTime: Double { get }
    /// The time of the last record, in seconds.
    var duration: Double { get }
    /// The pace the run began with.
    var initialTiming: Timing? { get }
    /// A cursor before the first record.
    func rewound() -> Cursor
}

/// A position in a recorded run, with the node views and settings as of that moment.
public protocol RecordedRunCursor: Sendable {
    /// Seconds into the run.
    var time: Double { get }
    var views: [NodeView] { get }
    var summary: ClusterSummary { get }
    /// Applies every record up to `time` (seconds), handing each event to `onEvent` in order.
    mutating func advance(to time: Double, onEvent: (ClusterEvent) -> Void)
}
