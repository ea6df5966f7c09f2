import Raft

/// A client's claim on a lock or an election, valid while service time has not passed `expiresAtMs`.
struct Lease: Codable, Sendable, Equatable {
    var client: UInt64
    var ttlMs: Int
    var expiresAtMs: Int

    init(client: UInt64, ttlMs: Int, now: Int) {
        self.client = client
        self.ttlMs = ttlMs
        expiresAtMs = Self.deadline(now: now, ttlMs: ttlMs)
    }

    /// Expired once the clock has passed the deadline (at the deadline itself it still holds).
    func expired(at now: Int) -> Bool { expiresAtMs < now }

    mutating func renew(at now: Int) { expiresAtMs = Self.deadline(now: now, ttlMs: ttlMs) }

    static func deadline(now: Int, ttlMs: Int) -> Int {
        let (sum, overflow) = now.addingReportingOverflow(ttlMs)
        return overflow ? Int.max : sum
    }
}

/// One lock as the console lists it.
public struct LockInfo: Codable, Sendable, Equatable {
    public var name: String
    /// Nil when the lock is free.
    public var holder: UInt64?
    /// The holder's fencing token; for a free lock, the last token granted.
    public var token: Int
    /// How long the holder's lease still runs, from the current service time.
    public var leaseRemainingMs: Int?
    /// Waiting clients, next in line first.
    public var waiters: [UInt64]

    public init(name: String, holder: UInt64?, token: Int, leaseRemainingMs: Int?, waiters: [UInt64]) {
        self.name = name
        self.holder = holder
        self.token = token
        self.leaseRemainingMs = leaseRemainingMs
        self.waiters = waiters
    }
}

/// The lock service's state. Tokens of one lock strictly increase over all its grants: the counter
/// lives in the lock's record, and a record forgotten to make room raises `retiredTokenFloor`, where a
/// new record's counter starts.
struct LockTable: Codable, Sendable, Equatable {
    struct Lock: Codable, Sendable, Equatable {
        /// The last fencing token granted; the holder's, when there is one.
        var lastToken: Int
        var holder: Lease?
        var waiters: [Lease] = []
        /// The index of the last entry that touched this lock, to forget the idlest free lock first.
        var lastActivity: LogIndex

        var isFree: Bool { holder == nil && waiters.isEmpty }

        mutating func grantToNextWaiter(now: Int) {
            guard !waiters.isEmpty else { return }
            let next = waiters.removeFirst()
            lastToken += 1
            holder = Lease(client: next.client, ttlMs: next.ttlMs, now: now)
        }
    }

    var locks: [String: Lock] = [:]
    var retiredTokenFloor = 0

    /// Releases expired holders (granting the next waiter) and drops expired waiters.
    mutating func expire(now: Int, index: LogIndex) {
        for name in locks.keys.sorted() {
            guard var lock = locks[name] else { continue }
            let before = lock
            lock.waiters.removeAll { $0.expired(at: now) }
            if let holder = lock.holder, holder.expired(at: now) {
                lock.holder = nil
                lock.grantToNextWaiter(now: now)
            }
            if lock != before {
                lock.lastActivity = index
                locks[name] = lock
            }
        }
    }

    mutating func acquire(_ name: String, client: UInt64, ttlMs: Int, now: Int, index: LogIndex,
                          limits: ServiceLimits) -> CommandResult {
        if locks[name] == nil {
            guard makeRoom(limit: limits.locks) else { return .tooMany(limit: limits.locks) }
            locks[name] = Lock(lastToken: retiredTokenFloor, holder: nil, lastActivity: index)
        }
        guard var lock = locks[name] else { return .notHeld }
        defer { lock.lastActivity = index; locks[name] = lock }
        if lock.holder?.client == client {
            lock.holder = Lease(client: client, ttlMs: ttlMs, now: now)
            return .granted(token: lock.lastToken)
        }
        if lock.holder == nil {
            // Only reachable with no waiters: expiry and release hand a free lock straight on.
            lock.lastToken += 1
            lock.holder = Lease(client: client, ttlMs: ttlMs, now: now)
            return .granted(token: lock.lastToken)
        }
        if let position = lock.waiters.firstIndex(where: { $0.client == client }) {
            lock.waiters[position] = Lease(client: client, ttlMs: ttlMs, now: now)
            return .queued(position: position + 1)
        }
        guard lock.waiters.count < limits.waitersPerLock else { return .tooMany(limit: limits.waitersPerLock) }
        lock.waiters.append(Lease(client: client, ttlMs: ttlMs, now: now))
        return .queued(position: lock.waiters.count)
    }

