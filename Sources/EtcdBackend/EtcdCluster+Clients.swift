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
        let output: CommandOutput
        var reason: String?
        switch ending {
        case .success(let answer):
            EtcdKVOperation.finish(&record, answer, at: now)
            output = operation.output(answer)
        case .failure(.notSent(let why)):
            record.outcome = .fail
            record.complete = now
            reason = why
            output = .error(why)
        case .failure(.ambiguous(let why)):
            // A read that went unanswered changed nothing: it failed. A write is unknown.
            record.outcome = operation.isWrite ? .unknown : .fail
            record.complete = operation.isWrite ? nil : now
            reason = why
            output = operation.isWrite
                ? CommandOutput(lines: ["unknown: \(why) — the write may or may not have applied"], ok: false)
                : .error(why)
        }
        let finished = record
        history.withLock { $0.append(finished) }
        if announcing { hub.publish(.client(ClientReport(operation: finished, node: node, reason: reason))) }
        return output
    }

    /// Tries members in turn until one answers, a write's fate is unknown, or the deadline passes.
    /// - Returns: how it ended, and the node (1-based) that answered or took the request.
    private func attempt(_ operation: EtcdKVOperation, client: String)
        async -> (Result<EtcdKVOperation.Answer, EtcdAttemptFailure>, Int?) {
        let deadline = now + Double(clientDeadlineMs) / 1000
        var lastFailure = EtcdAttemptFailure.notSent("no member is running")
        while now < deadline {
            for member in await memberOrder(for: operation) {
                var connected = false
                do {
                    let connection = try await pool.connection(client: client, member: member)
                    connected = true
                    let answer = try await operation.send(on: connection, withinMs: attemptMs)
                    return (.success(answer), member + 1)
                } catch {
                    if connected { await pool.discard(client: client, member: member) }
                    lastFailure = EtcdAttemptFailure.of(error, connected: connected)
                    if case .ambiguous = lastFailure, operation.isWrite { return (.failure(lastFailure), member + 1) }
                }
                if now >= deadline { break }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (.failure(lastFailure), nil)
    }

    /// The members to try, 0-based: the pinned one for a stale read; else the leader first, then
    /// the other running members by id.
    private func memberOrder(for operation: EtcdKVOperation) async -> [Int] {
        if let pinned = operation.pinnedMember { return [pinned] }
        let views = await views()
        let running = views.filter { $0.status.isRunning }.map { $0.id - 1 }
        guard let leader = views.leader?.id else { return running }
        return [leader - 1] + running.filter { $0 != leader - 1 }
    }
}
