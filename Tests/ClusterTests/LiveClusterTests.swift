import Cluster
import CommandLanguage
import Foundation
import Testing
import Wire

/// Every test that starts real processes (clusters and shells) lives under this one suite, so none
/// of them runs in parallel with another: on a 2-core machine parallel clusters starve each other's
/// timers and elections flap.
@Suite("Live clusters of real node processes", .serialized)
struct LiveClusterTests {}

extension LiveClusterTests {
    @Suite("Failover and partitions")
    struct Failover {
        @Test("a write survives the leader's death: put, kill leader, new leader, get")
        func failover() async throws {
            try await withCluster(nodes: 3) { cluster in
                let first = try await cluster.waitLeader()
                #expect(try await cluster.line("put x 1") == "OK")
                #expect(try await cluster.line("kill leader") == "n\(first) killed (SIGKILL)")
                let second = try await cluster.waitLeader()
                #expect(second != first, "wait leader named the node just killed")
                #expect(try await cluster.exec("get x").lines == ["1"])
                let killed = await cluster.view(first)
                #expect(killed?.status.isRunning == false)
            }
        }

        @Test("a minority partition cannot commit; the majority can, and the minority catches up after heal")
        func minorityPartition() async throws {
            try await withCluster(nodes: 5) { cluster in
                let oldLeader = try await cluster.waitSettled()
                let buddy = oldLeader == 1 ? 2 : 1
                let majority = (1...5).filter { $0 != oldLeader && $0 != buddy }
                let partition = "partition \(oldLeader),\(buddy) | \(majority.map(String.init).joined(separator: ","))"
                let partitioned = try await cluster.exec(partition)
                #expect(partitioned.ok, "\(partitioned.lines)")
                // The minority's commit index as of the partition: read once its last state frames
                // (coalesced, 50 ms apart) have come; from here on it must not move.
                try await Task.sleep(for: .milliseconds(300))
                let before = await cluster.views()
                let commitBefore = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0.state?.commitIndex ?? -1) })

                // The client must find the majority's new leader (the old one can no longer commit).
                let put = try await cluster.exec("put pk pv")
                #expect(put.lines == ["OK"], "a put during a minority partition: \(put.lines)")
                let newLeader = try await cluster.waitLeader()
                #expect(majority.contains(newLeader), "leader n\(newLeader) is not in the majority \(majority)")