    mutating func release(_ name: String, client: UInt64, now: Int, index: LogIndex) -> CommandResult {
        guard var lock = locks[name] else { return .notHeld }
        if lock.holder?.client == client {
            lock.holder = nil
            lock.grantToNextWaiter(now: now)
            lock.lastActivity = index
            locks[name] = lock
            return .released
        }
        if let position = lock.waiters.firstIndex(where: { $0.client == client }) {
            lock.waiters.remove(at: position)
            lock.lastActivity = index
            locks[name] = lock
            return .withdrawn
        }
        return .notHeld
    }

    /// Renews every lease of `client`; returns how many.
    mutating func renew(client: UInt64, now: Int) -> Int {
        var count = 0
        for name in locks.keys.sorted() {
            guard var lock = locks[name] else { continue }
            var touched = false
            if lock.holder?.client == client {
                lock.holder?.renew(at: now)
                touched = true
                count += 1
            }
            for position in lock.waiters.indices where lock.waiters[position].client == client {
                lock.waiters[position].renew(at: now)
                touched = true
                count += 1
            }
            if touched { locks[name] = lock }
        }
        return count
    }

    /// Makes room for one more lock record by forgetting the idlest free lock (its last token becomes
    /// the floor new locks count from); false when every lock is busy.
    private mutating func makeRoom(limit: Int) -> Bool {
        while locks.count >= limit {
            let idlest = locks.filter { $0.value.isFree }
                .min { ($0.value.lastActivity, $0.key) < ($1.value.lastActivity, $1.key) }
            guard let idlest else { return false }
            retiredTokenFloor = max(retiredTokenFloor, idlest.value.lastToken)
            locks[idlest.key] = nil
        }
        return true
    }

    func info(now: Int) -> [LockInfo] {
        locks.keys.sorted().compactMap { name in
            guard let lock = locks[name] else { return nil }
            return LockInfo(name: name, holder: lock.holder?.client, token: lock.lastToken,
                            leaseRemainingMs: lock.holder.map { max(0, $0.expiresAtMs - now) },
                            waiters: lock.waiters.map(\.client))
        }
    }
}

/// One election as the console lists it.
public struct ElectionInfo: Codable, Sendable, Equatable {
    public var name: String
    public var leader: UInt64
    public var value: String
    /// The index of the entry that made the leader leader.
    public var revision: LogIndex
    /// How long the leader's lease still runs, from the current service time.
    public var leaseRemainingMs: Int
    /// Candidates, next in line first.
    public var candidates: [UInt64]

    public init(name: String, leader: UInt64, value: String, revision: LogIndex, leaseRemainingMs: Int,
                candidates: [UInt64]) {
        self.name = name
        self.leader = leader
        self.value = value
        self.revision = revision
        self.leaseRemainingMs = leaseRemainingMs
        self.candidates = candidates
    }
}

/// The election service's state. An election exists while it has a leader; when the last one leaves
/// it is forgotten (revisions are log indexes, so nothing needs remembering).
struct ElectionTable: Codable, Sendable, Equatable {
    struct Candidate: Codable, Sendable, Equatable {
        var lease: Lease
        var value: String
    }

    struct Election: Codable, Sendable, Equatable {
        var leader: Candidate
        var revision: LogIndex
        var candidates: [Candidate] = []

