import Raft
import Services
import Testing
import Wire
@testable import Cluster

/// The clients' protocol as a value on time it is handed: no nodes, no loop, no wall clock.
@Suite("Clients")
struct ClientsTests {
    private func network(leader: NodeID? = nil, reachable: [NodeID] = []) -> ClientNetwork {
        ClientNetwork(leader: leader, up: reachable, reachable: reachable, heartbeatMs: 50)
    }

    private func sentRequest(_ effects: [ClientEffect]) -> (request: ClientRequestFrame, to: NodeID)? {
        for case .send(let request, let to) in effects { return (request, to) }
        return nil
    }

    @Test("a write no node can take is retried each heartbeat, then fails at its deadline")
    func retriesUntilDeadline() throws {
        var clients = Clients(seed: 7, deadlineMs: 1_000, attemptTimeoutMs: 300)
        let attempt = clients.begin(.write(.put(key: "x", value: "1")), as: "alice", invoke: 0, now: .zero,
                                    leader: nil, recordsHistory: true, announce: .always)
        let first = clients.send(attempt, network: network(), now: .zero)
        guard case .retry(let again, 50)? = first.first, first.count == 1 else {
            Issue.record("expected one retry after a heartbeat, got \(first)")
            return
        }
        let late = clients.send(again, network: network(), now: .milliseconds(1_000))
        guard case .finish(_, .failed(let reason), nil)? = late.first else {
            Issue.record("expected a failure at the deadline, got \(late)")
            return
        }
        #expect(reason == "no node answered", "never sent: it certainly did not apply")
    }

    @Test("a redirect goes to the named leader with the same session, and the answer finishes it")
    func followsRedirect() throws {
        var clients = Clients(seed: 7, deadlineMs: 1_000, attemptTimeoutMs: 300)
        let nodes = network(reachable: [1, 2, 3])
        let attempt = clients.begin(.write(.put(key: "x", value: "1")), as: "alice", invoke: 0, now: .zero,
                                    leader: 1, recordsHistory: true, announce: .always)
        let firstEffects = clients.send(attempt, network: nodes, now: .zero)
        let sent = try #require(sentRequest(firstEffects))
        #expect(sent.to == 1)
        let redirect = clients.answer(sent.request.requestID, .notLeader(leaderHint: 2), network: nodes, now: .zero)
        guard case .retry(let redirected, 1)? = redirect.first else {
            Issue.record("expected a retry at once, got \(redirect)")
            return
        }
        let resentEffects = clients.send(redirected, network: nodes, now: .milliseconds(1))
        let resent = try #require(sentRequest(resentEffects))
        #expect(resent.to == 2)
        #expect(resent.request.session == sent.request.session, "a retried write keeps its session")
        let done = clients.answer(resent.request.requestID, .ok(value: nil, index: 4), network: nodes,
                                  now: .milliseconds(2))
        guard case .finish(_, .ok, 2)? = done.first else {
            Issue.record("expected success answered by n2, got \(done)")
            return
        }
        #expect(clients.newestAnsweredIndex == 4)
        #expect(clients.answer(resent.request.requestID, nil, network: nodes, now: .milliseconds(3)).isEmpty,
                "an answered request no longer expires")
    }

    @Test("a paused client's operations wait, and carry on with fresh deadlines when it resumes")
    func pausedClientParks() throws {
        var clients = Clients(seed: 7, deadlineMs: 1_000, attemptTimeoutMs: 300)
        let nodes = network(leader: 1, reachable: [1])
        _ = clients.ensureClient("bob")
        #expect(clients.setPaused("bob", true, network: nodes, now: .zero)?.resumed == 0)
        let attempt = clients.begin(.read(key: "x"), as: "bob", invoke: 0, now: .zero, leader: 1,
                                    recordsHistory: true, announce: .always)
        #expect(clients.send(attempt, network: nodes, now: .zero).isEmpty)
        #expect(clients.parked["bob"]?.count == 1)
        // Long past the first deadline: resuming restarts it, so the read is sent, not failed.
        let resuming = clients.setPaused("bob", false, network: nodes, now: .seconds(5))
        let resumed = try #require(resuming)
        #expect(resumed.resumed == 1)
        #expect(sentRequest(resumed.effects)?.to == 1)
        #expect(clients.setPaused("nobody", false, network: nodes, now: .zero) == nil)
    }

    @Test("client ids draw from the seed")
    func seededIDs() {
        var first = Clients(seed: 42, deadlineMs: 1_000, attemptTimeoutMs: 300)
        var second = Clients(seed: 42, deadlineMs: 1_000, attemptTimeoutMs: 300)
        var other = Clients(seed: 43, deadlineMs: 1_000, attemptTimeoutMs: 300)
        let id = first.ensureClient("a").id
        #expect(id == second.ensureClient("a").id)
        #expect(id != other.ensureClient("a").id)
    }
}
