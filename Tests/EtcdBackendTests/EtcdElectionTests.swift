import Cluster
import ClusterAPI
import CommandLanguage
import EtcdBackend
import Foundation
import Testing

/// Elections on real etcd members, one at a time with the suite's other clusters.
extension EtcdClusterTests {
    @Test func aPausedLeadersLeaseExpiresAndTheWaitingCandidateLeads() async throws {
        try await withEtcd { cluster in
            let first = await cluster.execute(.asClient("alice", .campaign(name: "e", value: "alpha", ttlMs: 1_000)))
            #expect(first.lines.first?.hasPrefix("elected: e = alpha (revision ") == true, "\(first.lines)")
            let second = await cluster.execute(.asClient("bob", .campaign(name: "e", value: "beta", ttlMs: 1_000)))
            #expect(second.lines.first?.hasPrefix("candidate for e") == true, "\(second.lines)")
            #expect(await cluster.execute(.electionLeader(name: "e")).lines.first?
                .hasPrefix("e: alpha (leader alice, revision ") == true)
            let notYet = await cluster.execute(.asClient("bob", .waitElected(name: "e", withinMs: 300)))
            #expect(!notYet.ok)

            #expect(await cluster.execute(.clientPause("alice", true)).ok)
            let elected = await cluster.execute(.asClient("bob", .waitElected(name: "e", withinMs: 5_000)))
            #expect(elected.ok, "\(elected.lines)")
            #expect(await cluster.execute(.electionLeader(name: "e")).lines.first?
                .hasPrefix("e: beta (leader bob, revision ") == true)
            let resigned = await cluster.execute(.asClient("bob", .resign(name: "e")))
            #expect(resigned.lines.first?.hasPrefix("resigned e") == true, "\(resigned.lines)")
            #expect(await cluster.execute(.electionLeader(name: "e")).lines == ["e: no leader"])

            let history = await cluster.history().filter { $0.f == "campaign" || $0.f == "resign" }
            #expect(history.map(\.process) == ["alice", "bob", "bob"])
            #expect(history.map(\.result) == ["elected", "elected", "resigned"])
        }
    }
}

/// etcd's move-leader.
extension EtcdClusterTests {
    @Test func transferMovesLeadershipToTheNamedMember() async throws {
        try await withEtcd { cluster in
            let views = await cluster.views()
            let leader = try #require(views.leader?.id)
            let target = try #require(views.first { $0.id != leader }?.id)
            let moved = await cluster.execute(.transfer(to: target))
            #expect(moved.lines.first?.hasPrefix("leader n\(target) in term ") == true, "\(moved.lines)")
            #expect(await cluster.views().leader?.id == target)
            #expect(await cluster.execute(.transfer(to: target)).lines == ["n\(target) leads already"])
            #expect(!(await cluster.execute(.transfer(to: 9))).ok)
        }
    }
}
