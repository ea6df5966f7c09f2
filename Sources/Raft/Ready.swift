/// The work a node hands out after `step`/`tick`/`propose`, to be done in this order:
/// 1. make `snapshot`, `hardState` and `entries` durable (a snapshot replaces every stored entry;
///    entries replace any stored entries from `entries.first.index` on);
/// 2. only then send `messages` (they promise what step 1 stored: votes and acknowledgements).
///    One exception is safe, and the node runtime takes it: a leader whose term and vote are already
///    stored may send its appends and heartbeats while it writes its own log (thesis §10.2.1), since
///    they promise nothing about its disk and it counts its own copy only when it steps a follower's
///    acknowledgement, after step 1 has finished;
/// 3. apply `snapshot` then `committedEntries` to the state machine, answer `readStates`;
/// 4. call `advance(_:)` before stepping the node again.
public struct Ready: Sendable, Equatable {
    public var hardState: HardState?
    public var snapshot: Snapshot?
    public var entries: [Entry] = []
    public var messages: [Message] = []
    public var committedEntries: [Entry] = []
    /// Reads whose linearizable index is now known: serve them once `index` is applied.
    public var readStates: [ReadState] = []
    /// Reads that will never be confirmed here (leadership was lost); the client should retry.
    public var abortedReads: [UInt64] = []

    public init() {}

    /// True when there is nothing to do.
    public var isEmpty: Bool {
        hardState == nil && snapshot == nil && entries.isEmpty && messages.isEmpty
            && committedEntries.isEmpty && readStates.isEmpty && abortedReads.isEmpty
    }
}

/// A confirmed linearizable read: once the state machine has applied `index`, reading it is linearizable.
public struct ReadState: Sendable, Equatable {
    public var requestID: UInt64
    public var index: LogIndex

    public init(requestID: UInt64, index: LogIndex) {
        self.requestID = requestID
        self.index = index
    }
}

/// Why a proposal or a read was refused.
public enum ProposalError: Error, Sendable, Equatable {
    /// Only the leader accepts proposals and reads; `leaderHint` is who this node believes leads.
    case notLeader(leaderHint: NodeID?)
}
