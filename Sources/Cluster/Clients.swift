import Raft
import Services
import Wire

/// A named client hosted by the console: its session and where it thinks the leader is.
struct ClientState {
    let name: String
    let clientID: UInt64
    var sequence: UInt64 = 0
    var leaderGuess: NodeID?
    /// `client pause`: everything this client does waits, retries included.
    var paused = false
    /// Lease renewal: how often, and whether the renewal timer runs.
    var renewEveryMs: Int?
    var renewing = false
}

/// One client operation on its way: where it went, until when it may go on.
struct ClientAttempt: Sendable {
    /// Which operation this is, for the driver that holds its promise.
    var id: UInt64
    var operation: ClientOperation
    var session: ClientSession?
    var client: String
    /// On the cluster clock: frozen time does not count.
    var deadline: Duration
    var target: NodeID?
    var sentAtLeastOnce = false
    var invoke = 0.0
    var tried: [NodeID] = []
    var recordsHistory = true
    var announce = ClientAnnouncement.always
}

/// When the event log is told a client operation's outcome.
enum ClientAnnouncement: Sendable {
    case always
    /// A lock request asked again while waiting in line: the event log already said it is
    /// queued, so only a change (granted, or another answer) is told.
    case unlessQueued
    /// A lesson's check polling until it holds: the lesson reports the check itself.
    case never
}

/// What the clients know of the nodes when they pick one.
struct ClientNetwork {
    /// The node that leads, as the views show it.
    var leader: NodeID?
    /// Nodes whose status is up, in id order.
    var up: [NodeID]
    /// Nodes up with a connection, in id order: where a request can go.
    var reachable: [NodeID]
    /// The nodes' heartbeat now (the pace may change): how long a client waits before it tries
    /// again when no node could take its request.
    var heartbeatMs: Int
}

/// What the clients ask their driver to do.
enum ClientEffect {
    /// Write this request to node `to`.
    case send(ClientRequestFrame, to: NodeID)
    /// Call `Clients.expire(request:…)` once `afterMs` of cluster time have passed.
    case expire(requestID: UInt64, afterMs: Int)
    /// Call `Clients.send(_:…)` with this attempt once `afterMs` of cluster time have passed.
    case retry(ClientAttempt, afterMs: Int)
    /// The operation ended: record it and tell whoever waits.
    case finish(ClientAttempt, ClientOutcome, answeredBy: NodeID?)
}

/// The clients the console hosts and their protocol: sessions (so a retried write applies once),
/// request ids, leader discovery, redirects, retries, deadlines, paused clients and the lease
/// renewals' bookkeeping.
///
/// A value driven by the cluster time it is handed (`now`, see `ClusterClock`) and by what its
/// driver tells it (answers, expiries); it returns what to do as `ClientEffect`s. It reads no clock
/// and holds no timers or futures, so virtual time can drive it and a copy is a checkpoint.
struct Clients {
    /// How long an operation may take, retries included (cluster time).
    let deadlineMs: Int
    /// How long one request waits for its answer before it is retried.
    let attemptTimeoutMs: Int
    private(set) var byName: [String: ClientState] = [:]
    /// Client ids (session ids) draw from the run's seed.
    private var ids: SeededRandom
    private var nextRequestID: UInt64 = 1
    private var nextAttemptID: UInt64 = 1
    /// Requests sent and neither answered nor expired, by request id.
    private var pending: [UInt64: ClientAttempt] = [:]
    /// Operations of paused clients, resumed in order by `client resume`.
    private(set) var parked: [String: [ClientAttempt]] = [:]
    /// The highest log index a client was answered at: views wait until a replica has applied it.
    private(set) var newestAnsweredIndex: LogIndex = 0

    init(seed: UInt64, deadlineMs: Int, attemptTimeoutMs: Int) {
        ids = SeededRandom(seed: seed ^ 0x636c_6965_6e74)
        self.deadlineMs = deadlineMs
        self.attemptTimeoutMs = attemptTimeoutMs
    }

    // MARK: Clients

    /// The client's id, creating the client on first use.
    /// - Returns: the id, and whether the client is new.
    mutating func ensureClient(_ name: String) -> (id: UInt64, isNew: Bool) {
        if let client = byName[name] { return (client.clientID, false) }
        let client = ClientState(name: name, clientID: UInt64.random(in: 1...UInt64.max, using: &ids))
        byName[name] = client
        return (client.clientID, true)
    }

    /// Client names by id, for the summary.
    var namesByID: [UInt64: String] {
        Dictionary(byName.values.map { ($0.clientID, $0.name) }, uniquingKeysWith: { $1 })
    }