        /// The next candidate leads, as of the entry at `index`; false when there is none.
        mutating func promoteNext(now: Int, index: LogIndex) -> Bool {
            guard !candidates.isEmpty else { return false }
            var next = candidates.removeFirst()
            next.lease = Lease(client: next.lease.client, ttlMs: next.lease.ttlMs, now: now)
            leader = next
            revision = index
            return true
        }
    }

    var elections: [String: Election] = [:]

    /// Replaces expired leaders and drops expired candidates.
    mutating func expire(now: Int, index: LogIndex) {
        for name in elections.keys.sorted() {
            guard var election = elections[name] else { continue }
            let before = election
            election.candidates.removeAll { $0.lease.expired(at: now) }
            if election.leader.lease.expired(at: now), !election.promoteNext(now: now, index: index) {
                elections[name] = nil
                continue
            }
            if election != before { elections[name] = election }
        }
    }

    mutating func campaign(_ name: String, client: UInt64, value: String, ttlMs: Int, now: Int,
                           index: LogIndex, limits: ServiceLimits) -> CommandResult {
        let candidate = Candidate(lease: Lease(client: client, ttlMs: ttlMs, now: now), value: value)
        guard var election = elections[name] else {
            guard elections.count < limits.elections else { return .tooMany(limit: limits.elections) }
            elections[name] = Election(leader: candidate, revision: index)
            return .elected(revision: index)
        }
        if election.leader.lease.client == client {
            // Campaigning again renews the lease and updates the value (etcd's Proclaim).
            election.leader = candidate
            elections[name] = election
            return .elected(revision: election.revision)
        }
        if let position = election.candidates.firstIndex(where: { $0.lease.client == client }) {
            election.candidates[position] = candidate
            elections[name] = election
            return .candidate(position: position + 1)
        }
        guard election.candidates.count < limits.candidatesPerElection else {
            return .tooMany(limit: limits.candidatesPerElection)
        }
        election.candidates.append(candidate)
        elections[name] = election
        return .candidate(position: election.candidates.count)
    }

    mutating func resign(_ name: String, client: UInt64, now: Int, index: LogIndex) -> CommandResult {
        guard var election = elections[name] else { return .notHeld }
        if election.leader.lease.client == client {
            elections[name] = election.promoteNext(now: now, index: index) ? election : nil
            return .resigned
        }
        if let position = election.candidates.firstIndex(where: { $0.lease.client == client }) {
            election.candidates.remove(at: position)
            elections[name] = election
            return .withdrawn
        }
        return .notHeld
    }

    mutating func renew(client: UInt64, now: Int) -> Int {
        var count = 0
        for name in elections.keys.sorted() {
            guard var election = elections[name] else { continue }
            var touched = false
            if election.leader.lease.client == client {
                election.leader.lease.renew(at: now)
                touched = true
                count += 1
            }
            for position in election.candidates.indices where election.candidates[position].lease.client == client {
                election.candidates[position].lease.renew(at: now)
                touched = true
                count += 1
            }
            if touched { elections[name] = election }
        }
        return count
    }

    func info(now: Int) -> [ElectionInfo] {
        elections.keys.sorted().compactMap { name in
            guard let election = elections[name] else { return nil }
            return ElectionInfo(name: name, leader: election.leader.lease.client, value: election.leader.value,
                                revision: election.revision,
                                leaseRemainingMs: max(0, election.leader.lease.expiresAtMs - now),
                                candidates: election.candidates.map(\.lease.client))
        }
    }
}

/// The bounds on the lock and election tables.
public struct ServiceLimits: Codable, Sendable, Equatable {
    public var locks: Int
    public var waitersPerLock: Int
    public var elections: Int
    public var candidatesPerElection: Int

    public init(locks: Int = 1024, waitersPerLock: Int = 1024, elections: Int = 1024,
                candidatesPerElection: Int = 1024) {
        self.locks = locks
        self.waitersPerLock = waitersPerLock
        self.elections = elections
        self.candidatesPerElection = candidatesPerElection
    }
}
