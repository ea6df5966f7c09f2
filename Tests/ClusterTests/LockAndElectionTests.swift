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
    }
}
