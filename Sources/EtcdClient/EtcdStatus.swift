/// `POST /v3/maintenance/status`: one member's view of the cluster.
public struct EtcdStatusRequest: EtcdRequest {
    public typealias Response = EtcdStatus
    public static let path = "/v3/maintenance/status"

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: EtcdStatus.CodingKeys.self)
    }
}

/// What a member says about itself: who it follows, how far its log reaches and what it applied.
public struct EtcdStatus: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// The etcd version the member runs.
    public var version: String
    /// The member it believes leads (0: none known).
    public var leaderID: UInt64
    public var raftIndex: UInt64
    public var raftTerm: UInt64
    /// The last index applied to the store (3.4 and later; the raft index before).
    public var raftAppliedIndex: UInt64
    public var databaseBytes: Int64
    /// Whether the member is a learner (replicates, does not vote).
    public var isLearner: Bool
    /// What the member reports as wrong: raised alarms ("NOSPACE") and health errors.
    public var errors: [String]

    /// The answering member's id.
    public var memberID: UInt64 { header.memberID }

    enum CodingKeys: String, CodingKey {
        case header, version, leaderID = "leader", raftIndex, raftTerm, raftAppliedIndex
        case databaseBytes = "dbSize", isLearner, errors
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? ""
        leaderID = try container.etcdInteger(.leaderID)
        raftIndex = try container.etcdInteger(.raftIndex)
        raftTerm = try container.etcdInteger(.raftTerm)
        raftAppliedIndex = container.contains(.raftAppliedIndex)
            ? try container.etcdInteger(.raftAppliedIndex) : raftIndex
        databaseBytes = try container.etcdInteger(.databaseBytes)
        isLearner = try container.etcdFlag(.isLearner)
        errors = try container.decodeIfPresent([String].self, forKey: .errors) ?? []
    }
}
