import Raft
import Services

/// Something a node reports about itself (the console's event log).
public struct ReplicaEvent: Sendable, Equatable {
    /// What the loop itself reports. The host maps these onto its own event kinds (the node runtime
    /// onto ClusterAPI's `NodeEventKind`, whose raw values these share); a plain enum here keeps the
    /// loop free of front-end types.
    public enum Kind: String, Sendable, Equatable {
        /// The node's role or term changed.
        case role
        /// Committed entries were applied.
        case commit
        /// A snapshot from the leader was installed.
        case snapshot
    }

    public var kind: Kind
    /// One line for the event log.
    public var text: String
    /// The log index the event is about, if any.
    public var index: LogIndex?

    public init(kind: Kind, text: String, index: LogIndex? = nil) {
        self.kind = kind
        self.text = text
        self.index = index
    }
}

/// One thing the loop asks its host (the node process or the simulator) to do. Actions come in a
/// list and must be done in list order: that order is the `Ready` rule, exceptions included.
public enum ReplicaAction: Sendable, Equatable {
    /// Send these messages and flush at once: the `persist` that follows overlaps with their trip
    /// (a leader's appends and heartbeats, Raft thesis §10.2.1; see `ReadyRules.sendsBeforePersisting`).
    case sendEarly([Message])
    /// Make the batch's snapshot, hard state and entries durable; fsync only when `sync` (a batch
    /// that only moves the commit index is written without one: `ReadyRules.mustSync`).
    case persist(Ready, sync: Bool)
    /// Send these messages (everything before them in the list is done).
    case send([Message])
    /// Store this snapshot of the node's own state and drop the log entries it covers.
    case storeSnapshot(Snapshot)
    /// Answer a client.
    case reply(ClientReply)
    /// Report an event.
    case event(ReplicaEvent)
    /// What a round applied, for observers (the simulator's checkers); the node process ignores it.
    case applied(snapshot: Snapshot?, entries: [Entry])
    /// A linearizable read's index is now known (it is answered once applied), for observers.
    case readConfirmed(requestID: UInt64, index: LogIndex)
}

/// What one call to `ReplicaDriver.process()` hands out.
public struct ReplicaEffects: Sendable {
    /// To be done in order.
    public var actions: [ReplicaAction] = []
    /// True when the node's state changed in a way a state display shows (publish it).
    public var stateChanged = false

    public init() {}
}
