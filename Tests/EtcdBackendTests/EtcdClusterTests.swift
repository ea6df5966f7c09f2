import Cluster
import ClusterAPI
import CommandLanguage
import EtcdBackend
import Foundation
import Testing

/// The launcher is our own binary (`clusterdeck etcd-launch`), which SwiftPM builds next to the
/// test bundle; CLUSTERDECK_BINARY names another.
private func launcherPath() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["CLUSTERDECK_BINARY"], !explicit.isEmpty { return explicit }
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
    let candidates = (1...4).map { depth in
        (0..<depth).reduce(bundle) { url, _ in url.deletingLastPathComponent() }.appendingPathComponent("clusterdeck").path
    }
    guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
        throw Failure("clusterdeck binary not found near \(bundle.path): run `swift build` first")
    }
    return found
}

/// Real etcd members: these need Debian's etcd-server, which scripts/test.sh installs. A missing
/// etcd fails the test with that message rather than skipping it.
@Suite(.serialized) struct EtcdClusterTests {
    private func withEtcd(_ body: (EtcdCluster) async throws -> Void) async throws {
        var options = ClusterOptions(executablePath: try launcherPath())
        options.nodeCount = 3
        options.timing = .real
        let cluster = try EtcdCluster(options: options)
        do {
            try await cluster.start()
            try await body(cluster)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
        #expect(!FileManager.default.fileExists(atPath: cluster.run.path))
    }

    @Test func aPutIsReadBackAndRecorded() async throws {
        try await withEtcd { cluster in
            #expect(await cluster.execute(.asClient("alice", .put(key: "x", value: "1"))).ok)
            let read = await cluster.execute(.asClient("bob", .get(key: "x", staleNode: nil)))
            #expect(read.readValue == "1")
            let stale = await cluster.execute(.get(key: "x", staleNode: 2))
            #expect(stale.ok)
            let views = await cluster.views()
            #expect(views.allSatisfy { $0.state?.etcd?.memberID.isEmpty == false })
            #expect(views.leader != nil)
            let history = await cluster.history()
            #expect(history.map(\.f) == ["put", "get", "get"])
            #expect(history.allSatisfy { $0.outcome == .ok })
            #expect(await cluster.execute(.check).ok)
        }
    }

    @Test func aCutStopsExactlyThatDirection() async throws {
        try await withEtcd { cluster in
            // The leader's heartbeats keep leader->follower busy, the follower's answers (and, once it
            // hears nothing, its pre-votes) the other way.
            let leader = try #require(await cluster.views().leader?.id)
            let follower = leader == 1 ? 2 : 1
            let book = cluster.trafficBook
            _ = await cluster.execute(.cut(from: leader, to: follower))
            try await Task.sleep(for: .milliseconds(300))
            let cutBefore = book.counters(from: leader, to: follower)
            let backBefore = book.counters(from: follower, to: leader)
            try await Task.sleep(for: .seconds(1))
            let cutAfter = book.counters(from: leader, to: follower)
            let backAfter = book.counters(from: follower, to: leader)
            #expect(cutAfter.chunks == cutBefore.chunks, "bytes crossed a cut link")
            #expect(cutAfter.blocked > 0, "nothing tried the cut link")
            #expect(backAfter.chunks > backBefore.chunks, "the other direction stopped too")
            _ = await cluster.execute(.heal)
            try await Task.sleep(for: .milliseconds(500))
            #expect(book.counters(from: leader, to: follower).chunks > cutAfter.chunks)
        }
    }
}
