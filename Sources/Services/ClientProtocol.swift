import Raft

/// A client's request to one node: what the console sends in a client frame and what the node loop
/// (`ReplicaDriver`) takes.
public struct ClientRequest: Codable, Sendable, Equatable {
    /// What the client asks.
    public enum Operation: Codable, Sendable, Equatable {
        /// A write, applied once per session; answered after it commits and applies.
        case write(KVOperation)
        /// A linearizable read through ReadIndex; only the leader answers.
        case read(key: String)
        /// This node's local value, however stale.
        case staleRead(key: String)
        /// A lock, election or lease renewal, applied once per session like a write.
        case service(ServiceOperation)
    }

    /// The caller's id for the answer; unique among the caller's requests in flight.
    public var requestID: UInt64
    /// Who asks, for exactly-once writes; reads need none.
    public var session: ClientSession?
    public var operation: Operation

    public init(requestID: UInt64, session: ClientSession?, operation: Operation) {
        self.requestID = requestID
        self.session = session
        self.operation = operation
    }
}

/// A node's answer to one request.
public struct ClientReply: Codable, Sendable, Equatable {
    /// How the request ended, as far as the node knows.
    public enum Outcome: Codable, Sendable, Equatable {
        /// Done: `value` is the key's value (reads) or the value before the write.
        case ok(value: String?, index: LogIndex)
        /// A compare-and-swap found another value.
        case compareFailed(current: String?)
        /// Not the leader; try `leaderHint` (nil: unknown).
        case notLeader(leaderHint: NodeID?)
        /// Leadership was lost before the outcome was known: the write may or may not apply.
        case unknown(reason: String)
        /// Refused for a stated reason (a fence, a full table, a malformed command).
        case failed(reason: String)
        /// A lock, election or renewal command's result.
        case serviceResult(CommandResult, index: LogIndex)
    }

    /// The request's id.
    public var requestID: UInt64
    public var outcome: Outcome

    public init(requestID: UInt64, outcome: Outcome) {
        self.requestID = requestID
        self.outcome = outcome
    }
}
