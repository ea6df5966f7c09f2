import NIOCore

/// The frames a node holds for its console while the console's socket is full (the channel is not
/// writable: a slow or stopped console), so they cannot pile up in the channel without bound.
///
/// Limits, and what happens at them:
/// - State frames coalesce: one slot, the newest replaces the older (only the newest matters).
/// - Every other frame (peer messages, events, client replies, errors) waits in order while the
///   frames held total at most `maximumBytes` (default 4 MiB); a frame that would go past it is
///   dropped and counted by kind. `takeDropped()` hands the counts out once, for the node's event
///   "dropped … while the console was slow". A dropped peer message is a lost message, which Raft
///   retries; a dropped reply leaves the client to time out with an unknown outcome (the write may
///   have applied), which is what it reports.
///
/// Frames go out oldest first, the state last (`next()`); the node writes them while the channel
/// is writable again.
struct ConsoleOutbox {
    /// What a held frame carries, for the counts of drops.
    enum Kind: Sendable {
        case peer, event, reply, error, state
    }

    /// How many frames of each kind were dropped.
    struct Dropped: Sendable, Equatable {
        var peerMessages = 0
        var events = 0
        var replies = 0
        var errors = 0

        var total: Int { peerMessages + events + replies + errors }

        /// The counts in words, zeros left out: `3 events, 12 peer messages`.
        var text: String {
            let parts: [(Int, String, String)] = [
                (events, "event", "events"), (peerMessages, "peer message", "peer messages"),
                (replies, "client reply", "client replies"), (errors, "error", "errors"),
            ]
            return parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? $0.1 : $0.2)" }
                .joined(separator: ", ")
        }
    }

    /// The default limit: thousands of events and appends, far past any burst a console that keeps
    /// up ever leaves behind, and small beside the node's own memory.
    static let defaultMaximumBytes = 4 * 1024 * 1024

    /// The most bytes of frames (other than the state) held at once.
    let maximumBytes: Int
    private var frames = CircularBuffer<[UInt8]>()
    private var state: [UInt8]?
    /// Bytes in `frames`.
    private(set) var heldBytes = 0
    private var dropped = Dropped()

    init(maximumBytes: Int = Self.defaultMaximumBytes) {
        precondition(maximumBytes >= 1, "bug: an outbox that can hold nothing")
        self.maximumBytes = maximumBytes
    }

    /// True when nothing waits (drop counts aside).
    var isEmpty: Bool { frames.isEmpty && state == nil }

    /// How many frames wait, the state slot included.
    var count: Int { frames.count + (state == nil ? 0 : 1) }

    /// Holds one encoded frame (kind byte and body) of `kind`; a state frame replaces the one held.
    /// A frame that would take the held bytes past `maximumBytes` is dropped and counted.
    mutating func hold(_ payload: [UInt8], kind: Kind) {
        if case .state = kind {
            state = payload
            return
        }
        guard heldBytes + payload.count <= maximumBytes else {
            return countDrop(of: kind)
        }
        frames.append(payload)
        heldBytes += payload.count
    }

    /// The next frame to write: held frames oldest first, then the newest state; nil when empty.
    mutating func next() -> [UInt8]? {
        if let payload = frames.popFirst() {
            heldBytes -= payload.count
            assert(heldBytes >= 0, "bug: the outbox's byte count went negative")
            return payload
        }
        defer { state = nil }
        return state
    }

    /// What was dropped since the last call, once; nil when nothing was.
    mutating func takeDropped() -> Dropped? {
        guard dropped.total > 0 else { return nil }
        defer { dropped = Dropped() }
        return dropped
    }

    private mutating func countDrop(of kind: Kind) {
        switch kind {
        case .peer: dropped.peerMessages += 1
        case .event: dropped.events += 1
        case .reply: dropped.replies += 1
        case .error: dropped.errors += 1
        case .state: preconditionFailure("bug: state frames coalesce and are never dropped")
        }
    }
}
