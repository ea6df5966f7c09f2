import ArgumentParser
import CommandLanguage
import Foundation
import NodeRuntime
import Raft
import Wire

/// `clusterdeck node …`: one node process. The console starts these; people rarely do.
struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one Raft node (started by the console; see docs/PROTOCOL.md to drive one by hand).",
        shouldDisplay: true
    )

    @Option(help: "This node's id (1–9).")
    var id: Int

    @Option(help: "Every member's id, comma-separated (e.g. 1,2,3).")
    var members: String

    @Option(help: "Data directory for the write-ahead log and snapshots.")
    var data: String

    @Option(help: "Unix socket path to listen on for the console.")
    var socket: String

    @Option(help: "Timing profile: teach (heartbeat 500 ms) or real (50 ms).")
    var pace: PaceProfile = .teach

    @Option(help: "Milliseconds per tick, overriding --pace.")
    var tickMs: Int?

    @Option(help: "Applied entries between snapshots.")
    var snapshotEvery: Int = 1_000

    @Flag(help: "Do not fsync the log (faster, not crash-safe: for demos only).")
    var noFsync = false

    @Flag(help: "Switch pre-vote off.")
    var noPrevote = false

    @Flag(help: "Switch check-quorum off.")
    var noCheckquorum = false

    @Option(help: "Switch on a bug knob (repeatable).")
    var bug: [BugKnob] = []

    @Option(name: .customLong("protocol"), help: "How the nodes replicate: raft or primary-backup.")
    var replication: ReplicationProtocol = .raft

    @Option(name: .customLong("replication"), parsing: .upToNextOption,
            help: "primary-backup: async | semi-sync K [wait].")
    var replicationWords: [String] = []

    @Option(help: "The seed of this node's election timeouts (the console derives it from the run's seed).")
    var seed: UInt64?

    func validate() throws {
        guard (1...9).contains(id) else { throw ValidationError("--id must be 1–9, got \(id)") }
        guard let ids = parsedMembers, ids.contains(id) else {
            throw ValidationError("--members must be comma-separated ids 1–9 including \(id), got \(members)")
        }
        _ = ids
        if let tickMs, tickMs < 1 { throw ValidationError("--tick-ms must be at least 1") }
        guard snapshotEvery >= 1 else { throw ValidationError("--snapshot-every must be at least 1") }
    }

    private var parsedMembers: [Int]? {
        let ids = members.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !ids.isEmpty, ids.allSatisfy({ $0.map { (1...9).contains($0) } ?? false }) else { return nil }
        return ids.compactMap { $0 }
    }

    func run() throws {
        var timing = pace.timing
        if let tickMs { timing.tickMs = tickMs }
        var options = NodeOptions(id: id, members: parsedMembers ?? [id], dataDirectory: data,
                                  socketPath: socket, timing: timing)
        options.fsync = !noFsync
        options.preVote = !noPrevote
        options.checkQuorum = !noCheckquorum
        options.snapshotEvery = snapshotEvery
        options.bugs = Set(bug)
        options.seed = seed
        options.replication = replication
        options.replicationMode = try ReplicationMode.parse(flag: replicationWords) ?? .async
        NodeMain.run(options)
    }
}
