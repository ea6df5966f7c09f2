import Cluster
import CommandLanguage
import Foundation
import Testing
import Wire

extension LiveClusterTests {
    @Suite("Freeze and step")
    struct Freeze {
        @Test("while frozen no election starts and messages are held; step 1 delivers exactly one")
        func freezeThenStep() async throws {
            try await withCluster(nodes: 3) { cluster in
                let leader = try await cluster.waitSettled()
                let before = await cluster.views()

                let frozen = try await cluster.exec("freeze")
                #expect(frozen.ok)
                // A write while frozen: the leader appends and sends Append messages, which the
                // fabric holds. It completes (or not) after thaw; it is not what this test checks.
                let write = Task { try await cluster.exec("put f 1") }

                // Three maximum election timeouts and more: any running clock would have fired.
                try await Task.sleep(for: .milliseconds(3 * maximumElectionMs + 300))
                let during = await cluster.views()
                for view in during {
                    let old = before.first { $0.id == view.id }?.state
                    #expect(view.state?.term == old?.term, "term changed while frozen: \(view.summary)")
                    #expect(view.state?.role == old?.role, "role changed while frozen: \(view.summary)")
                    #expect(view.state?.frozen == true, "n\(view.id) does not report frozen: \(view.summary)")
                }
                #expect(await cluster.view(leader)?.state?.role == .leader)

                let heldBefore = try #require(try await heldCount(cluster), "status does not show FROZEN")
                #expect(heldBefore >= 1, "the write's Append messages should be held")

                let stepped = try await cluster.exec("step 1")
                let delivered = stepped.lines.filter { $0.hasPrefix("delivered ") }
                #expect(delivered.count == 1, "step 1 printed \(stepped.lines)")
                #expect(stepped.lines.last == "\(heldBefore - 1) still held", "\(stepped.lines)")

                // Still no election after the step.
                try await Task.sleep(for: .milliseconds(maximumElectionMs))
                for view in await cluster.views() {
                    let old = before.first { $0.id == view.id }?.state
                    #expect(view.state?.term == old?.term, "term changed after step: \(view.summary)")
                }

                let thawed = try await cluster.exec("thaw")
                #expect(thawed.lines.first?.hasPrefix("thawed: ") == true)
                let outcome = try await write.value.lines
                let value = try await cluster.exec("get f").lines
                if outcome == ["OK"] {
                    #expect(value == ["1"])
                } else {
                    #expect(outcome.first?.hasPrefix("unknown:") == true, "\(outcome)")
                }
                #expect(try await cluster.line("put g 2") == "OK", "the cluster does not commit after thaw")
                for view in await cluster.views() {
                    let thawedNow = await eventually { await cluster.view(view.id)?.state?.frozen == false }
                    #expect(thawedNow, "n\(view.id) still reports frozen after thaw")
                }
            }
        }

        @Test("a put stepped by hand through a frozen cluster makes one log entry and ends ok")
        func steppedPutCommitsOnce() async throws {
            try await withCluster(nodes: 3) { cluster in
                let leader = try await cluster.waitSettled()
                let lastBefore = try #require(await cluster.view(leader)?.state?.lastIndex)
                #expect(try await cluster.exec("freeze").ok)
                let write = Task { try await cluster.exec("put x 1") }
                // Far past the client's attempt timeout and deadline on the wall clock: a client
                // on wall time would have retried (a second entry) or given up (unknown) by now.
                try await Task.sleep(for: .milliseconds(4 * maximumElectionMs + 600))
                var steps = 0
                while steps < 12 {
                    _ = try await cluster.exec("step 1")
                    steps += 1
                    let done = await eventually(within: 0.3) { await cluster.view(leader)?.state?.commitIndex ?? 0 > lastBefore }
                    if done { break }
                }
                #expect(try await write.value.lines == ["OK"], "the stepped put did not end ok")
                let state = try #require(await cluster.view(leader)?.state)
                #expect(state.lastIndex == lastBefore + 1, "the put made \(state.lastIndex - lastBefore) entries")
                #expect(try await cluster.exec("thaw").ok)
            }
        }

