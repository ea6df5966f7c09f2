import EtcdClient
import Synchronization

/// One named client's session on etcd: the lease its locks and campaigns hang on, whether it
/// renews it, and the keys it holds. Values only; `EtcdSessionTable` keeps them.
struct EtcdSession: Sendable {
    /// The lease, once granted; nil before the first lock or campaign and after it expired.
    var leaseID: Int64?
    /// The TTL etcd granted (it may raise a TTL below its minimum).
    var ttlSeconds: Int64 = 0
    /// A paused client sends nothing, keep-alives included: its lease runs out on etcd's clock.
    var paused = false
    /// Whether a renewal loop runs for this client.
    var renewing = false
    /// The locks the client was granted, by lock name.
    var locks: [String: HeldLock] = [:]
    /// The leaderships the client won, by election name.
    var leaderships: [String: EtcdLeaderKey] = [:]
}

/// A granted lock: its key and fencing token (the key's create revision).
struct HeldLock: Sendable, Equatable {
    var key: EtcdBytes
    var token: Int64
}

/// Every named client's session, and which lock key each fencing token names. Safe from any task.
final class EtcdSessionTable: Sendable {
    private let sessions = Mutex<[String: EtcdSession]>([:])
    /// Fencing token (a lock key's create revision) → the lock key, for `put K V --fence T`: a
    /// revision is unique in etcd, so one table serves every lock.
    private let lockKeysByToken = Mutex<[Int64: EtcdBytes]>([:])
    /// Lock names the console has used, for the lock view.
    private let lockNames = Mutex<[String]>([])
    /// Election names the console has campaigned in, for the election view.
    private let electionNames = Mutex<[String]>([])
    /// Commands of paused clients, parked in the order they came until `client resume` (as the
    /// Raft clients park theirs).
    private let parked = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    /// Returns when `name` is not paused: at once, or when `client resume` (or the back end
    /// stopping) lets it go on.
    func waitWhilePaused(_ name: String) async {
        guard session(name).paused else { return }
        await withCheckedContinuation { continuation in
            // The pause check and the parking happen under the sessions' lock, so a resume cannot
            // slip in between them.
            let parkedHere = sessions.withLock { table -> Bool in
                guard table[name]?.paused == true else { return false }
                parked.withLock { $0[name, default: []].append(continuation) }
                return true
            }
            if !parkedHere { continuation.resume() }
        }
    }

    /// Marks `name` paused or not; a resume lets its parked commands go on, oldest first.
    /// - Returns: the session after the change, and how many commands were parked.
    func setPaused(_ name: String, _ paused: Bool) -> (session: EtcdSession, resumed: Int) {
        let (session, waiting) = sessions.withLock { table in
            table[name, default: EtcdSession()].paused = paused
            let waiting = paused ? [] : parked.withLock { $0.removeValue(forKey: name) ?? [] }
            return (table[name]!, waiting)
        }
        for continuation in waiting { continuation.resume() }
        return (session, waiting.count)
    }

    /// Lets every parked command go on (the back end is stopping: they will find it stopped).
    func releaseParked() {
        let all = parked.withLock { table in
            defer { table = [:] }
            return table.values.flatMap { $0 }
        }
        for continuation in all { continuation.resume() }
    }

    /// The session of `name` (an empty one when the client never held a lease).
    func session(_ name: String) -> EtcdSession {
        sessions.withLock { $0[name] ?? EtcdSession() }
    }

    /// Changes the session of `name`, creating it when needed, and returns what `change` returns.
    @discardableResult
    func update<Value>(_ name: String, _ change: (inout EtcdSession) -> Value) -> Value {
        sessions.withLock { change(&$0[name, default: EtcdSession()]) }
    }

    /// Every session, by client name in name order.
    var all: [(name: String, session: EtcdSession)] {
        sessions.withLock { $0.sorted { $0.key < $1.key }.map { (name: $0.key, session: $0.value) } }
    }

    /// Client names by lease id (as the views' `UInt64` client ids).
    var namesByLease: [UInt64: String] {
        sessions.withLock { table in
            var names: [UInt64: String] = [:]
            for (name, session) in table {
                if let lease = session.leaseID { names[UInt64(bitPattern: lease)] = name }
            }
            return names
        }
    }

    /// Remembers a granted lock: its key under `token`, and the lock's name for the view.
    func granted(lock: String, key: EtcdBytes, token: Int64, to client: String) {
        lockKeysByToken.withLock { $0[token] = key }
        lockNames.withLock { if !$0.contains(lock) { $0.append(lock) } }
        update(client) { $0.locks[lock] = HeldLock(key: key, token: token) }
    }

    /// The lock key a fencing token came from, if this console granted it.
    func lockKey(ofToken token: Int64) -> EtcdBytes? {
        lockKeysByToken.withLock { $0[token] }
    }

    /// Remembers an election the console campaigned in, for the election view.
    func campaigned(in election: String) {
        electionNames.withLock { if !$0.contains(election) { $0.append(election) } }
    }

    /// The election names campaigned in so far, in first-use order.
    var knownElections: [String] { electionNames.withLock { $0 } }

    /// The lock names used so far, in first-use order.
    var knownLocks: [String] { lockNames.withLock { $0 } }
}
