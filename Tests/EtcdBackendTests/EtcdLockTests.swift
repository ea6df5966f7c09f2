import Cluster
import ClusterAPI
import CommandLanguage
import EtcdBackend
import Foundation
import Testing

/// Leases, locks and fencing on real etcd members. An extension of `EtcdClusterTests`, so these
/// run one at a time with its other tests (two clusters on two cores keep changing leaders).
extension EtcdClusterTests {
    /// The token in `granted, token N (…)`.
    private func token(_ output: CommandOutput) throws -> Int {
        let line = try #require(output.lines.first)
        let digits = line.drop { !$0.isNumber }.prefix { $0.isNumber }
        return try #require(Int(digits), "no token in \(line)")
    }

    @Test func aPausedHoldersLeaseExpiresAndItsFencedWriteIsRefused() async throws {
        try await withEtcd { cluster in
            let first = await cluster.execute(.asClient("alice", .lock(name: "L", ttlMs: 1_000)))
            #expect(first.ok, "\(first.lines)")
            let aliceToken = try token(first)
            #expect(await cluster.execute(.clientPause("alice", true)).ok)
            // bob's lock waits in etcd until alice's lease runs out on etcd's clock.
            let started = ContinuousClock.now
            let second = await cluster.execute(.asClient("bob", .lock(name: "L", ttlMs: 1_000)))
            #expect(second.ok, "\(second.lines)")
            #expect(ContinuousClock.now - started > .milliseconds(300), "bob did not wait for alice's lease")
            let bobToken = try token(second)
            #expect(bobToken > aliceToken)
            #expect(await cluster.execute(.asClient("bob", .fencedPut(key: "balance", value: "100", token: bobToken))).ok)
            #expect(await cluster.execute(.clientPause("alice", false)).ok)
            let late = await cluster.execute(.asClient("alice", .fencedPut(key: "balance", value: "0", token: aliceToken)))
            #expect(!late.ok)
            #expect(late.lines.joined().contains("fenced"), "\(late.lines)")
            #expect(await cluster.execute(.get(key: "balance", staleNode: nil)).readValue == "100")
            let locks = await cluster.execute(.locks)
            #expect(locks.lines.first?.hasPrefix("L  holder bob  token \(bobToken)") == true, "\(locks.lines)")

            let history = await cluster.history()
            let grants = history.filter { $0.f == "lock" }
            #expect(grants.map(\.process) == ["alice", "bob"])
            #expect(grants.map(\.result) == ["granted", "granted"])
            #expect(grants.map(\.token) == [aliceToken, bobToken])
            let puts = history.filter { $0.f == "put" }
            #expect(puts.map(\.outcome) == [.ok, .fail])
            #expect(puts.map(\.result) == [nil, "fenced"])
            #expect(puts.map(\.token) == [bobToken, aliceToken])
            #expect(await cluster.execute(.check).ok)
        }
    }

    @Test func unlockSaysWhetherItReleasedAndAnUnknownTokenIsNotSent() async throws {
        try await withEtcd { cluster in
            let granted = await cluster.execute(.asClient("carol", .lock(name: "M", ttlMs: 5_000)))
            let carolToken = try token(granted)
            let released = await cluster.execute(.asClient("carol", .unlock(name: "M")))
            #expect(released.lines == ["released (token \(carolToken))"])
            let again = await cluster.execute(.asClient("carol", .unlock(name: "M")))
            #expect(!again.ok)
            // After the release the key is gone: the holder's own fenced write is refused too.
            let fenced = await cluster.execute(.asClient("carol", .fencedPut(key: "k", value: "v", token: carolToken)))
            #expect(!fenced.ok)
            let unknown = await cluster.execute(.fencedPut(key: "k", value: "v", token: 999_999))
            #expect(unknown.lines.first?.contains("no lock granted on this console has token 999999") == true)
            #expect(await cluster.history().map(\.result) == ["granted", "released", "notHeld", "fenced"])
            #expect(await cluster.execute(.asClient("carol", .lock(name: "M", ttlMs: 5_000))).ok)
            #expect(await cluster.execute(.clientPause("carol", true)).ok)
            // A paused client's command waits, as on Raft, and goes on at `client resume`.
            let parked = Task { await cluster.execute(.asClient("carol", .put(key: "k", value: "parked"))) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(await cluster.execute(.get(key: "k", staleNode: nil)).readValue != "parked")
            let resumed = await cluster.execute(.clientPause("carol", false))
            #expect(resumed.lines.first?.hasSuffix("; 1 parked command goes on") == true, "\(resumed.lines)")
            #expect(await parked.value.ok)
            #expect(await cluster.execute(.get(key: "k", staleNode: nil)).readValue == "parked")
        }
    }
}
