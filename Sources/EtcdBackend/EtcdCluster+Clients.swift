import ClusterAPI
import EtcdClient

/// Clients on etcd: each named client has its own connection to each member; a command goes to the
/// member the status API says leads (any member forwards, but the leader saves a hop), then to the
/// others, until one answers or the client's deadline passes. A write that went out unanswered is
/// unknown, never retried elsewhere (it may have applied); only a request etcd never took in (no
/// connection, "no leader") moves on.
extension EtcdCluster {
    /// How long one attempt waits: a few election timeouts, at least a second.
    var attemptMs: Int { max(1_000, 4 * etcdTiming.electionMs) }
    /// How long a client keeps trying other members before it gives up.
    var clientDeadlineMs: Int { max(3_000, 3 * attemptMs) }

    /// Carries out `operation` for `client`, records it in the history and tells the event log.
    func perform(_ operation: EtcdKVOperation, client: String, announcing: Bool) async -> CommandOutput {
        var record = operation.record(client: client, invoke: now)
        let (ending, node) = await attempt(operation, client: client)
        switch ending {
        case .success(let answer):
            EtcdKVOperation.finish(&record, answer, at: now)
            return remember(&record, outcome: record.outcome, node: node, announcing: announcing,
                            output: operation.output(answer))
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: operation.isWrite, node: node, announcing: announcing)
        }
    }

    /// Tries members in turn until one answers, a write's fate is unknown, or the deadline passes.
    private func attempt(_ operation: EtcdKVOperation, client: String)
        async -> (Result<EtcdKVOperation.Answer, EtcdAttemptFailure>, Int?) {
        await attempt(client: client, isWrite: operation.isWrite, pinnedMember: operation.pinnedMember,
                      withinMs: attemptMs) { connection, milliseconds in
            try await operation.send(on: connection, withinMs: milliseconds)
        }
    }

    /// Sends one gateway request for `client` through `attempt`.
    func call<Request: EtcdRequest>(_ request: Request, as client: String, isWrite: Bool, pinnedMember: Int? = nil,
                                    withinMs: Int? = nil) async -> (Result<Request.Response, EtcdAttemptFailure>, Int?) {
        await attempt(client: client, isWrite: isWrite, pinnedMember: pinnedMember,
                      withinMs: withinMs ?? attemptMs) { connection, milliseconds in
            try await connection.call(request, withinMs: milliseconds)
        }
    }

    /// Tries members in turn with `send` until one answers, a write's fate is unknown, or the
    /// client's deadline passes: the one way every etcd client call picks its member.
    /// - Parameters:
    ///   - client: whose connections to use (a call that may block, like a lock, uses its own).
    ///   - isWrite: whether an unanswered request leaves its effect unknown (no other member is
    ///     tried then).
    ///   - pinnedMember: the only member to ask (0-based), or nil for the leader first.
    ///   - withinMs: how long one attempt waits for its answer.
    /// - Returns: how it ended, and the node (1-based) that answered or took the request.
    func attempt<Answer: Sendable>(
        client: String, isWrite: Bool, pinnedMember: Int? = nil, withinMs: Int,
        _ send: (EtcdConnection, Int) async throws -> Answer
    ) async -> (Result<Answer, EtcdAttemptFailure>, Int?) {
        let deadline = now + Double(max(clientDeadlineMs, withinMs)) / 1000
        var lastFailure = EtcdAttemptFailure.notSent("no member is running")
        // A cancelled caller (a renewal or campaign at shutdown) stops: its sleeps no longer wait.
        while now < deadline, !Task.isCancelled {
            for member in await memberOrder(pinnedMember: pinnedMember) {
                var connected = false
                do {
                    let connection = try await pool.connection(client: client, member: member)
                    connected = true
                    return (.success(try await send(connection, withinMs)), member + 1)
                } catch {
                    if connected { await pool.discard(client: client, member: member) }
                    lastFailure = EtcdAttemptFailure.of(error, connected: connected)
                    if case .ambiguous = lastFailure, isWrite { return (.failure(lastFailure), member + 1) }
                    // etcd's own answer (a lease not found, no election leader) is the same from
                    // every member: asking the next one would only repeat it.
                    if case EtcdError.server = error, case .ambiguous = lastFailure {
                        return (.failure(lastFailure), member + 1)
                    }
                }
                if now >= deadline { break }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (.failure(lastFailure), nil)
    }

    /// The members to try, 0-based: the pinned one when there is one; else the leader first, then
    /// the other running voting members by id (a learner refuses clients' requests).
    private func memberOrder(pinnedMember: Int?) async -> [Int] {
        if let pinnedMember { return [pinnedMember] }
        let views = await views()
        let running = views.filter { $0.status.isRunning && $0.state?.role != .learner }.map { $0.id - 1 }
        guard let leader = views.leader?.id else { return running }
        return [leader - 1] + running.filter { $0 != leader - 1 }
    }
}
