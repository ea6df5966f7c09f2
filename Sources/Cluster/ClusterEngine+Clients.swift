import NIOCore
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

/// A client operation as the console issues it.
enum ClientOperation: Sendable {
    case write(KVOperation)
    case read(key: String)
    case staleRead(key: String, node: NodeID)
    /// A lock, election or renewal.
    case service(ServiceOperation)

    var historyName: String {
        switch self {
        case .write(.put): "put"
        case .write(.delete): "del"
        case .write(.compareAndSwap): "cas"
        case .read, .staleRead: "get"
        case .service(.lock(.acquire)): "lock"
        case .service(.lock(.release)): "unlock"
        case .service(.election(.campaign)): "campaign"
        case .service(.election(.resign)): "resign"
        case .service(.renew): "renew"
        case .service(.clock), .service(.kv): "service"
        }
    }

    var isRenewal: Bool {
        if case .service(.renew) = self { true } else { false }
    }

    var isWrite: Bool {
        switch self {
        case .write, .service: true
        case .read, .staleRead: false
        }
    }
}

/// How a client operation ended.
enum ClientOutcome: Sendable {
    case ok(value: String?)
    case compareFailed(current: String?)
    case failed(String)
    /// A write that may or may not have taken effect.
    case unknown(String)
    /// A lock or election command's result.
    case result(CommandResult)

    /// Why it failed or stayed unknown, in words for the event log.
    var reason: String? {
        switch self {
        case .ok, .result: nil
        case .compareFailed(let current): "the key holds \(current.map { "\"\($0)\"" } ?? "nothing")"
        case .failed(let reason):
            // The service names a refused fenced write `fenced: token lower than N`.
            reason.hasPrefix("fenced: ") ? String(reason.dropFirst("fenced: ".count)) : reason
        case .unknown(let reason): reason
        }
    }
}

extension ClusterEngine {
    /// Runs a client operation: finds the leader, follows redirects, retries with the same session
    /// (so a write applies once), and gives up as `unknown` when it cannot know.
    /// - Parameter announce: when the event log hears of the outcome.
    func perform(_ operation: ClientOperation, as clientName: String = "default",
                 recordsHistory: Bool = true, announce: Announcement = .always) -> EventLoopFuture<ClientOutcome> {
        _ = ensureClient(clientName)
        guard var client = clients[clientName] else { preconditionFailure("bug: client \(clientName) vanished") }
        var session: ClientSession?
        // A renewal is idempotent and runs beside the client's own operations: it takes no sequence
        // number, or a retried write of the client could find its sequence overtaken ("stale") and
        // never learn whether it applied.
        if operation.isWrite, !operation.isRenewal {
            client.sequence += 1
            session = ClientSession(clientID: client.clientID, sequence: client.sequence)
        }
        clients[clientName] = client
        let promise = loop.makePromise(of: ClientOutcome.self)
        let invoke = elapsedSeconds
        let deadline = clusterClock.now() + .milliseconds(Int64(options.clientDeadlineMs))
        var attempt = ClientAttempt(operation: operation, session: session, client: clientName,
                                    deadline: deadline, promise: promise)
        attempt.target = initialTarget(for: operation, client: clientName)
        attempt.invoke = invoke
        attempt.recordsHistory = recordsHistory
        attempt.announce = announce
        send(attempt)
        return promise.futureResult
    }

    struct ClientAttempt: Sendable {
        var operation: ClientOperation
        var session: ClientSession?
        var client: String
        /// On the cluster clock: frozen time does not count.
        var deadline: NIODeadline
        var promise: EventLoopPromise<ClientOutcome>
        var target: NodeID?
        var sentAtLeastOnce = false
        var invoke = 0.0
        var tried: [NodeID] = []
        var recordsHistory = true
        var announce = Announcement.always
    }

    /// When the event log is told a client operation's outcome.
    enum Announcement: Sendable {
        case always
        /// A lock request asked again while waiting in line: the event log already said it is
        /// queued, so only a change (granted, or another answer) is told.
        case unlessQueued
        /// A lesson's check polling until it holds: the lesson reports the check itself.
        case never
    }

    private func initialTarget(for operation: ClientOperation, client: String) -> NodeID? {
        if case .staleRead(_, let node) = operation { return node }
        return clients[client]?.leaderGuess ?? leaderID
    }

    private func send(_ attempt: ClientAttempt) {
        var attempt = attempt
        if clients[attempt.client]?.paused == true {
            parkedAttempts[attempt.client, default: []].append(attempt)
            return
        }
        guard clusterClock.now() < attempt.deadline else { return finish(attempt, timedOut()) }
        guard let target = attempt.target ?? nextTarget(after: attempt.tried),
              node(target).status == .up, node(target).channel != nil else {
            if case .staleRead(_, let id) = attempt.operation {
                return finish(attempt, .failed("n\(id) is not running"))
            }
            attempt.target = nil
            return retry(attempt, afterMs: timing.heartbeatMs)
        }
        attempt.target = target
        attempt.tried.append(target)
        let requestID = nextRequestID
        nextRequestID += 1
        pendingRequests[requestID] = { [weak self] outcome in
            self?.answered(attempt, outcome)
        }
        if attempt.operation.isWrite { attempt.sentAtLeastOnce = true }
        let request = ClientRequestFrame(requestID: requestID, session: attempt.session,
                                         operation: wireOperation(attempt.operation))
        send(.clientRequest(request), to: target)
        afterClusterTime(milliseconds: options.attemptTimeoutMs) { engine in
            engine.pendingRequests.removeValue(forKey: requestID)?(nil)
        }
    }

