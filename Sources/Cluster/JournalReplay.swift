import Wire
/// A journal played back: what the console showed at any moment of the recorded run. The TUI replay
/// moves a `JournalCursor` through it; the headless replay jumps to the end for the digest.
public struct JournalReplay: Sendable {
    public let entries: [JournalEntry]
    public let nodeCount: Int
    /// The time of the last entry, in seconds.
    public var duration: Double { entries.last?.t ?? 0 }
    /// The time of the first entry: 0, or later for a journal that was rotated.
    public var startTime: Double { entries.first?.t ?? 0 }

    /// Reads a journal's text; errors name the line.
    public init(text: String) throws(JournalError) {
        entries = try JournalEntry.read(text)
        nodeCount = entries.first?.nodes ?? 1
    }

    /// Every node and the settings as they were at the end of the run.
    public func finalState() -> JournalCursor {
        var cursor = JournalCursor(replay: self)
        cursor.advance(to: duration) { _ in }
        return cursor
    }
}

/// A position in a replay, with the node views and settings as of that moment.
public struct JournalCursor: Sendable {
    public let replay: JournalReplay
    /// Entries before this index have been applied.
    public private(set) var nextIndex = 0
    /// Seconds into the run.
    public private(set) var time: Double = 0
    public private(set) var views: [NodeView]
    public private(set) var summary = ClusterSummary()

    public init(replay: JournalReplay) {
        self.replay = replay
        views = (1...replay.nodeCount).map { NodeView(id: $0, status: .down(reason: "not started")) }
    }

    /// Applies every entry up to `time` (seconds), handing each event to `onEvent` in order.
    public mutating func advance(to time: Double, onEvent: (ClusterEvent) -> Void) {
        let entries = replay.entries
        while nextIndex < entries.count, entries[nextIndex].t <= time {
            apply(entries[nextIndex], onEvent: onEvent)
            nextIndex += 1
        }
        self.time = min(max(time, 0), replay.duration)
    }

    public var isAtEnd: Bool { nextIndex >= replay.entries.count }

    /// The digest of the state at this position.
    public var digest: [String] { ClusterDigest.lines(views: views, summary: summary) }

    private mutating func apply(_ entry: JournalEntry, onEvent: (ClusterEvent) -> Void) {
        if let summary = entry.summary { self.summary = summary }
        // A cluster may grow during the run (etcd's `member add`): a view of a new node adds it.
        if let view = entry.view, (1...ClusterDigest.nodeLimit).contains(view.id) {
            while views.count < view.id {
                views.append(NodeView(id: views.count + 1, status: .down(reason: "not started")))
            }
            views[view.id - 1] = view
        }
        if let event = entry.event {
            if case .message(let record) = event { count(record.fate) }
            onEvent(event)
        }
    }

    /// Message counters are not journaled as settings; the message lines rebuild them.
    private mutating func count(_ fate: MessageFate) {
        switch fate {
        case .delivered: summary.delivered += 1
        case .held: break
        case .lost, .partitioned, .receiverDown, .overflow: summary.dropped += 1
        }
    }
}

extension JournalReplay: RecordedRun {
    public var initialTiming: Timing? { entries.first?.summary?.timing }

    public func rewound() -> JournalCursor { JournalCursor(replay: self) }
}

extension JournalCursor: RecordedRunCursor {}