    /// The name of the client with this id, if the console hosts it.
    func name(of id: UInt64) -> String? {
        byName.values.first { $0.clientID == id }?.name
    }

    // MARK: Operations

    /// Starts an operation as the named client (created on first use): a write takes the
    /// session's next sequence number. Send it with `send(_:network:now:)`.
    mutating func begin(_ operation: ClientOperation, as clientName: String, invoke: Double, now: Duration,
                        leader: NodeID?, recordsHistory: Bool, announce: ClientAnnouncement) -> ClientAttempt {
        _ = ensureClient(clientName)
        guard var client = byName[clientName] else { preconditionFailure("bug: client \(clientName) vanished") }
        var session: ClientSession?
        // A renewal is idempotent and runs beside the client's own operations: it takes no sequence
        // number, or a retried write of the client could find its sequence overtaken ("stale") and
        // never learn whether it applied.
        if operation.isWrite, !operation.isRenewal {
            client.sequence += 1
            session = ClientSession(clientID: client.clientID, sequence: client.sequence)
        }
        byName[clientName] = client
        var attempt = ClientAttempt(id: nextAttemptID, operation: operation, session: session, client: clientName,
                                    deadline: now + .milliseconds(deadlineMs))
        nextAttemptID += 1
        attempt.target = initialTarget(for: operation, client: clientName, leader: leader)
        attempt.invoke = invoke
        attempt.recordsHistory = recordsHistory
        attempt.announce = announce
        return attempt
    }

    private func initialTarget(for operation: ClientOperation, client: String, leader: NodeID?) -> NodeID? {
        if case .staleRead(_, let node) = operation { return node }
        return byName[client]?.leaderGuess ?? leader
    }

    /// Sends an attempt to its target (or the next node to try), parks it while its client is
    /// paused, retries while no node can take it, and gives up at its deadline.
    mutating func send(_ attempt: ClientAttempt, network: ClientNetwork, now: Duration) -> [ClientEffect] {
        var attempt = attempt
        if byName[attempt.client]?.paused == true {
            parked[attempt.client, default: []].append(attempt)
            return []
        }
        guard now < attempt.deadline else { return finish(attempt, timedOut()) }
        guard let target = attempt.target ?? nextTarget(after: attempt.tried, network: network),
              network.reachable.contains(target) else {
            if case .staleRead(_, let id) = attempt.operation {
                return finish(attempt, .failed("n\(id) is not running"))
            }
            attempt.target = nil
            return retry(attempt, afterMs: network.heartbeatMs)
        }
        attempt.target = target
        attempt.tried.append(target)
        let requestID = nextRequestID
        nextRequestID += 1
        if attempt.operation.isWrite { attempt.sentAtLeastOnce = true }
        pending[requestID] = attempt
        let request = ClientRequestFrame(requestID: requestID, session: attempt.session,
                                         operation: wireOperation(attempt.operation))
        return [.send(request, to: target), .expire(requestID: requestID, afterMs: attemptTimeoutMs)]
    }

    /// A node answered request `requestID` (nil: it did not answer in time, or the connection
    /// went); a request no longer pending is ignored.
    mutating func answer(_ requestID: UInt64, _ outcome: ClientResponseFrame.Outcome?, network: ClientNetwork,
                         now: Duration) -> [ClientEffect] {
        guard let attempt = pending.removeValue(forKey: requestID) else { return [] }
        var next = attempt
        switch outcome {
        case .ok(let value, let index)?:
            newestAnsweredIndex = max(newestAnsweredIndex, index)
            // A stale read names the node it asks: its answer says nothing about who leads (and a
            // deposed primary/backup primary, still answering, would keep the client for good).
            if case .staleRead = attempt.operation {} else { byName[attempt.client]?.leaderGuess = attempt.target }
            return finish(attempt, .ok(value: value), answeredBy: attempt.target)
        case .compareFailed(let current)?:
            return finish(attempt, .compareFailed(current: current), answeredBy: attempt.target)
        case .serviceResult(let result, let index)?:
            newestAnsweredIndex = max(newestAnsweredIndex, index)
            byName[attempt.client]?.leaderGuess = attempt.target
            return finish(attempt, .result(result), answeredBy: attempt.target)
        case .failed(let reason)?:
            return finish(attempt, .failed(reason), answeredBy: attempt.target)
        case .notLeader(let hint)?:
            next.target = hint.flatMap { network.up.contains($0) ? $0 : nil }
            byName[attempt.client]?.leaderGuess = next.target
            return retry(next, afterMs: next.target == nil ? network.heartbeatMs : 1)
        case .unknown?, nil:
            // No answer or leadership lost: the write may or may not have applied. Retrying with the
            // same session is safe; it applies at most once.
            next.target = nil
            byName[attempt.client]?.leaderGuess = nil
            return retry(next, afterMs: network.heartbeatMs)
        }
    }

