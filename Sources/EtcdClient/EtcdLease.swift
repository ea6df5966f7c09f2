// The lease methods: `/v3/lease/grant|keepalive|timetolive|revoke`. A lease is etcd's clock for a
// client: keys attached to it (lock and election keys) go when it expires, on the leader's clock.

/// `POST /v3/lease/grant`: a new lease of `ttlSeconds` (etcd may raise a TTL below its minimum).
public struct EtcdLeaseGrantRequest: EtcdRequest {
    public typealias Response = EtcdLeaseGrantResponse
    public static let path = "/v3/lease/grant"

    /// The lease's time to live, in seconds.
    public var ttlSeconds: Int64

    public init(ttlSeconds: Int64) {
        self.ttlSeconds = ttlSeconds
    }

    enum CodingKeys: String, CodingKey {
        case ttlSeconds = "TTL"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeEtcdInteger(ttlSeconds, forKey: .ttlSeconds)
    }
}

/// A lease as grant and keep-alive answer it: its id and the TTL it now has.
public struct EtcdLeaseGrantResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// The lease id (keys attach to it; all 64 bits are used).
    public var id: Int64
    /// Seconds the lease lives from now (0 in a keep-alive answer: the lease has expired).
    public var ttlSeconds: Int64

    enum CodingKeys: String, CodingKey {
        case header, id = "ID", ttlSeconds = "TTL"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        id = try container.etcdInteger(.id)
        ttlSeconds = try container.etcdInteger(.ttlSeconds)
    }
}

/// `POST /v3/lease/keepalive`: one renewal. The method is a stream in gRPC; the gateway answers a
/// body of one request with one `{"result": …}` and ends the answer, so it fits a plain call.
public typealias EtcdLeaseKeepAliveRequest = EtcdIDRequest<EtcdLeaseKeepAlive>

public enum EtcdLeaseKeepAlive: EtcdIDMethod {
    public typealias Response = EtcdLeaseKeepAliveResponse
    public typealias ID = Int64
    public static let path = "/v3/lease/keepalive"
}

/// The answer to a renewal: the stream's one `result`.
public struct EtcdLeaseKeepAliveResponse: Decodable, Sendable, Equatable {
    public var result: EtcdLeaseGrantResponse

    /// Whether etcd still had the lease (an expired or revoked lease renews to a TTL of 0).
    public var isAlive: Bool { result.ttlSeconds > 0 }

    enum CodingKeys: String, CodingKey {
        case result
    }
}

/// `POST /v3/lease/timetolive`: how long a lease has left, on the leader's clock.
public typealias EtcdLeaseTimeToLiveRequest = EtcdIDRequest<EtcdLeaseTimeToLive>

public enum EtcdLeaseTimeToLive: EtcdIDMethod {
    public typealias Response = EtcdLeaseTimeToLiveResponse
    public typealias ID = Int64
    public static let path = "/v3/lease/timetolive"
}

/// A lease's remaining and granted TTL.
public struct EtcdLeaseTimeToLiveResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var id: Int64
    /// Seconds left; -1 when the lease is gone (expired or revoked).
    public var ttlSeconds: Int64
    /// The TTL the lease was granted with.
    public var grantedTTLSeconds: Int64

    /// Whether the lease still exists.
    public var isAlive: Bool { ttlSeconds >= 0 }

    enum CodingKeys: String, CodingKey {
        case header, id = "ID", ttlSeconds = "TTL", grantedTTLSeconds = "grantedTTL"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        id = try container.etcdInteger(.id)
        ttlSeconds = try container.etcdInteger(.ttlSeconds)
        grantedTTLSeconds = try container.etcdInteger(.grantedTTLSeconds)
    }
}

/// `POST /v3/lease/revoke`: ends a lease now, deleting its keys.
public typealias EtcdLeaseRevokeRequest = EtcdIDRequest<EtcdLeaseRevoke>

public enum EtcdLeaseRevoke: EtcdIDMethod {
    public typealias Response = EtcdHeaderOnlyResponse
    public typealias ID = Int64
    public static let path = "/v3/lease/revoke"
}

/// An answer that carries only the header (revoke, unlock, resign).
public struct EtcdHeaderOnlyResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader

    enum CodingKeys: String, CodingKey {
        case header
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
    }
}

/// `POST /v3/maintenance/transfer-leadership` (etcd's move-leader), sent to the leader: it
/// catches the target up and tells it to campaign at once.
public struct EtcdMoveLeaderRequest: EtcdRequest {
    public typealias Response = EtcdHeaderOnlyResponse
    public static let path = "/v3/maintenance/transfer-leadership"

    /// The member to lead next.
    public var targetID: UInt64

    public init(targetID: UInt64) {
        self.targetID = targetID
    }

    enum CodingKeys: String, CodingKey {
        case targetID
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeEtcdInteger(targetID, forKey: .targetID)
    }
}
