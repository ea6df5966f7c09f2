// etcd's lock service (`/v3/lock/lock|unlock`, the v3lock API) and the fenced write that goes with
// it. A lock is a key `NAME/LEASE` attached to the holder's lease; its create revision is the
// fencing token, higher for every later holder, and the key goes when the lease expires.

/// `POST /v3/lock/lock`: waits until `name` is held with `lease`; the answer names the lock key.
/// The call blocks while another holds the lock; closing its connection gives up (etcd then
/// deletes the waiting key).
public struct EtcdLockRequest: EtcdRequest {
    public typealias Response = EtcdLockResponse
    public static let path = "/v3/lock/lock"

    /// The lock's name (the prefix of its keys).
    public var name: EtcdBytes
    /// The lease the lock key hangs on: the lock goes when it expires.
    public var lease: Int64

    public init(name: EtcdBytes, lease: Int64) {
        self.name = name
        self.lease = lease
    }

    enum CodingKeys: String, CodingKey {
        case name, lease
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeEtcdInteger(lease, forKey: .lease)
    }
}

/// The held lock: its key, and in the header the revision at which it was granted.
public struct EtcdLockResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// The lock key (`NAME/LEASE` in hex); hand it to unlock and to fenced writes.
    public var key: EtcdBytes

    enum CodingKeys: String, CodingKey {
        case header, key
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        key = try container.etcdBytes(.key)
    }
}

/// `POST /v3/lock/unlock`: deletes the lock key (a key that is gone already is no error).
public struct EtcdUnlockRequest: EtcdRequest {
    public typealias Response = EtcdHeaderOnlyResponse
    public static let path = "/v3/lock/unlock"

    public var key: EtcdBytes

    public init(key: EtcdBytes) {
        self.key = key
    }

    enum CodingKeys: String, CodingKey {
        case key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
    }
}

/// `POST /v3/kv/txn` as a fenced put: store `value` under `key` only if the lock key `lockKey`
/// still exists with create revision `token`, in one request, so no other holder can come between
/// the check and the write. Otherwise read the lock key, to say what became of it.
public struct EtcdFencedPutRequest: EtcdRequest {
    public typealias Response = EtcdFencedPutResponse
    public static let path = "/v3/kv/txn"

    /// The key to write, and its value.
    public var key: EtcdBytes
    public var value: EtcdBytes
    /// The lock key the write is fenced by, and the create revision it must still have.
    public var lockKey: EtcdBytes
    public var token: Int64

    public init(key: EtcdBytes, value: EtcdBytes, lockKey: EtcdBytes, token: Int64) {
        self.key = key
        self.value = value
        self.lockKey = lockKey
        self.token = token
    }

    enum CodingKeys: String, CodingKey {
        case compare, success, failure
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([EtcdLockKeyCompare(lockKey: lockKey, token: token)], forKey: .compare)
        let put = EtcdPutRequest(key: key, value: value, previousKeyValue: true)
        try container.encode([EtcdTxnOperation.put(put)], forKey: .success)
        try container.encode([EtcdTxnOperation.range(EtcdRangeRequest(key: lockKey))], forKey: .failure)
    }
}

/// The answer to a fenced put: whether the lock key held, what the put replaced, or what the lock
/// key is now.
public struct EtcdFencedPutResponse: Decodable, Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var succeeded: Bool
    /// On success, the value the key held before (nil: absent).
    public var previous: EtcdKeyValue?
    /// On failure, the lock key as it is now (nil: gone — its lease expired or it was unlocked).
    public var currentLockKey: EtcdKeyValue?

    enum CodingKeys: String, CodingKey {
        case header, succeeded, responses
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.etcdHeader(.header)
        succeeded = try container.etcdFlag(.succeeded)
        let responses = try container.etcdOptional([EtcdTxnOperationResponse].self, .responses) ?? []
        previous = responses.first?.responsePut?.previousKeyValue
        currentLockKey = responses.first?.responseRange?.keyValues.first
    }
}

/// `POST /v3/kv/txn` as an unlock that says whether it released anything: delete the lock key only
/// if it still has create revision `token`. (etcd's `/v3/lock/unlock` is a plain delete that
/// answers the same whether or not the key was still there; the history must know which.)
public struct EtcdGuardedUnlockRequest: EtcdRequest {
    public typealias Response = EtcdFencedPutResponse
    public static let path = "/v3/kv/txn"

    /// The lock key to delete, and the create revision it must still have.
    public var lockKey: EtcdBytes
    public var token: Int64

    public init(lockKey: EtcdBytes, token: Int64) {
        self.lockKey = lockKey
        self.token = token
    }

    enum CodingKeys: String, CodingKey {
        case compare, success
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([EtcdLockKeyCompare(lockKey: lockKey, token: token)], forKey: .compare)
        try container.encode([EtcdTxnOperation.delete(EtcdDeleteRequest(key: lockKey))], forKey: .success)
    }
}

/// A Txn compare that holds while the lock key exists with create revision `token`. A missing
/// key's create revision is 0, so a key deleted by its lease's expiry fails it too.
struct EtcdLockKeyCompare: Encodable {
    var lockKey: EtcdBytes
    var token: Int64

    enum CodingKeys: String, CodingKey {
        case key, result, target, createRevision = "create_revision"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lockKey, forKey: .key)
        try container.encode("EQUAL", forKey: .result)
        try container.encode("CREATE", forKey: .target)
        try container.encode(String(token), forKey: .createRevision)
    }
}
