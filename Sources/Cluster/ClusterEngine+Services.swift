import CommandLanguage
import NIOCore
import Raft
import Services
import Wire

extension ClusterEngine {
    /// Default lease for locks and campaigns.
    static let defaultLeaseMs = 10_000

    /// `put K V --fence TOKEN` as the named client.
    func fencedPut(key: String, value: String, token: Int, as name: String) -> EventLoopFuture<CommandOutput> {
        _ = ensureClient(name)
        let operation = ClientOperation.write(.put(key: key, value: value, fence: token))
        return perform(operation, as: name).map { CommandRouter.describe($0, of: operation) }
    }

    /// `lock NAME [ttl D]`: asks until granted (or 30 s, or three leases, whichever is longer).
    func lock(_ lock: String, ttlMs ttl: Int?, as name: String) -> EventLoopFuture<CommandOutput> {
        let clientID = ensureClient(name)
        let ttlMs = ttl ?? Self.defaultLeaseMs
        holdLease(for: name, ttlMs: ttlMs)
        let promise = loop.makePromise(of: CommandOutput.self)
        let deadline = clusterNow + .milliseconds(max(30_000, 3 * ttlMs))
        acquire(lock, client: name, id: clientID, ttlMs: ttlMs, until: deadline, promise: promise)
        return promise.futureResult
    }

    func unlock(_ lock: String, as name: String) -> EventLoopFuture<CommandOutput> {
        let clientID = ensureClient(name)
        return service(.lock(.release(lock: lock, client: clientID)), as: name)
    }

    func campaign(_ election: String, value: String, ttlMs ttl: Int?,
                  as name: String) -> EventLoopFuture<CommandOutput> {
        let clientID = ensureClient(name)
        let ttlMs = ttl ?? Self.defaultLeaseMs
        holdLease(for: name, ttlMs: ttlMs)
        return service(.election(.campaign(name: election, client: clientID, value: value, ttlMs: ttlMs)), as: name)
    }

    func resign(_ election: String, as name: String) -> EventLoopFuture<CommandOutput> {
        let clientID = ensureClient(name)
        return service(.election(.resign(name: election, client: clientID)), as: name)
    }

    /// `wait elected NAME [within D]`, polled every 20 ms of cluster time.
    func waitElected(_ election: String, withinMs: Int?, as name: String) -> EventLoopFuture<CommandOutput> {
        let clientID = ensureClient(name)
        let promise = loop.makePromise(of: CommandOutput.self)
        let limit = withinMs ?? 5_000
        pollElected(election, clientID: clientID, until: clusterNow + .milliseconds(limit), limitMs: limit,
                    promise: promise)
        return promise.futureResult
    }

    private func service(_ operation: ServiceOperation, as name: String) -> EventLoopFuture<CommandOutput> {
        let clientOperation = ClientOperation.service(operation)
        return perform(clientOperation, as: name).map { CommandRouter.describe($0, of: clientOperation) }
    }

    /// Asks for the lock until it is granted: a queued client asks again each heartbeat (each ask
    /// is a new sequence number, and renews its place in line). The event log tells the first
    /// answer and the grant, not every ask in between.
    private func acquire(_ lock: String, client name: String, id: UInt64, ttlMs: Int, until deadline: Duration,
                         askedBefore: Bool = false, promise: EventLoopPromise<CommandOutput>) {
        let operation = ClientOperation.service(.lock(.acquire(lock: lock, client: id, ttlMs: ttlMs)))
        let bound = NIOLoopBound(self, eventLoop: loop)
        perform(operation, as: name, announce: askedBefore ? .unlessQueued : .always).whenSuccess { outcome in
            let engine = bound.value
            guard case .result(.queued(let position)) = outcome else {
                return promise.succeed(CommandRouter.describe(outcome, of: operation))
            }
            guard engine.clusterNow < deadline else {
                return promise.succeed(CommandOutput(lines: ["still waiting for \(lock) (position \(position))"],
                                                     ok: false))
            }
            engine.afterClusterTime(milliseconds: engine.timing.heartbeatMs) { engine in
                engine.acquire(lock, client: name, id: id, ttlMs: ttlMs, until: deadline, askedBefore: true,
                               promise: promise)
            }
        }
    }

