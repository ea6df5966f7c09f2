import ClusterAPI
import EtcdClient

/// Locks on etcd: `lock` through etcd's lock API with the client's lease, the lock key's create
/// revision as the fencing token; `unlock`; and `put K V --fence T` as one Txn that compares the
/// lock key in the same request. Recorded in the history as the Raft back end records them
/// (`lock` granted with `token`, `unlock` released or notHeld, a fenced put refused as `fenced`),
/// so `check` reads both the same way.
extension EtcdCluster {
    /// How long a `lock` waits for the lock: 30 s, or three leases, whichever is longer (as on Raft).
    static func lockWaitMs(ttlMs: Int) -> Int { max(30_000, 3 * ttlMs) }

    /// The pool's name for a client's connection that waits in a blocking call on `name`: closing
    /// it gives up the wait (etcd deletes the waiting key), and the client's other calls go on.
    static func waitConnection(of client: String, on name: String) -> String { "\(client)·wait·\(name)" }

    /// `lock NAME [ttl D]`: renews or grants the client's lease, then waits in etcd's lock API.
    func lock(_ name: String, ttlMs: Int?, client: String, announcing: Bool) async -> CommandOutput {
        let ttlMs = ttlMs ?? Self.defaultLeaseMs
        var record = HistoryRecord(process: client, f: "lock", key: name, invoke: now, complete: nil,
                                   outcome: .unknown, ttlMs: ttlMs)
        let lease: (id: Int64, ttlSeconds: Int64)
        switch await ensureLease(for: client, ttlMs: ttlMs) {
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: false, node: nil, announcing: announcing)
        case .success(let granted): lease = granted
        }
        // The lease was renewed after `invoke`: etcd holds the lock at least the lease's TTL from then.
        record.ttlMs = Int(lease.ttlSeconds) * 1_000
        let (ending, node) = await attempt(client: Self.waitConnection(of: client, on: name), isWrite: true,
                                           withinMs: Self.lockWaitMs(ttlMs: ttlMs)) { connection, milliseconds in
            let held = try await connection.call(EtcdLockRequest(name: EtcdBytes(name), lease: lease.id),
                                                 withinMs: milliseconds)
            // The answer names the key, not its create revision: read it (it cannot change while
            // the key exists).
            let found = try await connection.call(EtcdRangeRequest(key: held.key), withinMs: milliseconds)
            return (key: held.key, token: found.keyValues.first?.createRevision)
        }
        switch ending {
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: true, node: node, announcing: announcing)
        case .success((let key, nil)):
            record.result = "lost"
            return remember(&record, outcome: .ok, node: node, announcing: announcing,
                            output: .error("etcd granted \(name), but its key \(key) was gone before its token "
                                + "could be read (the lease expired)"))
        case .success((let key, let token?)):
            sessions.granted(lock: name, key: key, token: token, to: client)
            record.token = Int(token)
            record.result = "granted"
            record.new = "granted, token \(token)"
            return remember(&record, outcome: .ok, node: node, announcing: announcing, output: CommandOutput(
                lines: ["granted, token \(token) (lock key \(key), lease \(Self.hex(lease.id)), "
                    + "ttl \(lease.ttlSeconds) s)"]))
        }
    }

    /// `unlock NAME`: deletes the client's lock key if it is still the one granted.
    func unlock(_ name: String, client: String, announcing: Bool) async -> CommandOutput {
        var record = HistoryRecord(process: client, f: "unlock", key: name, invoke: now, complete: nil,
                                   outcome: .unknown)
        guard let held = sessions.session(client).locks[name] else {
            record.result = "notHeld"
            record.new = "not held"
            return remember(&record, outcome: .ok, node: nil, announcing: announcing,
                            output: CommandOutput(lines: ["not held: \(client) holds no key of \(name)"], ok: false))
        }
        let (ending, node) = await call(EtcdGuardedUnlockRequest(lockKey: held.key, token: held.token),
            as: client, isWrite: true)
        switch ending {
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: true, node: node, announcing: announcing)
        case .success(let answer):
            sessions.update(client) { _ = $0.locks.removeValue(forKey: name) }
            record.result = answer.succeeded ? "released" : "notHeld"
            record.new = answer.succeeded ? "released" : "not held"
            let text = answer.succeeded ? "released (token \(held.token))"
                : "not held: the key of token \(held.token) was gone already (its lease expired)"
            return remember(&record, outcome: .ok, node: node, announcing: announcing,
                            output: CommandOutput(lines: [text], ok: answer.succeeded))
        }
    }

    /// `put K V --fence T`: one Txn that writes only while the lock key of token T exists with that
    /// create revision. The console only looks up which key the token names; etcd decides.
    func fencedPut(key: String, value: String, token: Int, client: String, announcing: Bool) async -> CommandOutput {
        guard let lockKey = sessions.lockKey(ofToken: Int64(token)) else {
            return .error("no lock granted on this console has token \(token): a fence names a token `lock` printed")
        }
        var record = HistoryRecord(process: client, f: "put", key: key, value: value, invoke: now, complete: nil,
                                   outcome: .unknown, token: token)
        let request = EtcdFencedPutRequest(key: EtcdBytes(key), value: EtcdBytes(value), lockKey: lockKey,
                                           token: Int64(token))
        let (ending, node) = await call(request, as: client, isWrite: true)
        switch ending {
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: true, node: node, announcing: announcing)
        case .success(let answer) where answer.succeeded:
            record.previous = answer.previous?.value.description
            return remember(&record, outcome: .ok, node: node, announcing: announcing,
                            output: CommandOutput(lines: ["OK"]))
        case .success(let answer):
            record.result = "fenced"
            let reason = "fenced: " + (answer.currentLockKey.map {
                "lock key \(lockKey) now has token \($0.createRevision), not \(token)"
            } ?? "the lock key of token \(token) is gone (its lease expired or it was unlocked)")
            return remember(&record, outcome: .fail, node: node, announcing: announcing, reason: reason,
                            output: .error(reason))
        }
    }

    // MARK: Views

    /// Reads each lock and election the console used from etcd: its keys in create order (the
    /// first holds or leads, the rest wait) and the holder's lease from timetolive. One etcd did not
    /// answer for keeps its last view.
    func pollServices() async {
        var locks: [NodeState.Lock] = []
        let lastLocks = lockViews.withLock { $0 }
        for name in sessions.knownLocks {
            let last = lastLocks.first { $0.name == name }
            guard let (keys, remainingMs) = await queue(of: name) else {
                if let last { locks.append(last) }
                continue
            }
            locks.append(NodeState.Lock(
                name: name, holder: keys.first.map { UInt64(bitPattern: $0.lease) },
                token: Int(keys.first?.createRevision ?? Int64(last?.token ?? 0)), leaseRemainingMs: remainingMs,
                waiters: keys.dropFirst().map { UInt64(bitPattern: $0.lease) }))
        }
        lockViews.withLock { $0 = locks }
        var elections: [NodeState.Election] = []
        let lastElections = electionViews.withLock { $0 }
        for name in sessions.knownElections {
            guard let (keys, remainingMs) = await queue(of: name) else {
                elections += lastElections.filter { $0.name == name }
                continue
            }
            // An election nobody leads has no entry, as on Raft.
            guard let leader = keys.first else { continue }
            elections.append(NodeState.Election(
                name: name, leader: UInt64(bitPattern: leader.lease), value: leader.value.description,
                revision: Int(leader.createRevision), leaseRemainingMs: remainingMs ?? 0,
                candidates: keys.dropFirst().map { UInt64(bitPattern: $0.lease) }))
        }
        electionViews.withLock { $0 = elections }
    }

    /// The keys under `name/` in create order (etcd's lock and election queues), and how long the
    /// first one's lease has left; nil when etcd did not answer.
    private func queue(of name: String) async -> (keys: [EtcdKeyValue], remainingMs: Int?)? {
        let (read, _) = await call(EtcdRangeRequest.prefix(EtcdBytes(name + "/")),
            as: "views", isWrite: false, withinMs: 500)
        guard case .success(let answer) = read else { return nil }
        let keys = answer.keyValues.sorted { $0.createRevision < $1.createRevision }
        guard let first = keys.first, case .success(let lease) = await timeToLive(first.lease), lease.isAlive else {
            return (keys, nil)
        }
        return (keys, Int(lease.ttlSeconds) * 1_000)
    }

    /// `locks`: each lock the console used, as etcd shows it now.
    func lockLines() async -> CommandOutput {
        await pollServices()
        let views = lockViews.withLock { $0 }
        guard !views.isEmpty else { return CommandOutput(lines: ["no locks"]) }
        let names = sessions.namesByLease
        func name(_ lease: UInt64) -> String { names[lease] ?? "lease \(EtcdStatusMapping.hex(lease))" }
        return CommandOutput(lines: views.map { lock in
            let holder = lock.holder.map(name) ?? "free"
            let lease = lock.leaseRemainingMs.map { "  lease \($0 / 1_000) s" } ?? ""
            let waiters = lock.waiters.map(name).joined(separator: ", ")
            return "\(lock.name)  holder \(holder)  token \(lock.token)\(lease)"
                + (waiters.isEmpty ? "" : "  waiters \(waiters)")
        })
    }

    // MARK: Recording

    /// Completes `record` with `outcome`, appends it to the history, tells the event log, and
    /// returns `output`.
    func remember(_ record: inout HistoryRecord, outcome: HistoryRecord.Outcome, node: Int?, announcing: Bool,
                  reason: String? = nil, output: CommandOutput) -> CommandOutput {
        record.outcome = outcome
        record.complete = outcome == .unknown ? nil : now
        let finished = record
        history.withLock { $0.append(finished) }
        if announcing { hub.publish(.client(ClientReport(operation: finished, node: node, reason: reason))) }
        return output
    }

    /// Records a call that got no answer: a write (or a lock) unknown, anything else failed.
    func remember(_ record: inout HistoryRecord, failed failure: EtcdAttemptFailure, isWrite: Bool, node: Int?,
                  announcing: Bool) -> CommandOutput {
        switch failure {
        case .notSent(let why):
            return remember(&record, outcome: .fail, node: node, announcing: announcing, reason: why,
                            output: .error(why))
        case .ambiguous(let why) where isWrite:
            return remember(&record, outcome: .unknown, node: node, announcing: announcing, reason: why,
                            output: CommandOutput(lines: ["unknown: \(why) — the write may or may not have applied"],
                                                  ok: false))
        case .ambiguous(let why):
            return remember(&record, outcome: .fail, node: node, announcing: announcing, reason: why,
                            output: .error(why))
        }
    }
}