    /// Every pending request as if unanswered (the cluster shuts down).
    mutating func expireAll(network: ClientNetwork, now: Duration) -> [ClientEffect] {
        pending.keys.sorted().flatMap { answer($0, nil, network: network, now: now) }
    }

    private func retry(_ attempt: ClientAttempt, afterMs delayMs: Int) -> [ClientEffect] {
        if case .staleRead = attempt.operation, attempt.sentAtLeastOnce || !attempt.tried.isEmpty {
            return finish(attempt, .failed("n\(attempt.target ?? 0) did not answer"))
        }
        return [.retry(attempt, afterMs: max(1, delayMs))]
    }

    /// Pauses or wakes a client; a woken client carries on with what it was doing, its deadlines
    /// restarted (it does not know it was stalled).
    /// - Returns: nil when there is no such client; else how many operations carried on, and what
    ///   to do for them.
    mutating func setPaused(_ name: String, _ paused: Bool, network: ClientNetwork,
                            now: Duration) -> (resumed: Int, effects: [ClientEffect])? {
        guard byName[name] != nil else { return nil }
        byName[name]?.paused = paused
        guard !paused else { return (0, []) }
        let waiting = parked.removeValue(forKey: name) ?? []
        let deadline = now + .milliseconds(deadlineMs)
        var effects: [ClientEffect] = []
        for var attempt in waiting {
            attempt.deadline = deadline
            effects += send(attempt, network: network, now: now)
        }
        return (waiting.count, effects)
    }

    func lines() -> [String] {
        guard !byName.isEmpty else { return ["no clients yet (client commands create them: put x 1 as alice)"] }
        return byName.keys.sorted().map { name in
            let client = byName[name]!
            return "\(name)  id \(client.clientID)  sequence \(client.sequence)  "
                + "leader guess \(client.leaderGuess.map { "n\($0)" } ?? "-")\(client.paused ? "  PAUSED" : "")"
                + "  waiting \(parked[name]?.count ?? 0)"
        }
    }

    private func timedOut() -> ClientOutcome {
        .unknown("no answer in \(Self.seconds(deadlineMs))")
    }

    /// "2 s", "1.5 s".
    static func seconds(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }

    /// The next running node to try when the leader is unknown, round-robin.
    private func nextTarget(after tried: [NodeID], network: ClientNetwork) -> NodeID? {
        if let leader = network.leader { return leader }
        let running = network.reachable
        guard !running.isEmpty else { return nil }
        return running[tried.count % running.count]
    }

    private func wireOperation(_ operation: ClientOperation) -> ClientRequestFrame.Operation {
        switch operation {
        case .write(let change): .write(change)
        case .read(let key): .read(key: key)
        case .staleRead(let key, _): .staleRead(key: key)
        case .service(let operation): .service(operation)
        }
    }

    /// - Parameter answeredBy: the node whose answer ended it (nil when the client gave up).
    private func finish(_ attempt: ClientAttempt, _ outcome: ClientOutcome,
                        answeredBy node: NodeID? = nil) -> [ClientEffect] {
        var finalOutcome = outcome
        if case .unknown = outcome, !attempt.sentAtLeastOnce {
            // Never reached a node: it certainly did not apply.
            finalOutcome = .failed("no node answered")
        }
        return [.finish(attempt, finalOutcome, answeredBy: node)]
    }

    // MARK: Lease renewals

    /// The client now holds (or waits for) a lease: renew it every third of its ttl.
    /// - Returns: whether the renewals must start (they were not running).
    mutating func holdLease(for name: String, ttlMs: Int) -> Bool {
        let interval = max(50, ttlMs / 3)
        let current = byName[name]?.renewEveryMs ?? interval
        byName[name]?.renewEveryMs = min(current, interval)
        guard byName[name]?.renewing != true else { return false }
        byName[name]?.renewing = true
        return true
    }

    /// Nothing left to renew: the renewals stop until the client takes a lock or campaigns again.
    mutating func stopRenewing(_ name: String) {
        byName[name]?.renewing = false
        byName[name]?.renewEveryMs = nil
    }
}
