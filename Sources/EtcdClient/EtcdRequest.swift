/// One call of etcd's v3 gateway: a JSON body POSTed to `path`, answered by a `Response`.
///
/// Each gateway method is a request type (`EtcdPutRequest`, `EtcdRangeRequest`,
/// `EtcdStatusRequest` …); the ones not written yet (txn, lease, lock, election, members) slot in
/// the same way: a struct that encodes its fields with the helpers in EtcdJSON.swift, and a
/// response that decodes with them.
public protocol EtcdRequest: Encodable, Sendable {
    associatedtype Response: Decodable, Sendable
    /// The gateway path, e.g. `/v3/kv/put`.
    static var path: String { get }
}

/// What every answer carries: which cluster and member answered, at which revision and term.
public struct EtcdResponseHeader: Decodable, Sendable, Equatable {
    public var clusterID: UInt64
    public var memberID: UInt64
    /// The key-value store's revision when the request was applied.
    public var revision: Int64
    public var raftTerm: UInt64

    public init(clusterID: UInt64 = 0, memberID: UInt64 = 0, revision: Int64 = 0,
                raftTerm: UInt64 = 0) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.revision = revision
        self.raftTerm = raftTerm
    }

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id", memberID = "member_id", revision, raftTerm = "raft_term"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusterID = try container.etcdInteger(.clusterID)
        memberID = try container.etcdInteger(.memberID)
        revision = try container.etcdInteger(.revision)
        raftTerm = try container.etcdInteger(.raftTerm)
    }
}

extension KeyedDecodingContainer {
    /// The header of an answer; an empty one when it is missing.
    func etcdHeader(_ key: Key) throws -> EtcdResponseHeader {
        try decodeIfPresent(EtcdResponseHeader.self, forKey: key) ?? EtcdResponseHeader()
    }
}

/// A gateway method whose request body is one id: lease keep-alive, time-to-live and revoke (lease
/// ids), member promote and remove (member ids).
public protocol EtcdIDMethod: Sendable {
    associatedtype Response: Decodable & Sendable
    /// Lease ids use all 64 bits signed, member ids unsigned.
    associatedtype ID: FixedWidthInteger & Sendable
    static var path: String { get }
}

/// The request of an `EtcdIDMethod`: `{"ID": "…"}`, the id as a decimal string.
public struct EtcdIDRequest<Method: EtcdIDMethod>: EtcdRequest {
    public typealias Response = Method.Response
    public static var path: String { Method.path }

    public var id: Method.ID

    public init(id: Method.ID) {
        self.id = id
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeEtcdInteger(id, forKey: .id)
    }
}
