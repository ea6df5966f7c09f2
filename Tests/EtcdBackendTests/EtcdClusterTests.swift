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
    /// Starts three members at real pace, runs `body`, and checks that nothing is left behind.
    func withEtcd(journal: String? = nil, _ body: (EtcdCluster) async throws -> Void) async throws {
        var options = ClusterOptions(executablePath: try launcherPath())
        options.nodeCount = 3
        options.timing = .real
        options.journalPath = journal
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
            let appliedBefore = try #require(await cluster.views()[follower - 1].state?.appliedIndex)
            // The leader and the third member are a majority: writes commit without the follower.
            #expect(await cluster.execute(.put(key: "k", value: "1")).ok)
            #expect(await cluster.execute(.put(key: "k", value: "2")).ok)
            try await Task.sleep(for: .seconds(1))
            let cutAfter = book.counters(from: leader, to: follower)
            let backAfter = book.counters(from: follower, to: leader)
            #expect(cutAfter.chunks == cutBefore.chunks, "bytes crossed a cut link")
            #expect(cutAfter.blocked > 0, "nothing tried the cut link")
            #expect(backAfter.chunks > backBefore.chunks, "the other direction stopped too")
            // etcd itself agrees: the follower heard none of the leader's appends.
            #expect(await cluster.views()[follower - 1].state?.appliedIndex == appliedBefore)
            _ = await cluster.execute(.heal)
            // etcd redials a refused stream within a heartbeat or two when idle; under a loaded CI
            // (both cores busy with other suites) the first bytes took more than 800 ms.
            let flowsAgain = await cluster.poll(forMs: 5_000) { () async -> Bool? in
                book.counters(from: leader, to: follower).chunks > cutAfter.chunks ? true : nil
            }
            #expect(flowsAgain == true, "nothing crossed n\(leader)->n\(follower) within 5 s of the heal")
            // Catching up takes a heartbeat or two when idle, longer when other suites load both cores.
            let caughtUp = await cluster.poll(forMs: 5_000) { () async -> Bool? in
                await cluster.execute(.get(key: "k", staleNode: follower)).readValue == "2" ? true : nil
            }
            #expect(caughtUp == true, "n\(follower) did not catch up within 5 s of the heal")
        }
    }

    @Test func anIsolatedMemberHearsNothing() async throws {
        try await withEtcd { cluster in
            // Every connection into or out of a follower stops: no kept-alive probe connection may
            // carry Raft messages past the rules (Go reuses idle connections for any request).
            let leader = try #require(await cluster.views().leader?.id)
            let follower = leader == 3 ? 2 : 3
            _ = await cluster.execute(.isolate(.id(follower)))
            try await Task.sleep(for: .milliseconds(300))
            let before = try #require(await cluster.views()[follower - 1].state?.appliedIndex)
            // Long enough for the leader's prober and version checks (every few seconds) to leave
            // idle connections that Go would reuse for its pipeline.
            for value in 1...5 {
                #expect(await cluster.execute(.put(key: "k", value: "\(value)")).ok)
                try await Task.sleep(for: .seconds(1))
            }
            let views = await cluster.views()
            #expect(views[follower - 1].state?.appliedIndex == before, "the isolated member applied writes")
            #expect((views.leader?.state?.appliedIndex ?? 0) >= before + 5)
            #expect(await cluster.execute(.get(key: "k", staleNode: follower)).readValue != "5")
        }
    }
}

extension EtcdClusterTests {
    @Test func aMemberThatCannotBindSaysWhyInOneLine() async throws {
        // Hold a port, then plan a member whose client URL is that port: etcd exits at start.
        let held = try HeldPort()
        defer { held.release() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cd-etcd-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let peers = try FreePorts.pick(count: 1)
        let plan = EtcdMemberPlan(name: "n1", clientPort: held.port, peerPort: peers[0], advertisedPeerPort: peers[0],
                                  dataDirectory: "\(directory)/n1.etcd", logPath: "\(directory)/n1.etcd.log")
        let (exits, continuation) = AsyncStream<EtcdExit>.makeStream()
        let processes = try EtcdMemberProcesses(binary: "etcd", launcher: try launcherPath(), plans: [plan],
                                                timing: .real, preVote: true, token: "t") { _, exit in
            continuation.yield(exit)
        }
        try await processes.spawn(0)
        let exit = try #require(await exits.first { _ in true })
        await processes.shutdown()
        #expect(exit.reason.hasPrefix("exited with code 1: "))
        #expect(exit.reason.contains("address already in use"), "\(exit.reason)")
        #expect(!exit.reason.contains("\n"))
    }

    @Test func aMissingBinaryIsOneLine() throws {
        var options = ClusterOptions(executablePath: try launcherPath())
        options.nodeCount = 3
        // (Its run directory is removed too; other suites' clusters share this process's run
        // directory prefix, so that is not checked here.)
        let error = #expect(throws: EtcdStartError.self) {
            try EtcdCluster(options: options, etcdBinary: "/nonexistent/etcd")
        }
        #expect(error?.description == "etcd binary /nonexistent/etcd is not an executable file")
    }
}

/// A listening TCP socket on 127.0.0.1, held so that nothing else can bind its port.
private struct HeldPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard ok else { throw Failure("cannot hold a port") }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() {
        close(descriptor)
    }
}
