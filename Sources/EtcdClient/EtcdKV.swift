// The key-value methods: `/v3/kv/put` and `/v3/kv/range`. (deleterange and txn follow the same
// pattern when a caller needs them.)

/// A stored key with its value and revisions, as `range` and `prevKv` return it.
public struct EtcdKeyValue: Decodable, Sendable, Equatable {
    public var key: EtcdBytes
    public var value: EtcdBytes
    /// The revision of the last creation of this key (a lock's fencing token).
    public var createRevision: Int64
    /// The revision of the last modification.
    public var modRevision: Int64
    /// Modifications since the last creation (1 after the first put).
    public var version: Int64
    /// The lease the key is attached to, 0 for none.
    public var lease: Int64

    public init(key: EtcdBytes, value: EtcdBytes, createRevision: Int64 = 0, modRevision: Int64 = 0,
                version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    enum CodingKeys: String, CodingKey {
        case key, value, createRevision = "create_revision", modRevision = "mod_revision"
        case version, lease
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.etcdBytes(.key)
        value = try container.etcdBytes(.value)
        createRevision = try container.etcdInteger(.createRevision)
        modRevision = try container.etcdInteger(.modRevision)
        version = try container.etcdInteger(.version)
        lease = try container.etcdInteger(.lease)
    }
}

/// `POST /v3/kv/put`: stores `value` under `key`.
public struct EtcdPutRequest: EtcdRequest {
    public typealias Response = EtcdPutResponse
    public static let path = "/v3/kv/put"

    public var key: EtcdBytes
    public var value: EtcdBytes
    /// Attaches the key to this lease (0: none); the key goes when the lease expires.
    public var lease: Int64 = 0
    /// Asks for the value the put replaced.
    public var previousKeyValue = false

    public init(key: EtcdBytes, value: EtcdBytes, lease: Int64 = 0, previousKeyValue: Bool = false) {
        self.key = key
        self.value = value
        self.lease = lease
        self.previousKeyValue = previousKeyValue
    }

    enum CodingKeys: String, CodingKey {
        case key, value, lease, previousKeyValue = "prev_kv"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encodeEtcdBytes(value, forKey: .value)
        try container.encodeEtcdInteger(lease, forKey: .lease)
        try container.encodeEtcdFlag(previousKeyValue, forKey: .previousKeyValue)
    }
}

/// The answer to a put.
public struct EtcdPutResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// The replaced key-value, when asked for and the key existed.
    public var previousKeyValue: EtcdKeyValue?

    enum CodingKeys: String, CodingKey {
        case header, previousKeyValue = "prev_kv"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        previousKeyValue = try container.etcdOptional(EtcdKeyValue.self, .previousKeyValue)
    }
}

/// `POST /v3/kv/range`: the key, or the keys in [key, rangeEnd).
public struct EtcdRangeRequest: EtcdRequest {
    public typealias Response = EtcdRangeResponse
    public static let path = "/v3/kv/range"

    public var key: EtcdBytes
    /// The end of the range, exclusive; empty for the single key.
    public var rangeEnd: EtcdBytes = EtcdBytes([])
    /// At most this many keys (0: no limit).
    public var limit: Int64 = 0
    /// Read at this revision (0: the newest).
    public var revision: Int64 = 0
    /// Answer from the member's own state without a quorum round (possibly stale).
    public var serializable = false

    public init(key: EtcdBytes, rangeEnd: EtcdBytes = EtcdBytes([]), limit: Int64 = 0,
                revision: Int64 = 0, serializable: Bool = false) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.limit = limit
        self.revision = revision
        self.serializable = serializable
    }

    /// Every key that starts with `prefix` (etcdctl's `--prefix`).
    public static func prefix(_ prefix: EtcdBytes) -> EtcdRangeRequest {
        EtcdRangeRequest(key: prefix, rangeEnd: rangeEnd(ofPrefix: prefix))
    }

    /// The smallest key after every key starting with `prefix`: the prefix with its last byte
    /// below 0xFF incremented and what follows dropped; "\0" (every key) when there is none.
    static func rangeEnd(ofPrefix prefix: EtcdBytes) -> EtcdBytes {
        var bytes = prefix.bytes
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return EtcdBytes(bytes)
            }
            bytes.removeLast()
        }
        return EtcdBytes([0])
    }

    enum CodingKeys: String, CodingKey {
        case key, rangeEnd = "range_end", limit, revision, serializable
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encodeEtcdBytes(rangeEnd, forKey: .rangeEnd)
        try container.encodeEtcdInteger(limit, forKey: .limit)
        try container.encodeEtcdInteger(revision, forKey: .revision)
        try container.encodeEtcdFlag(serializable, forKey: .serializable)
    }
}

/// The answer to a range.
public struct EtcdRangeResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// The keys found, in key order (missing from the JSON when none).
    public var keyValues: [EtcdKeyValue]
    /// Whether more keys matched than `limit` let through.
    public var more: Bool
    /// How many keys matched.
    public var count: Int64

    enum CodingKeys: String, CodingKey {
        case header, keyValues = "kvs", more, count
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        keyValues = try container.etcdOptional([EtcdKeyValue].self, .keyValues) ?? []
        more = try container.etcdFlag(.more)
        count = try container.etcdInteger(.count)
    }
}