        /// The N in `FROZEN (N held)` of `status`, or nil when not frozen.
        private func heldCount(_ cluster: LocalCluster) async throws -> Int? {
            let text = try await cluster.exec("status").lines.joined(separator: "\n")
            guard let range = text.range(of: "FROZEN (") else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Suite("Retried writes apply once")
    struct Retries {
        @Test("a cas whose leader lost touch is retried on the new leader and applies once")
        func retriedCasAppliesOnce() async throws {
            try await withCluster(nodes: 3) { cluster in
                let leader = try await cluster.waitLeader()
                #expect(try await cluster.line("put counter 0") == "OK")
                _ = try await cluster.waitSettled()
                let followers = (1...3).filter { $0 != leader }
                // The leader still reaches its followers but hears nothing back: it appends the cas and
                // replicates it, cannot commit it, and steps down (check-quorum). The followers elect a
                // leader that has the entry and commits it. The client, without an answer, retries the
                // same session on the new leader: a correct cluster answers OK from the session table;
                // one that applied the retry again would answer "cas failed: the key holds 1".
                for follower in followers { _ = try await cluster.exec("cut \(follower)->\(leader)") }
                let cas = try await cluster.exec("cas counter 0 1")
                #expect(cas.lines == ["OK"], "the retried cas: \(cas.lines)")
                let newLeader = try await cluster.waitLeader()
                #expect(newLeader != leader)
                _ = try await cluster.exec("heal")
                #expect(try await cluster.exec("get counter").lines == ["1"])
                let casRecords = await cluster.history().filter { $0.f == "cas" }
                #expect(casRecords.count == 1)
                #expect(casRecords.first?.outcome == .ok)
                // Every replica ends up with the same single increment.
                for id in 1...3 {
                    let one = try await eventually {
                        try await cluster.line("get counter --stale --node \(id)") == "1"
                    }
                    #expect(one, "n\(id) does not hold counter = 1")
                }
            }
        }

        @Test("a stream of cas increments across leader kills: the counter equals the applied increments")
        func casStreamAcrossLeaderKills() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                #expect(try await cluster.line("put counter 0") == "OK")
                var expected = 0  // what this client, the only writer, believes the counter holds
                var acknowledged = 0
                var appliedUnknown = 0
                var lastWasUnknown = false
                var unknowns = 0
                for step in 0..<40 {
                    let command = "cas counter \(expected) \(expected + 1)"
                    let line: String
                    if step == 10 || step == 25 {
                        // Kill the leader while the cas is in flight, then bring it back.
                        let leader = try await cluster.waitLeader()
                        async let casLine = cluster.line(command)
                        try await Task.sleep(for: .milliseconds(2))
                        async let killed = cluster.line("kill \(leader)")
                        line = try await casLine
                        #expect(try await killed == "n\(leader) killed (SIGKILL)")
                        _ = try await cluster.exec("restart \(leader)")
                        _ = try await cluster.waitLeader()
                    } else {
                        line = try await cluster.line(command)
                    }
                    if line == "OK" {
                        acknowledged += 1
                        expected += 1
                        lastWasUnknown = false
                    } else if line.hasPrefix("unknown:") {
                        unknowns += 1
                        lastWasUnknown = true
                    } else if let current = Self.casFailedValue(line) {
                        // Only one client writes: a cas can fail only because the previous, unknown
                        // one did apply after all — never because a retried write applied twice.
                        #expect(lastWasUnknown && current == "\(expected + 1)",
                                "step \(step): \(line) (expected \(expected), last unknown: \(lastWasUnknown))")
                        if lastWasUnknown { appliedUnknown += 1 }
                        expected = Int(current) ?? expected
                        lastWasUnknown = false
                    } else {
                        Issue.record("step \(step): unexpected outcome \(line)")
                        lastWasUnknown = false
                    }
                }
                let final = try await cluster.exec("get counter").lines
                let value = try #require(final.first.flatMap { Int($0) }, "get counter: \(final)")
                if lastWasUnknown {
                    #expect(value == expected || value == expected + 1)
                } else {
                    #expect(value == expected)
                }
                // Every increment that applied is one the client saw as OK, or an unknown one that the
                // next cas revealed; nothing applied twice.
                #expect(value - (lastWasUnknown ? value - expected : 0) == acknowledged + appliedUnknown)
                #expect(acknowledged >= 30, "only \(acknowledged) of 40 increments succeeded (\(unknowns) unknown)")
            }
        }

        /// The value in `cas failed: the key holds "V"`.
        static func casFailedValue(_ line: String) -> String? {
            guard line.hasPrefix("cas failed: the key holds \"") else { return nil }
            return String(line.dropFirst("cas failed: the key holds \"".count).dropLast())
        }
    }
}
