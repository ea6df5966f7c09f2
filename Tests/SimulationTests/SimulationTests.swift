import Foundation
import Raft
import Testing
@testable import Simulation

@Suite("Simulation")
struct SimulationTests {
    /// Debug builds run seeds 10–50× slower than release; the release run in scripts/test.sh covers
    /// thousands. This batch keeps `swift test` meaningful on its own.
    static let seeds: [UInt64] = Array(1...16)

    @Test("seeds pass every safety check and exercise every fault", arguments: [seeds])
    func seedsPass(seeds: [UInt64]) {
        var total = SimulationStats()
        for seed in seeds {
            let result = SeedRunner.runOne(seed: seed, nodeCount: nil, bugs: [])
            total.add(result.stats)
            #expect(result.violation == nil,
                    "seed \(seed): \(result.violation.map(String.init(describing:)) ?? "") — replay with clusterdeck sim --seed \(seed)")
        }
        #expect(total.crashes > 0)
        #expect(total.partitions > 0)
        #expect(total.snapshotInstalls > 0, "some lagging node must catch up by snapshot")
        #expect(total.messagesDropped > 0)
        #expect(total.readsConfirmed > 0)
        #expect(total.elections >= seeds.count)
        #expect(total.clientOperations >= 100 * seeds.count, "hundreds of client operations a seed")
        #expect(total.lockGrants > seeds.count)
    }

    @Test("each seed draws its own cluster size and faults")
    func seedsDiffer() {
        let options = (1...40).map { SimulationOptions.random(seed: UInt64($0)) }
        #expect(Set(options.map(\.nodeCount)) == Set(3...9))
        #expect(Set(options.map(\.lossRate)).count > 1)
        #expect(Set(options.map(\.preVote)) == [true, false])
        #expect(SimulationOptions.random(seed: 7, nodeCount: 5).nodeCount == 5)
    }

    @Test("one seed gives the same trace twice in one process")
    func sameSeedSameTrace() {
        let first = SeedRunner.runOne(seed: 11, nodeCount: nil, bugs: [])
        let second = SeedRunner.runOne(seed: 11, nodeCount: nil, bugs: [])
        #expect(first.traceHash == second.traceHash)
        #expect(first.traceTail == second.traceTail)
        let other = SeedRunner.runOne(seed: 12, nodeCount: nil, bugs: [])
        #expect(other.traceHash != first.traceHash)
    }

    @Test("one seed gives the same trace hash in two separate processes")
    func sameSeedAcrossProcesses() throws {
        let binary = try ClusterDeckBinary.path()
        let first = try ClusterDeckBinary.run(binary, ["sim", "--seed", "5"])
        let second = try ClusterDeckBinary.run(binary, ["sim", "--seed", "5"])
        let hashes = [first, second].map { output in
            output.split(separator: "\n").first { $0.hasPrefix("trace-hash: ") }
        }
        #expect(hashes[0] != nil)
        #expect(hashes[0] == hashes[1], "Swift seeds hashing per process: something iterates a Set or Dictionary")
    }

    @Test("a failing seed replays exactly and names its invariant")
    func failureReplays() throws {
        // vote-twice is caught quickly; find the first failing seed, then replay it.
        let found = try #require(Self.firstFailure(with: .voteTwice, within: 200),
                                 "vote-twice was not caught in 200 three-node seeds")
        let replay = SeedRunner.runOne(seed: found.seed, nodeCount: 3, bugs: [.voteTwice])
        #expect(replay.violation?.invariant == found.violation?.invariant)
        #expect(replay.violation?.timeMs == found.violation?.timeMs)
        #expect(replay.traceHash == found.traceHash)
        #expect(found.violation?.invariant == .electionSafety)
        #expect(!found.traceTail.isEmpty)
    }
}

extension SimulationTests {
    /// The first of seeds 1...`count` (three nodes) that fails with `knob` switched on.
    static func firstFailure(with knob: BugKnob, within count: UInt64) -> SeedResult? {
        (UInt64(1)...count).lazy
            .map { SeedRunner.runOne(seed: $0, nodeCount: 3, bugs: [knob]) }
            .first { $0.violation != nil }
    }

    @Test("a service bug is caught under its service invariant, not a Raft one")
    func serviceKnobCaught() throws {
        // session-forgets applies retried writes twice; the first seeds with retries show it.
        let found = try #require(Self.firstFailure(with: .sessionForgets, within: 20),
                                 "session-forgets was not caught in 20 three-node seeds")
        #expect(found.violation?.invariant == .exactlyOnce,
                "seed \(found.seed): \(found.violation.map(String.init(describing:)) ?? "")")
    }
}

/// Finds and runs the built `clusterdeck` executable (SwiftPM builds it next to the test bundle).
enum ClusterDeckBinary {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func path() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("clusterdeck").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Missing(description: "clusterdeck binary not found near \(CommandLine.arguments[0]); run `swift build` first")
    }

    static func run(_ binary: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("Primary/backup simulation")
struct PrimaryBackupSimulationTests {
    @Test("seeds of primary/backup replication keep its invariants and count lost writes",
          arguments: [UInt64(1), 2, 3])
    func keepsInvariants(seed: UInt64) {
        let result = SeedRunner.runOne(seed: seed, nodeCount: nil, bugs: [], primaryBackup: true)
        #expect(result.violation == nil, "reproduce with: clusterdeck sim --seed \(seed) --protocol primary-backup")
        #expect(result.stats.acknowledgedWrites > 0, "seed \(seed)")
        #expect(result.stats.lostWrites <= result.stats.acknowledgedWrites, "seed \(seed)")
    }

    @Test("accept-stale-epoch breaks the stream-prefix invariant and is caught")
    func staleEpochCaught() {
        let caught = (1...20).lazy.map { UInt64($0) }.first { seed in
            SeedRunner.runOne(seed: seed, nodeCount: 5, bugs: [.acceptStaleEpoch], primaryBackup: true)
                .violation?.invariant == .streamPrefix
        }
        #expect(caught != nil, "no seed of 1…20 caught accept-stale-epoch")
    }
}
