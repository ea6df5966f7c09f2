import Cluster
import Foundation
import Testing

extension LiveClusterTests {
    @Suite("Locks and elections on real nodes")
    struct LocksAndElections {
        private func token(in line: String) -> Int? {
            guard let range = line.range(of: #"token (\d+)"#, options: .regularExpression) else { return nil }
            return Int(line[range].split(separator: " ").last ?? "")
        }

        @Test("a paused client's lease expires, a second client gets a larger token, and the first client's fenced write is refused")
        func fencing() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                let first = try #require(token(in: try await cluster.line("lock L ttl 1s as alice")))
                #expect(try await cluster.line("client pause alice") == "client alice paused")
                let second = try #require(token(in: try await cluster.line("lock L ttl 1s as bob")))
                #expect(second > first)
                #expect(try await cluster.line("put x from-bob --fence \(second) as bob") == "OK")
                _ = try await cluster.line("client resume alice")
                let refused = try await cluster.exec("put x from-alice --fence \(first) as alice")
                #expect(!refused.ok)
                #expect(refused.lines.joined().contains("fenced"))
                #expect(try await cluster.exec("get x").lines == ["from-bob"])
            }
        }

        @Test("lock tokens strictly increase across a leader failover")
        func tokensAcrossFailover() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                let first = try #require(token(in: try await cluster.line("lock L ttl 2s as alice")))
                _ = try await cluster.line("unlock L as alice")
                _ = try await cluster.line("kill leader")
                _ = try await cluster.waitLeader()
                let second = try #require(token(in: try await cluster.line("lock L ttl 2s as bob")))
                #expect(second > first)
                let locks = try await cluster.line("locks")
                #expect(locks.contains("holder bob") && locks.contains("token \(second)"))
            }
        }

        @Test("leadership passes on when the leader resigns or its client stalls")
        func electionHandover() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                _ = try await cluster.line("campaign primary db-1 ttl 1s as alice")
                _ = try await cluster.line("campaign primary db-2 ttl 1s as bob")
                _ = try await cluster.line("campaign primary db-3 ttl 1s as carol")
                #expect(try await cluster.line("leader primary").contains("leader alice"))
                _ = try await cluster.line("resign primary as alice")
                #expect(try await cluster.exec("wait elected primary as bob within 5s").ok)
                _ = try await cluster.line("client pause bob")
                let carol = try await cluster.exec("wait elected primary as carol within 10s")
                #expect(carol.ok, "carol never led: \(carol.lines)")
                #expect(try await cluster.line("leader primary").contains("db-3"))
            }
        }

        @Test("FIFO waiters are served in order")
        func fifoWaiters() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                let first = try #require(token(in: try await cluster.line("lock L ttl 5s as alice")))
                async let bob = cluster.exec("lock L ttl 5s as bob")
                try await Task.sleep(for: .milliseconds(300))
                async let carol = cluster.exec("lock L ttl 5s as carol")
                try await Task.sleep(for: .milliseconds(300))
                let waiting = try await cluster.line("locks")
                #expect(waiting.contains("waiters bob, carol"), "queue: \(waiting)")
                _ = try await cluster.line("unlock L as alice")
                let bobToken = try #require(token(in: (await bob).lines.joined()))
                #expect(try await cluster.line("locks").contains("holder bob"))
                _ = try await cluster.line("unlock L as bob")
                let carolToken = try #require(token(in: (await carol).lines.joined()))
                #expect(first < bobToken && bobToken < carolToken)
            }
        }

        @Test("with --snapshot-every 64, a wiped node catches up by an InstallSnapshot")
        func wipedNodeCatchesUpBySnapshot() async throws {
            try await withCluster(nodes: 3, configure: { $0.snapshotEvery = 64 }) { cluster in
                let leader = try await cluster.waitLeader()
                let follower = leader == 3 ? 2 : 3
                let installs = EventCounter()
                await cluster.subscribe { event in
                    if case .node(let id, let frame) = event, id == follower, frame.kind == .snapshot {
                        installs.increment()
                    }
                }
                for index in 1...150 { _ = try await cluster.line("put k\(index) v\(index)") }
                _ = try await cluster.line("wipe \(follower)")
                let caughtUp = await eventually(within: 10, everyMs: 50) {
                    (try? await cluster.line("get k150 --stale --node \(follower)")) == "v150"
                }
                #expect(caughtUp, "the wiped node never caught up")
                #expect(installs.value >= 1, "no InstallSnapshot reached the wiped node")
                #expect(try await cluster.line("get k1 --stale --node \(follower)") == "v1")
            }
        }

        @Test("freeze + timeout 2 + step shows an election message by message")
        func electionStepByStep() async throws {
            try await withCluster(nodes: 3) { cluster in
                let leader = try await cluster.waitLeader()
                let candidate = leader == 2 ? 3 : 2
                // With pre-vote and check-quorum on, nodes that hear from a leader ignore a forced
                // campaign; off, the election runs to the end.
                _ = try await cluster.line("set prevote off")
                _ = try await cluster.line("set checkquorum off")
                _ = try await cluster.line("freeze")
                // Messages already on their way when time stopped (a heartbeat and its answer) are
                // held too: deliver them first, so the next step is the campaign's. With clocks
                // stopped nothing new starts, and an answer to a delivered heartbeat starts nothing.
                try await Task.sleep(for: .milliseconds(200))
                for _ in 0..<3 {
                    let status = try await cluster.exec("status").lines.joined()
                    if status.contains("FROZEN (0 held)") { break }
                    _ = try await cluster.exec("step 100")
                }
                _ = try await cluster.line("timeout \(candidate)")
                try await Task.sleep(for: .milliseconds(200))
                let first = try await cluster.exec("step 1")
                let delivered = first.lines.filter { $0.hasPrefix("delivered") }
                #expect(delivered.count == 1)
                #expect(delivered.first?.contains("n\(candidate) →") == true, "\(first.lines)")
                #expect(delivered.first?.contains("Vote") == true, "\(first.lines)")
                var rest: [String] = []
                for _ in 0..<5 {
                    rest += try await cluster.exec("step 10").lines
                }
                #expect(rest.contains { $0.contains("VoteResp") }, "\(rest)")
                #expect(rest.contains { $0.contains("n\(candidate) →") && $0.contains("Append") },
                        "the candidate won and sent its first appends: \(rest)")
                _ = try await cluster.line("thaw")
                _ = try await cluster.waitLeader()
            }
        }
    }
}

/// Counts events from the cluster's loop thread, read from the test.
final class EventCounter: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
