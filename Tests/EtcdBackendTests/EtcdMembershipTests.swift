import Cluster
import ClusterAPI
import CommandLanguage
import EtcdBackend
import Foundation
import Testing

/// etcd's member API from the console, on real members, one at a time with the suite's others.
extension EtcdClusterTests {
    @Test func aLearnerIsAddedPromotedLeadsAndTheOldLeaderIsRemoved() async throws {
        try await withEtcd { cluster in
            let oldLeader = try #require(await cluster.views().leader?.id)
            #expect(await cluster.execute(.put(key: "before", value: "1")).ok)

            let added = await cluster.execute(.member(.add))
            #expect(added.lines.first?.hasPrefix("n4 added as a learner: it copies the log") == true, "\(added.lines)")
            #expect(cluster.nodeCount == 4)
            let learner = try #require(await cluster.views().first { $0.id == 4 })
            #expect(learner.state?.role == .learner)
            #expect(learner.pid != nil)
            // A learner copies the log: it reads what was written before it joined.
            let copied = await cluster.poll(forMs: 5_000) { () async -> Bool? in
                await cluster.execute(.get(key: "before", staleNode: 4)).readValue == "1" ? true : nil
            }
            #expect(copied == true)
            // Clients never pick a learner (etcd refuses their requests there).
            #expect(await cluster.execute(.put(key: "while-learning", value: "2")).ok)

            let promoted = await cluster.execute(.member(.promote(4)))
            #expect(promoted.lines == ["n4 is a voting member: 4 voters, a quorum is 3"], "\(promoted.lines)")
            #expect(await cluster.execute(.member(.promote(4))).lines == ["error: n4 votes already: only a learner can be promoted"])
            let moved = await cluster.execute(.transfer(to: 4))
            #expect(moved.ok, "\(moved.lines)")
            #expect(await cluster.views().leader?.id == 4)

            let listed = await cluster.execute(.member(.list))
            #expect(listed.lines.count == 5, "\(listed.lines)")
            #expect(listed.lines.dropFirst().allSatisfy { $0.contains(" voter ") })

            let removed = await cluster.execute(.member(.remove(.id(oldLeader))))
            #expect(removed.lines == ["n\(oldLeader) removed from the cluster and stopped: 3 voters, a quorum is 2"],
                    "\(removed.lines)")
            let gone = try #require(await cluster.views().first { $0.id == oldLeader })
            #expect(gone.status == .down(reason: "removed from the cluster"))
            #expect(await cluster.execute(.restart(.id(oldLeader))).lines.first?.contains("was removed") == true)
            #expect(await cluster.execute(.member(.remove(.id(oldLeader)))).lines
                == ["error: n\(oldLeader) is not a member: it was removed"])
            #expect(await cluster.execute(.put(key: "after", value: "3")).ok)
            #expect(await cluster.execute(.check).ok)

            // The next add takes the removed member's place.
            let again = await cluster.execute(.member(.add))
            #expect(again.lines.first?.hasPrefix("n\(oldLeader) added as a learner") == true, "\(again.lines)")
            #expect(cluster.nodeCount == 4)
        }
    }

    @Test func wipeRemovesAMemberAndReAddsItOnAnEmptyDisk() async throws {
        try await withEtcd { cluster in
            #expect(await cluster.execute(.put(key: "kept", value: "yes")).ok)
            let views = await cluster.views()
            let follower = try #require(views.first { $0.state?.role == .follower })
            let oldID = try #require(follower.state?.etcd?.memberID)
            let wiped = await cluster.execute(.wipe(.id(follower.id)))
            #expect(wiped.lines.first?.hasPrefix("n\(follower.id) wiped: removed, re-added on an empty data directory")
                == true, "\(wiped.lines)")
            #expect(cluster.nodeCount == 3)
            let after = try #require(await cluster.views().first { $0.id == follower.id })
            #expect(after.state?.role == .follower)
            #expect(after.state?.etcd?.memberID != oldID, "a wiped member comes back as a new member")
            // Its empty disk was filled from the leader.
            let copied = await cluster.poll(forMs: 5_000) { () async -> Bool? in
                await cluster.execute(.get(key: "kept", staleNode: follower.id)).readValue == "yes" ? true : nil
            }
            #expect(copied == true)
        }
    }

    @Test func membershipCommandsThatCannotApplySayWhy() async throws {
        try await withEtcd { cluster in
            #expect(await cluster.execute(.member(.promote(7))).lines == ["error: no node 7: nodes are 1–3"])
            let voter = await cluster.execute(.member(.promote(1)))
            #expect(voter.lines == ["error: n1 votes already: only a learner can be promoted"], "\(voter.lines)")
        }
    }
}

/// The journal of an etcd run replays to the digest the run printed.
extension EtcdClusterTests {
    @Test func aJournalOfAnEtcdRunReplaysToItsDigest() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cd-etcd-journal-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withEtcd(journal: path) { cluster in
            #expect(cluster.isJournaled)
            #expect(await cluster.execute(.put(key: "x", value: "1")).ok)
            #expect(await cluster.execute(.member(.add)).ok)
            #expect(await cluster.execute(.isolate(.leader)).ok)
            #expect(await cluster.execute(.waitLeader(withinMs: 10_000)).ok)
            let digest = await cluster.digest()
            await cluster.shutdown()
            let replay = try JournalReplay(text: String(contentsOfFile: path, encoding: .utf8))
            #expect(replay.entries.first?.engine == "etcd")
            #expect(replay.nodeCount == 3)
            // The member added during the run is in the replay too.
            #expect(replay.finalState().views.count == 4)
            #expect(replay.finalState().digest == digest)
            #expect(replay.entries.contains { $0.type == "client" })
        }
    }
}
