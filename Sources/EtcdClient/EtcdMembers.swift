/// One member as etcd's cluster API lists it.
public struct EtcdMember: Decodable, Sendable, Equatable {
    public var id: UInt64
    /// Its `--name`; empty while a member added with `member add` has not started yet.
    public var name: String
    public var peerURLs: [String]
    /// Empty until the member has started and published its client URLs.
    public var clientURLs: [String]
    /// Whether it replicates without voting.
    public var isLearner: Bool

    public init(id: UInt64, name: String, peerURLs: [String], clientURLs: [String] = [], isLearner: Bool = false) {
        self.id = id
        self.name = name
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
        self.isLearner = isLearner
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", name, peerURLs, clientURLs, isLearner
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.etcdInteger(.id)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        peerURLs = try container.decodeIfPresent([String].self, forKey: .peerURLs) ?? []
        clientURLs = try container.decodeIfPresent([String].self, forKey: .clientURLs) ?? []
        isLearner = try container.etcdFlag(.isLearner)
    }
}

/// What every member call answers: the member list after the change (and, for an add, the new one).
public struct EtcdMembersResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// The member just added (`member add` only).
    public var member: EtcdMember?
    public var members: [EtcdMember]

    enum CodingKeys: String, CodingKey {
        case header, member, members
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        member = try container.etcdOptional(EtcdMember.self, .member)
        members = try container.etcdOptional([EtcdMember].self, .members) ?? []
    }
}

/// `POST /v3/cluster/member/add`: announces a member at `peerURLs` (it must then be started with
/// `--initial-cluster-state existing`).
public struct EtcdMemberAddRequest: EtcdRequest {
    public typealias Response = EtcdMembersResponse
    public static let path = "/v3/cluster/member/add"

    public var peerURLs: [String]
    /// Whether it joins as a learner (it votes only once promoted).
    public var isLearner: Bool

    public init(peerURLs: [String], isLearner: Bool) {
        self.peerURLs = peerURLs
        self.isLearner = isLearner
    }

    enum CodingKeys: String, CodingKey {
        case peerURLs, isLearner
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(peerURLs, forKey: .peerURLs)
        try container.encodeEtcdFlag(isLearner, forKey: .isLearner)
    }
}

/// `POST /v3/cluster/member/promote`: a learner that has caught up becomes a voter.
public typealias EtcdMemberPromoteRequest = EtcdIDRequest<EtcdMemberPromote>

public enum EtcdMemberPromote: EtcdIDMethod {
    public typealias Response = EtcdMembersResponse
    public typealias ID = UInt64
    public static let path = "/v3/cluster/member/promote"
}

/// `POST /v3/cluster/member/remove`: the member leaves the cluster for good.
public typealias EtcdMemberRemoveRequest = EtcdIDRequest<EtcdMemberRemove>

public enum EtcdMemberRemove: EtcdIDMethod {
    public typealias Response = EtcdMembersResponse
    public typealias ID = UInt64
    public static let path = "/v3/cluster/member/remove"
}

/// `POST /v3/cluster/member/list`.
public struct EtcdMemberListRequest: EtcdRequest {
    public typealias Response = EtcdMembersResponse
    public static let path = "/v3/cluster/member/list"

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: EtcdMembersResponse.CodingKeys.self)
    }
}