    private func pollElected(_ election: String, clientID: UInt64, until deadline: Duration, limitMs: Int,
                             promise: EventLoopPromise<CommandOutput>) {
        if let info = leaderReplicaState?.elections?.first(where: { $0.name == election }),
           info.leader == clientID {
            return promise.succeed(CommandOutput(lines: ["elected: \(election) = \(info.value) "
                + "(revision \(info.revision))"]))
        }
        guard clusterNow < deadline else {
            return promise.succeed(.error("not elected to \(election) within \(limitMs) ms"))
        }
        afterClusterTime(milliseconds: 20) { engine in
            engine.pollElected(election, clientID: clientID, until: deadline, limitMs: limitMs, promise: promise)
        }
    }

    // MARK: Leases

    /// The client now holds (or waits for) a lease: renew it every third of its ttl until paused.
    private func holdLease(for name: String, ttlMs: Int) {
        if clients.holdLease(for: name, ttlMs: ttlMs) { scheduleRenewal(of: name) }
    }

    private func scheduleRenewal(of name: String) {
        guard let interval = clients.byName[name]?.renewEveryMs, !isShutDown else { return }
        afterClusterTime(milliseconds: interval) { engine in
            guard let client = engine.clients.byName[name] else { return }
            // Nothing left to renew: the renewals (and the clock entries they keep alive) stop until
            // the client takes a lock or campaigns again.
            guard engine.holdsLease(client.clientID) else {
                engine.clients.stopRenewing(name)
                return
            }
            // A paused client sends nothing, renewals included: its leases run out.
            if !client.paused {
                _ = engine.perform(.service(.renew(client: client.clientID)), as: name, recordsHistory: false)
            }
            engine.scheduleRenewal(of: name)
        }
    }

    /// Whether the client holds or waits for a lock, or leads or stands in an election, as the
    /// replica shown sees it. A client whose request is still on its way counts too.
    private func holdsLease(_ clientID: UInt64) -> Bool {
        if let name = clients.name(of: clientID), clients.parked[name]?.isEmpty == false { return true }
        guard let state = leaderReplicaState else { return true }
        let inLocks = (state.locks ?? []).contains { $0.holder == clientID || $0.waiters.contains(clientID) }
        let inElections = (state.elections ?? []).contains {
            $0.leader == clientID || $0.candidates.contains(clientID)
        }
        return inLocks || inElections
    }

    // MARK: Views

    /// The replica state to show: the leader's, else the running node that applied the most.
    var leaderReplicaState: NodeStateFrame? { views().replicaShown }

    func clientName(of id: UInt64) -> String {
        clients.name(of: id) ?? "c\(id % 10_000)"
    }

    func lockLines() -> [String] {
        guard let locks = leaderReplicaState?.locks, !locks.isEmpty else { return ["no locks"] }
        return locks.map { lock in
            let holder = lock.holder.map { clientName(of: $0) } ?? "free"
            let lease = lock.leaseRemainingMs.map { "lease \(Double($0) / 1000)s" } ?? ""
            let waiters = lock.waiters.map { clientName(of: $0) }.joined(separator: ", ")
            return "\(lock.name)  holder \(holder)  token \(lock.token)  \(lease)"
                + (waiters.isEmpty ? "" : "  waiters \(waiters)")
        }
    }

    func electionLines(_ name: String) -> CommandOutput {
        guard let info = leaderReplicaState?.elections?.first(where: { $0.name == name }) else {
            return CommandOutput(lines: ["\(name): no leader"])
        }
        let candidates = info.candidates.map { clientName(of: $0) }.joined(separator: ", ")
        return CommandOutput(lines: ["\(name): \(info.value) (leader \(clientName(of: info.leader)), revision "
            + "\(info.revision), lease \(Double(info.leaseRemainingMs) / 1000)s)"
            + (candidates.isEmpty ? "" : "  candidates \(candidates)")])
    }
}
