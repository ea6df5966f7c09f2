import NIOCore
import Raft
import Wire

/// Drives the `Clients` value: hands it the cluster time and what the nodes look like, and carries
/// out what it asks for (frames, cluster-time timers, history, the operation's promise).
extension ClusterEngine {
    /// Runs a client operation: finds the leader, follows redirects, retries with the same session
    /// (so a write applies once), and gives up as `unknown` when it cannot know.
    /// - Parameter announce: when the event log hears of the outcome.
    func perform(_ operation: ClientOperation, as clientName: String = "default",
                 recordsHistory: Bool = true,
                 announce: ClientAnnouncement = .always) -> EventLoopFuture<ClientOutcome> {
        _ = ensureClient(clientName)
        let attempt = clients.begin(operation, as: clientName, invoke: elapsedSeconds, now: clusterNow,
                                    leader: leaderID, recordsHistory: recordsHistory, announce: announce)
        let promise = loop.makePromise(of: ClientOutcome.self)
        clientPromises[attempt.id] = promise
        sendClientAttempt(attempt)
        return promise.futureResult
    }

    /// The client's id, creating the client on first use (its name then shows with its locks and
    /// elections, so the journal notes the changed settings).
    func ensureClient(_ name: String) -> UInt64 {
        let (id, isNew) = clients.ensureClient(name)
        if isNew { journalChanges() }
        return id
    }

    /// What the clients may know of the nodes now.
    /// Built for every request and answer, so in one pass over the nodes, without views.
    var clientNetwork: ClientNetwork {
        let nodes = supervisor.nodes
        var up: [NodeID] = []
        var reachable: [NodeID] = []
        up.reserveCapacity(nodes.count)
        reachable.reserveCapacity(nodes.count)
        for node in nodes where node.status == .up {
            up.append(node.id)
            if supervisor.isConnected(node.id) { reachable.append(node.id) }
        }
        let leader = nodes.leading(status: \.status, state: \.state)?.id
        return ClientNetwork(leader: leader, up: up, reachable: reachable, heartbeatMs: timing.heartbeatMs)
    }

    func sendClientAttempt(_ attempt: ClientAttempt) {
        runClientEffects(clients.send(attempt, network: clientNetwork, now: clusterNow))
    }

    func clientAnswered(_ response: ClientResponseFrame) {
        runClientEffects(clients.answer(response.requestID, response.outcome, network: clientNetwork,
                                        now: clusterNow))
    }

    /// Every request in flight as unanswered: the nodes are going away.
    func expireAllClientRequests() {
        runClientEffects(clients.expireAll(network: clientNetwork, now: clusterNow))
    }

    private func runClientEffects(_ effects: [ClientEffect]) {
        for effect in effects {
            switch effect {
            case .send(let request, let target):
                send(.clientRequest(request), to: target)
            case .expire(let requestID, let afterMs):
                afterClusterTime(milliseconds: afterMs) { engine in
                    engine.runClientEffects(engine.clients.answer(requestID, nil, network: engine.clientNetwork,
                                                                  now: engine.clusterNow))
                }
            case .retry(let attempt, let afterMs):
                afterClusterTime(milliseconds: afterMs) { engine in engine.sendClientAttempt(attempt) }
            case .finish(let attempt, let outcome, let node):
                if attempt.recordsHistory { recordHistory(attempt, outcome, answeredBy: node) }
                clientPromises.removeValue(forKey: attempt.id)?.succeed(outcome)
            }
        }
    }

    /// Pauses or wakes a client (`client pause|resume NAME`).
    func setClient(_ name: String, paused: Bool) -> CommandOutput {
        guard let (resumed, effects) = clients.setPaused(name, paused, network: clientNetwork, now: clusterNow) else {
            let known = clients.byName.keys.sorted().joined(separator: ", ")
            return .error("no client \"\(name)\" (known: \(known.isEmpty ? "none yet" : known))")
        }
        publish(.action("client \(name) \(paused ? "paused" : "resumed")"))
        runClientEffects(effects)
        guard !paused else { return CommandOutput(lines: ["client \(name) paused"]) }
        return CommandOutput(lines: ["client \(name) resumed (\(resumed) operations carried on)"])
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
        publish(.client(ClientReport(operation: record, node: node, reason: outcome.reason,
                                     fromPrimary: options.replication == .primaryBackup)))
    }
}
