import Checker
import Raft
import Replica
import Services

/// The simulation's clients: sending requests to the nodes, taking their answers, retrying, and
/// checking the history they leave.
extension Simulation {
    // MARK: Clients

    /// An idle client starts its next operation (clients start none once faults stop).
    mutating func wake(_ client: Int) {
        guard faultsActive, clients[client].inFlight == nil else { return }
        guard let flight = clients[client].startNext(atMs: nowMs, using: &random) else {
            let until = clients[client].pausedUntilMs ?? nowMs + 1
            record(.client("\(clients[client].name) pauses until \(formatTime(ms: until))"))
            return schedule(.clientWake(client: client), afterMs: max(1, until - nowMs))
        }
        clients[client].inFlight = flight
        sendAttempt(of: client)
    }

    private mutating func sendAttempt(of client: Int) {
        guard let flight = clients[client].inFlight else { return }
        let requestID = Self.requestID(client: client, serial: flight.serial, attempt: flight.attempt)
        let request = ClientRequest(requestID: requestID, session: flight.session, operation: flight.operation)
        let target = clients[client].leaderHint
        if !(faultsActive && chance(options.lossRate)) {
            schedule(.requestArrives(node: target, request), afterMs: delay())
        }
        schedule(.clientTimeout(client: client, serial: flight.serial, attempt: flight.attempt),
                 afterMs: Self.clientTimeoutMs)
    }

    mutating func arrive(_ request: ClientRequest, at id: NodeID) {
        guard nodes[id - 1].isRunning else { return }
        switch request.operation {
        case .write, .service: stats.proposals += 1
        case .read, .staleRead: break
        }
        invariants.asked(request)
        observe(id) { $0.receive(request) }
    }

    /// A node's answer travels back to its client (and may be lost while faults are on).
    mutating func route(_ reply: ClientReply) {
        if Self.decode(reply.requestID).client == Self.markerClient {
            if case .ok = reply.outcome { markerCommitted = true }
            return
        }
        if faultsActive && chance(options.lossRate) { return }
        schedule(.replyArrives(reply), afterMs: delay())
    }

    mutating func answer(_ reply: ClientReply) {
        let (client, serial, _) = Self.decode(reply.requestID)
        guard clients.indices.contains(client), clients[client].inFlight?.serial == serial else { return }
        switch clients[client].take(reply.outcome, atMs: nowMs) {
        case .finished(let record):
            if let record { finish(record, of: client) }
            schedule(.clientWake(client: client), afterMs: gap(mean: options.proposeEveryMs))
        case .retry:
            retry(client)
        }
    }

    /// No answer in time: ask another node.
    mutating func timeOut(_ client: Int, serial: UInt64, attempt: Int) {
        guard let flight = clients[client].inFlight, flight.serial == serial, flight.attempt == attempt else {
            return
        }
        clients[client].leaderHint = Int.random(in: 1...options.nodeCount, using: &random)
        retry(client)
    }

    /// Sends the operation again with the same session sequence, or gives it up.
    private mutating func retry(_ client: Int) {
        guard var flight = clients[client].inFlight else { return }
        guard nowMs - flight.startedMs < Self.clientGiveUpMs, flight.attempt < 255 else {
            if let record = clients[client].giveUp() { finish(record, of: client) }
            return schedule(.clientWake(client: client), afterMs: gap(mean: options.proposeEveryMs))
        }
        flight.attempt += 1
        clients[client].inFlight = flight
        schedule(.clientResend(client: client, serial: flight.serial, attempt: flight.attempt),
                 afterMs: Int.random(in: 1...20, using: &random))
    }

    /// Sends attempt `attempt` unless a later one replaced it (each attempt goes out once: a read's
    /// confirmation is matched to the attempt, and so to when that attempt reached its node).
    mutating func resend(_ client: Int, serial: UInt64, attempt: Int) {
        guard let flight = clients[client].inFlight, flight.serial == serial, flight.attempt == attempt else { return }
        sendAttempt(of: client)
    }

    private mutating func finish(_ operation: HistoryOperation, of client: Int) {
        history.append(operation)
        let detail = operation.result ?? operation.value ?? ""
        record(.client("\(operation.process) \(operation.f) \(operation.key) → \(operation.outcome.rawValue) \(detail)"))
    }

    /// Request ids carry the client, the operation's serial and the attempt, so an answer finds
    /// its operation and a read's confirmation its attempt.
    static func requestID(client: Int, serial: UInt64, attempt: Int) -> UInt64 {
        UInt64(client + 1) << 48 | (serial & 0xFF_FFFF_FFFF) << 8 | UInt64(attempt & 0xFF)
    }

    static func decode(_ requestID: UInt64) -> (client: Int, serial: UInt64, attempt: Int) {
        (Int(requestID >> 48) - 1, (requestID >> 8) & 0xFF_FFFF_FFFF, Int(requestID & 0xFF))
    }

    // MARK: The services' invariants

    /// Checks the clients' history: a retried write applied once, every key a register, every lock
    /// one holder at a time with increasing tokens (leases may end early by the clock slack).
    mutating func checkHistory() {
        for client in clients.indices {
            if let record = clients[client].giveUp() { history.append(record) }
        }
        let checked = history.filter { ["put", "get", "del", "cas", "lock", "unlock"].contains($0.f) }
        stats.clientOperations = checked.count
        stats.lockGrants = checked.filter { $0.f == "lock" && $0.outcome == .ok && $0.result == "granted" }.count
        if let finding = ExactlyOnceChecker.firstFinding(in: history) {
            return fail(.exactlyOnce, finding.explanation + describe(finding.operations),
                        atMs: Int(finding.time * 1000))
        }
        let report = LinearizabilityChecker.check(
            history, options: CheckOptions(stepBudgetPerKey: 200_000, leaseSlackSeconds: leaseSlackSeconds))
        guard let found = report.violation else { return }
        let invariant: Violation.Invariant = found.model == .register ? .kvLinearizability : .lockSafety
        let time = found.operations.compactMap(\.complete).max() ?? Double(nowMs) / 1000
        fail(invariant, found.explanation + describe(found.operations), atMs: Int(time * 1000))
    }

    /// How much earlier than invoke + ttl a lease may end: service time lags real time by up to a
    /// heartbeat and two ticks when a lease starts, and a leader's clock may run fast by the drift.
    private var leaseSlackSeconds: Double {
        let heartbeatMs = options.heartbeatTicks * options.tickMs
        let longestTTLMs = SimulatedClient.ttlChoicesMs.max() ?? 0
        let driftMs = Int((Double(longestTTLMs) * 2 * options.clockDrift).rounded(.up))
        return Double(heartbeatMs + 2 * options.tickMs + driftMs) / 1000
    }

    private func describe(_ operations: [HistoryOperation]) -> String {
        operations.map { operation in
            let complete = operation.complete.map { formatTime(ms: Int($0 * 1000)).trimmingPrefixSpaces } ?? "?"
            let value = operation.value.map { "=\($0)" } ?? ""
            let result = operation.result.map { " \($0)" } ?? ""
            let token = operation.token.map { " token \($0)" } ?? ""
            return "\n    \(operation.process) \(operation.f) \(operation.key)\(value) → "
                + "\(operation.outcome.rawValue)\(result)\(token) "
                + "[\(formatTime(ms: Int(operation.invoke * 1000)).trimmingPrefixSpaces)–\(complete)]"
        }.joined()
    }
}
