import Cluster
import ClusterAPI
import CommandLanguage
import Foundation
import Testing

/// The simulated cluster: the engine with in-process nodes on a virtual clock, moved only while the
/// test waits. Each test prints its seed when it fails (in the expectation's comment).
@Suite("The simulated cluster")
struct SimulatedClusterTests {
    private func withSimulated<T>(seed: UInt64, nodes: Int = 5, journal: String? = nil,
                                  _ body: (LocalCluster) async throws -> T) async throws -> T {
        var options = ClusterOptions(executablePath: "/nonexistent: no process is started")
        options.nodeCount = nodes
        options.seed = seed
        options.simulation = .onDemand
        options.journalPath = journal
        let cluster = try await LocalCluster.make(options: options)
        do {
            try await cluster.start()
            let result = try await body(cluster)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    private func parse(_ line: String, nodes: Int = 5) throws -> Command {
        try #require(try CommandParser.parse(line, nodeCount: nodes))
    }

    @Test("it elects a leader, commits a write, and after the leader is killed a new leader still has it")
    func failover() async throws {
        try await withSimulated(seed: 7) { cluster in
            #expect(cluster.kind == .simulation)
            let first = await cluster.execute(try parse("wait leader"))
            #expect(first.ok, "seed 7: \(first.lines)")
            #expect(await cluster.execute(try parse("put x 1")).ok)
            let killed = try #require(await cluster.views().leader?.id)
            #expect(await cluster.execute(try parse("kill leader")).ok)
            #expect(await cluster.execute(try parse("wait leader")).ok)
            let views = await cluster.views()
            #expect(views.leader.map { $0.id != killed } == true, "seed 7: n\(killed) still leads")
            #expect(views.first { $0.id == killed }?.status.isRunning == false)
            #expect(await cluster.execute(try parse("get x")).readValue == "1", "seed 7")
            #expect(await cluster.summary().simulatedSeed == 7)
        }
    }

    @Test("etcd's leadership and membership commands are refused in one line, and a deck using them before it starts")
    func etcdOnlyCommandsRefused() async throws {
        try await withSimulated(seed: 3, nodes: 3) { cluster in
            for line in ["transfer 2", "member add", "member promote 2", "member remove 1", "member list"] {
                let command = try parse(line, nodes: 3)
                let reason = try #require(cluster.refusal(of: command), "\(line) should be refused")
                #expect(!reason.contains("\n"))
                let output = await cluster.execute(command)
                #expect(!output.ok && output.lines.count == 1, "\(line): \(output.lines)")
            }
            #expect(cluster.nodeCount == 3)
        }
    }

    @Test("time moves only while the caller waits: idle moves it by exactly that much")
    func timeMovesOnDemand() async throws {
        try await withSimulated(seed: 3, nodes: 3) { cluster in
            let before = await cluster.secondsSinceStart()
            let again = await cluster.secondsSinceStart()
            #expect(before == again)
            await cluster.idle(milliseconds: 1_500)
            let after = await cluster.secondsSinceStart()
            #expect(abs(after - before - 1.5) < 0.000_001, "seed 3: moved \(after - before) s")
        }
    }

    @Test("a paused node's clock and messages stop; resumed, it catches up on its disk's log")
    func pauseAndRestart() async throws {
        try await withSimulated(seed: 5, nodes: 3) { cluster in
            #expect(await cluster.execute(try parse("wait leader", nodes: 3)).ok)
            let leader = try #require(await cluster.views().leader?.id)
            let follower = try #require((1...3).first { $0 != leader })
            #expect(await cluster.execute(try parse("pause \(follower)", nodes: 3)).ok)
            #expect(await cluster.execute(try parse("put y 2", nodes: 3)).ok)
            await cluster.idle(milliseconds: 1_000)
            let paused = try #require(await cluster.views().first { $0.id == follower })
            #expect(paused.status == .paused)
            #expect(paused.state?.sample["y"] == nil, "seed 5: a paused node applied a write")
            #expect(await cluster.execute(try parse("resume \(follower)", nodes: 3)).ok)
            #expect(await cluster.execute(try parse("restart \(follower)", nodes: 3)).ok)
            let caughtUp = await cluster.poll(forMs: 5_000) {
                await cluster.views().first { $0.id == follower }?.state?.sample["y"]
            }
            #expect(caughtUp == "2", "seed 5: n\(follower) did not catch up after resume and restart")
        }
    }

    @Test("the same seed and the same commands give the same journal, byte for byte")
    func sameSeedSameJournal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var journals: [String] = []
        for run in 1...2 {
            let path = directory.appendingPathComponent("j\(run).jsonl").path
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            try await withSimulated(seed: 11, journal: path) { cluster in
                for line in ["wait leader", "put a 1", "partition 1,2 | 3,4,5", "put b 2", "heal", "kill leader",
                             "wait leader", "get a", "sleep 2s"] {
                    _ = await cluster.execute(try parse(line))
                }
                _ = await cluster.digest()
            }
            journals.append(try String(contentsOfFile: path, encoding: .utf8))
        }
        #expect(journals[0].split(separator: "\n").count > 100, "seed 11: a nearly empty journal")
        #expect(journals[0] == journals[1], "seed 11: two runs wrote different journals")
    }
}