    private func answered(_ attempt: ClientAttempt, _ outcome: ClientResponseFrame.Outcome?) {
        var next = attempt
        switch outcome {
        case .ok(let value, let index)?:
            newestAnsweredIndex = max(newestAnsweredIndex, index)
            clients[attempt.client]?.leaderGuess = attempt.target
            finish(attempt, .ok(value: value), answeredBy: attempt.target)
        case .compareFailed(let current)?:
            finish(attempt, .compareFailed(current: current), answeredBy: attempt.target)
        case .serviceResult(let result, let index)?:
            newestAnsweredIndex = max(newestAnsweredIndex, index)
            clients[attempt.client]?.leaderGuess = attempt.target
            finish(attempt, .result(result), answeredBy: attempt.target)
        case .failed(let reason)?:
            finish(attempt, .failed(reason), answeredBy: attempt.target)
        case .notLeader(let hint)?:
            next.target = hint.flatMap { node($0).status == .up ? $0 : nil }
            clients[attempt.client]?.leaderGuess = next.target
            retry(next, afterMs: next.target == nil ? timing.heartbeatMs : 1)
        case .unknown?, nil:
            // No answer or leadership lost: the write may or may not have applied. Retrying with the
            // same session is safe; it applies at most once.
            next.target = nil
            clients[attempt.client]?.leaderGuess = nil
            retry(next, afterMs: timing.heartbeatMs)
        }
    }

    private func retry(_ attempt: ClientAttempt, afterMs delayMs: Int) {
        if case .staleRead = attempt.operation, attempt.sentAtLeastOnce || !attempt.tried.isEmpty {
            return finish(attempt, .failed("n\(attempt.target ?? 0) did not answer"))
        }
        afterClusterTime(milliseconds: max(1, delayMs)) { engine in engine.send(attempt) }
    }

    /// Pauses or wakes a client; a woken client carries on with what it was doing, its deadlines
    /// restarted (it does not know it was stalled).
    func setClient(_ name: String, paused: Bool) -> CommandOutput {
        guard clients[name] != nil else {
            let known = clients.keys.sorted().joined(separator: ", ")
            return .error("no client \"\(name)\" (known: \(known.isEmpty ? "none yet" : known))")
        }
        clients[name]?.paused = paused
        publish(.action("client \(name) \(paused ? "paused" : "resumed")"))
        guard !paused else { return CommandOutput(lines: ["client \(name) paused"]) }
        let parked = parkedAttempts.removeValue(forKey: name) ?? []
        let deadline = clusterClock.now() + .milliseconds(Int64(options.clientDeadlineMs))
        for var attempt in parked {
            attempt.deadline = deadline
            send(attempt)
        }
        return CommandOutput(lines: ["client \(name) resumed (\(parked.count) operations carried on)"])
    }

    func clientLines() -> [String] {
        guard !clients.isEmpty else { return ["no clients yet (client commands create them: put x 1 as alice)"] }
        return clients.keys.sorted().map { name in
            let client = clients[name]!
            return "\(name)  id \(client.clientID)  sequence \(client.sequence)  "
                + "leader guess \(client.leaderGuess.map { "n\($0)" } ?? "-")\(client.paused ? "  PAUSED" : "")"
                + "  waiting \(parkedAttempts[name]?.count ?? 0)"
        }
    }

    private func timedOut() -> ClientOutcome {
        .unknown("no answer in \(Self.seconds(options.clientDeadlineMs))")
    }

    /// "2 s", "1.5 s".
    static func seconds(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }

    /// The next running node to try when the leader is unknown, round-robin.
    private func nextTarget(after tried: [NodeID]) -> NodeID? {
        if let leader = leaderID { return leader }
        let running = nodes.filter { $0.status == .up && $0.channel != nil }.map(\.id)
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
    private func finish(_ attempt: ClientAttempt, _ outcome: ClientOutcome, answeredBy node: NodeID? = nil) {
        var finalOutcome = outcome
        if case .unknown = outcome, !attempt.sentAtLeastOnce {
            // Never reached a node: it certainly did not apply.
            finalOutcome = .failed("no node answered")
        }
        if attempt.recordsHistory { recordHistory(attempt, finalOutcome, answeredBy: node) }
        attempt.promise.succeed(finalOutcome)
    }

    private func recordHistory(_ attempt: ClientAttempt, _ outcome: ClientOutcome, answeredBy node: NodeID?) {
        var record = HistoryRecord(process: attempt.client, f: attempt.operation.historyName, key: "",
                                   value: nil, old: nil, new: nil, invoke: attempt.invoke,
                                   complete: elapsedSeconds, outcome: .ok)
        record.describe(attempt.operation)
        record.note(outcome, of: attempt.operation)
        history.append(record)
        switch attempt.announce {
        case .always: break
        case .never: return
        case .unlessQueued: if case .result(.queued) = outcome { return }
        }
        publish(.client(ClientReport(operation: record, node: node, reason: outcome.reason)))
    }
}