                // The majority applies it; the minority neither has the value nor commits anything.
                for id in majority {
                    let applied = try await eventually {
                        try await cluster.line("get pk --stale --node \(id)") == "pv"
                    }
                    #expect(applied, "majority node n\(id) never applied the put")
                }
                for id in [oldLeader, buddy] {
                    #expect(try await cluster.line("get pk --stale --node \(id)") == "(not found)",
                            "minority node n\(id) has a value that cannot have committed")
                    let state = await cluster.view(id)?.state
                    #expect(state?.commitIndex == commitBefore[id],
                            "minority node n\(id) advanced its commit index: \(state.map { "\($0.commitIndex)" } ?? "-")")
                }

                #expect(try await cluster.line("heal") == "network healed")
                for id in [oldLeader, buddy] {
                    let caughtUp = try await eventually(within: 5) {
                        try await cluster.line("get pk --stale --node \(id)") == "pv"
                    }
                    #expect(caughtUp, "minority node n\(id) did not catch up within 5 s of heal")
                }
                #expect(try await cluster.exec("get pk").lines == ["pv"])
            }
        }
    }

    @Suite("Recovery from disk")
    struct Recovery {
        @Test("a restarted follower recovers its log from disk and its keys")
        func restartedFollowerRecovers() async throws {
            try await withCluster(nodes: 3) { cluster in
                let leader = try await cluster.waitLeader()
                let follower = leader == 1 ? 2 : 1
                for index in 1...5 {
                    #expect(try await cluster.line("put r\(index) value\(index)") == "OK")
                }
                // Wait until the follower has applied everything, so "before" is meaningful.
                let applied = try await eventually {
                    try await cluster.line("get r5 --stale --node \(follower)") == "value5"
                }
                #expect(applied, "follower n\(follower) never applied r5")
                _ = try await cluster.waitSettled()
                let before = try #require(await cluster.view(follower))
                let stateBefore = try #require(before.state)

                // Cut it off so that whatever it has after the restart came from its own disk.
                _ = try await cluster.exec("isolate \(follower)")
                #expect(try await cluster.line("restart \(follower)") == "n\(follower) restarted on its data")
                let recovered = await eventually {
                    guard let view = await cluster.view(follower) else { return false }
                    return view.status == .up && view.state != nil && view.pid != before.pid
                }
                let shown = await cluster.view(follower)?.summary ?? "-"
                #expect(recovered, "n\(follower) did not come back: \(shown)")
                let isolatedState = try #require(await cluster.view(follower)?.state)
                #expect(isolatedState.lastIndex >= stateBefore.lastIndex,
                        "the restarted node's log is shorter than before: \(isolatedState.lastIndex) < \(stateBefore.lastIndex)")
                #expect(isolatedState.term >= stateBefore.term)

                _ = try await cluster.exec("heal")
                for index in 1...5 {
                    let readable = try await eventually {
                        try await cluster.line("get r\(index) --stale --node \(follower)") == "value\(index)"
                    }
                    #expect(readable, "r\(index) is missing on the restarted n\(follower)")
                }
                let after = try #require(await cluster.view(follower)?.state)
                #expect(after.commitIndex >= stateBefore.commitIndex)
                #expect(after.appliedIndex >= stateBefore.appliedIndex)
            }
        }

        @Test("killing every node with SIGKILL mid-writes loses no acknowledged write")
        func wholeClusterKilled() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                let acknowledged = Counter()
                let writes = 30

                async let outcomes: [String] = {
                    var outcomes: [String] = []
                    for index in 0..<writes {
                        let line = try await cluster.exec("put w\(index) v\(index)").lines.first ?? ""
                        outcomes.append(line)
                        if line == "OK" { acknowledged.increment() }
                    }
                    return outcomes
                }()

                // Mid-way through the batch: SIGKILL every node, then start them all again.
                let midway = await eventually(within: 10, everyMs: 2) { acknowledged.value >= 10 }
                #expect(midway)
                let atKill = acknowledged.value
                for id in 1...3 { _ = try await cluster.exec("kill \(id)") }
                for id in 1...3 {
                    let down = await eventually { await cluster.view(id)?.status.isRunning == false }
                    #expect(down, "n\(id) still runs after kill")
                }
                for id in 1...3 { _ = try await cluster.exec("restart \(id)") }

                let results = try await outcomes
                _ = try await cluster.waitLeader()
                var okCount = 0
                for (index, outcome) in results.enumerated() {
                    let read = try await cluster.exec("get w\(index)").lines
                    if outcome == "OK" {
                        okCount += 1
                        #expect(read == ["v\(index)"], "acknowledged put w\(index) is lost after the crash: \(read)")
                    } else if outcome.hasPrefix("unknown:") {
                        #expect(read == ["v\(index)"] || read == ["(not found)"], "\(read)")
                    } else {
                        #expect(outcome.hasPrefix("error:"), "unexpected put outcome \(outcome)")
                        #expect(read == ["(not found)"], "failed put w\(index) (\(outcome)) applied anyway")
                    }
                }
                #expect(okCount >= 10)
                #expect(atKill < writes, "the batch finished before the kill: nothing was in flight")
                // The history records the same outcomes the commands printed.
                let puts = await cluster.history().filter { $0.f == "put" }
                #expect(puts.count == writes)
                #expect(puts.filter { $0.outcome == .ok }.count == okCount)
            }
        }
    }
}

/// A counter shared between tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
