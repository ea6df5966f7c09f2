/// One client operation, one line of a history file (docs/HISTORY.md): what was asked, when, and how
/// it ended. The field names are the file's. `clusterdeck check` reads the file with the checker's
/// `HistoryOperation`, which has the same fields: the checker stays free of front-end types, and
/// Cluster converts between the two in one place (tested by a round trip).
public struct HistoryRecord: Codable, Sendable, Equatable {
    /// How the operation ended.
    public enum Outcome: String, Codable, Sendable {
        /// Took effect (a write) or was answered (a read).
        case ok
        /// Certainly did not take effect.
        case fail
        /// May or may not have taken effect: the client gave up without an answer.
        case unknown
    }

    /// The named client that issued the operation.
    public var process: String
    /// What it did: `put`, `get`, `del`, `cas`, `lock`, `unlock`, `campaign`, `resign`, … (a string,
    /// as in the file: a back end may record kinds the checker ignores).
    public var f: String
    /// The key, or the lock's or election's name.
    public var key: String
    /// put: the value written; get: the value read (nil when absent).
    public var value: String?
    /// cas: the value expected.
    public var old: String?
    /// cas: the value to set; lock and unlock: the result as text.
    public var new: String?
    /// Seconds since the run began when the client issued the operation.
    public var invoke: Double
    /// Seconds since the run began when the outcome was known; nil when `unknown`.
    public var complete: Double?
    /// How it ended.
    public var outcome: Outcome
    /// lock: the fencing token granted; fenced put: the token it carried.
    public var token: Int?
    /// lock and campaign: the lease asked for, in milliseconds (the file's `ttl`).
    public var ttlMs: Int?
    /// The service's answer, when there is more to say than the outcome: `granted`, `queued`,
    /// `released`, `withdrawn`, `notHeld`, `compareFailed`, `fenced`, …
    public var result: String?
    /// get: true when the read was a deliberately stale one from a single replica.
    public var stale: Bool?
    /// put, del and cas answered ok: the value the key held just before, as the answer said.
    public var previous: String?

    enum CodingKeys: String, CodingKey {
        case process, f, key, value, old, new, invoke, complete, outcome, token, result, stale, previous
        case ttlMs = "ttl"
    }

    /// Creates a record; the fields the file may leave out default to nil.
    public init(process: String, f: String, key: String, value: String? = nil, old: String? = nil,
                new: String? = nil, invoke: Double, complete: Double?, outcome: Outcome,
                token: Int? = nil, ttlMs: Int? = nil, result: String? = nil, stale: Bool? = nil,
                previous: String? = nil) {
        self.process = process
        self.f = f
        self.key = key
        self.value = value
        self.old = old
        self.new = new
        self.invoke = invoke
        self.complete = complete
        self.outcome = outcome
        self.token = token
        self.ttlMs = ttlMs
        self.result = result
        self.stale = stale
        self.previous = previous
    }
}
