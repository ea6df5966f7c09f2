// etcd's election service (`/v3/election/campaign|leader|resign`, the v3election API). A candidate
// is a key `NAME/LEASE` attached to its lease; the oldest key leads, and leadership passes on when
// the leader resigns or its lease expires.

/// The key a campaign won: what resign (and proclaim) name the leadership by.
public struct EtcdLeaderKey: Codable, Sendable, Equatable {
    /// The election's name, and the leader's key under it.
    public var name: EtcdBytes
    public var key: EtcdBytes
    /// The key's create revision: when this leadership began.
    public var revision: Int64
    /// The lease the leadership hangs on.
    public var lease: Int64

    public init(name: EtcdBytes, key: EtcdBytes, revision: Int64, lease: Int64) {
        self.name = name
        self.key = key
        self.revision = revision
        self.lease = lease
    }

    enum CodingKeys: String, CodingKey {
        case name, key, revision = "rev", lease
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.etcdBytes(.name)
        key = try container.etcdBytes(.key)
        revision = try container.etcdInteger(.revision)
        lease = try container.etcdInteger(.lease)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(key, forKey: .key)
        try container.encodeEtcdInteger(revision, forKey: .revision)
        try container.encodeEtcdInteger(lease, forKey: .lease)
    }
}

/// `POST /v3/election/campaign`: waits until the lease's candidate leads `name`, with `value`.
/// Blocks while another leads; closing the connection withdraws (etcd deletes the candidate key).
public struct EtcdCampaignRequest: EtcdRequest {
    public typealias Response = EtcdCampaignResponse
    public static let path = "/v3/election/campaign"

    /// The election, the lease the candidate key hangs on, and the value it proclaims.
    public var name: EtcdBytes
    public var lease: Int64
    public var value: EtcdBytes

    public init(name: EtcdBytes, lease: Int64, value: EtcdBytes) {
        self.name = name
        self.lease = lease
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case name, lease, value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeEtcdInteger(lease, forKey: .lease)
        try container.encodeEtcdBytes(value, forKey: .value)
    }
}

/// The leadership a campaign won.
public struct EtcdCampaignResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var leader: EtcdLeaderKey

    enum CodingKeys: String, CodingKey {
        case header, leader
    }
}

/// `POST /v3/election/leader`: the leader's key and value; etcd answers "election: no leader"
/// (an error) when nobody leads.
public struct EtcdElectionLeaderRequest: EtcdRequest {
    public typealias Response = EtcdElectionLeaderResponse
    public static let path = "/v3/election/leader"

    public var name: EtcdBytes

    public init(name: EtcdBytes) {
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
    }
}

/// The leader's key-value: its value, create revision and lease.
public struct EtcdElectionLeaderResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var keyValue: EtcdKeyValue?

    enum CodingKeys: String, CodingKey {
        case header, keyValue = "kv"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        keyValue = try container.etcdOptional(EtcdKeyValue.self, .keyValue)
    }
}

/// `POST /v3/election/resign`: gives up the leadership `leader` names.
public struct EtcdResignRequest: EtcdRequest {
    public typealias Response = EtcdHeaderOnlyResponse
    public static let path = "/v3/election/resign"

    public var leader: EtcdLeaderKey

    public init(leader: EtcdLeaderKey) {
        self.leader = leader
    }

    enum CodingKeys: String, CodingKey {
        case leader
    }
}

extension EtcdError {
    /// Whether etcd said that nobody leads the election asked about.
    public var isNoElectionLeader: Bool {
        if case .server(_, _, let message) = self { return message.contains("election: no leader") }
        return false
    }
}
