/// What an etcd member says about itself beyond Raft's common fields (from its status API; its
/// `raftIndex` is the committed index and goes in `NodeState.commitIndex`). A
/// node state that carries these is an etcd member's: panes show them instead of the fields etcd
/// cannot give (vote, log bounds, log tail, keys), which stay out rather than reading as zeros.
public struct EtcdMemberFacts: Codable, Sendable, Equatable {
    /// The member id in hex, as etcdctl prints it ("8e9e05c52164694d").
    public var memberID: String
    /// The size of the member's backend database, in bytes.
    public var databaseBytes: Int64
    /// Raised alarms and health errors the member reports (empty: none).
    public var errors: [String]
    /// Why the last status request failed, while the process still runs (nil: it answered).
    public var unanswered: String?

    /// Creates the facts of one status answer.
    public init(memberID: String, databaseBytes: Int64, errors: [String] = [], unanswered: String? = nil) {
        self.memberID = memberID
        self.databaseBytes = databaseBytes
        self.errors = errors
        self.unanswered = unanswered
    }

    /// "20 KB", "1.5 MB": the database size for a pane.
    public var databaseText: String { Int(clamping: databaseBytes).byteText }
}
