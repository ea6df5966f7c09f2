// `/v3/kv/deleterange` and `/v3/kv/txn` (one compare, one put or one range): what a console's
// `del` and `cas` need, and no more of etcd's transaction language.

/// `POST /v3/kv/deleterange`: deletes one key, asking for what it held.
public struct EtcdDeleteRequest: EtcdRequest {
    public typealias Response = EtcdDeleteResponse
    public static let path = "/v3/kv/deleterange"

    public var key: EtcdBytes

    public init(key: EtcdBytes) {
        self.key = key
    }

    enum CodingKeys: String, CodingKey {
        case key, previousKeyValue = "prev_kv"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encodeEtcdFlag(true, forKey: .previousKeyValue)
    }
}

/// The answer to a delete: how many keys went, and what they held.
public struct EtcdDeleteResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var deleted: Int64
    public var previousKeyValues: [EtcdKeyValue]

    enum CodingKeys: String, CodingKey {
        case header, deleted, previousKeyValues = "prev_kvs"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        deleted = try container.etcdInteger(.deleted)
        previousKeyValues = try container.etcdOptional([EtcdKeyValue].self, .previousKeyValues) ?? []
    }
}

/// `POST /v3/kv/txn` as compare-and-set: if `key` holds `expected`, store `value`; otherwise read
/// the key, so the caller can say what it holds. (etcd fails a value compare on a missing key.)
public struct EtcdCompareAndSetRequest: EtcdRequest {
    public typealias Response = EtcdCompareAndSetResponse
    public static let path = "/v3/kv/txn"

    public var key: EtcdBytes
    public var expected: EtcdBytes
    public var value: EtcdBytes

    public init(key: EtcdBytes, expected: EtcdBytes, value: EtcdBytes) {
        self.key = key
        self.expected = expected
        self.value = value
    }

    private struct Compare: Encodable {
        var key: EtcdBytes
        var result = "EQUAL"
        var target = "VALUE"
        var value: EtcdBytes
    }

    enum CodingKeys: String, CodingKey {
        case compare, success, failure
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([Compare(key: key, value: expected)], forKey: .compare)
        try container.encode([EtcdTxnOperation.put(EtcdPutRequest(key: key, value: value))],
                             forKey: .success)
        try container.encode([EtcdTxnOperation.range(EtcdRangeRequest(key: key))],
                             forKey: .failure)
    }
}

/// The answer to a compare-and-set: whether the compare held, and on failure what the key holds.
public struct EtcdCompareAndSetResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var succeeded: Bool
    /// On failure, the key as the failure branch's range read it (nil: absent).
    public var current: EtcdKeyValue?

    enum CodingKeys: String, CodingKey {
        case header, succeeded, responses
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        succeeded = try container.etcdFlag(.succeeded)
        let responses = try container.etcdOptional([EtcdTxnOperationResponse].self, .responses) ?? []
        current = responses.first?.responseRange?.keyValues.first
    }
}

/// One branch operation of a Txn: `{"request_put": …}` or `{"request_range": …}`.
enum EtcdTxnOperation: Encodable {
    case put(EtcdPutRequest)
    case range(EtcdRangeRequest)
    case delete(EtcdDeleteRequest)

    enum CodingKeys: String, CodingKey {
        case put = "request_put", range = "request_range", delete = "request_delete_range"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .put(let request): try container.encode(request, forKey: .put)
        case .range(let request): try container.encode(request, forKey: .range)
        case .delete(let request): try container.encode(request, forKey: .delete)
        }
    }
}

/// One branch operation's answer (`response_put` or `response_range`).
struct EtcdTxnOperationResponse: Decodable {
    var responsePut: EtcdPutResponse?
    var responseRange: EtcdRangeResponse?

    enum CodingKeys: String, CodingKey {
        case responsePut = "response_put", responseRange = "response_range"
    }
}

extension EtcdConnection {
    /// Deletes `key` (`POST /v3/kv/deleterange`).
    public func delete(_ key: EtcdBytes) async throws -> EtcdDeleteResponse {
        try await call(EtcdDeleteRequest(key: key))
    }

    /// Sets `key` to `value` if it holds `expected` (`POST /v3/kv/txn`).
    public func compareAndSet(_ key: EtcdBytes, expected: EtcdBytes, value: EtcdBytes) async throws
        -> EtcdCompareAndSetResponse {
        try await call(EtcdCompareAndSetRequest(key: key, expected: expected, value: value))
    }
}
