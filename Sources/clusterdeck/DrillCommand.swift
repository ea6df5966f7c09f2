import ArgumentParser
import Cluster
import CommandLanguage
import Foundation
import Raft

/// `clusterdeck drill`: Jepsen's method on real node processes.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Clients and a seeded nemesis against real nodes, then a linearizability check.",
        discussion: """
            Concurrent clients put, get, cas and take locks while a nemesis (from the seed) kills, \
            pauses, partitions (into groups, Jepsen's ring of overlapping majorities, or a bridge), \
            drops messages and skews clocks, one fault at a time. Afterwards every \
            fault is healed, every key is read once more, and the history is checked. Some writes go to \
            keys nobody writes again; each acknowledged one is read back after healing, and the report \
            says `lost acknowledged writes: N (of M acknowledged)` (Jepsen's count). Exits 1 when the \
            history is not linearizable, a write applied twice (exactly-once, from what each write \
            replaced), or an acknowledged write was lost. --protocol primary-backup runs the same drill \
            on primary/backup nodes (--replication async | semi-sync K [wait]). The history and the \
            journal stay in --out, for `check` and `clusterdeck replay`.
            """
    )

    @Option(help: "How many nodes (3–9).")
    var nodes = 5

    @Option(help: "How long the clients run: 30s, 2m …")
    var duration = DurationArgument(seconds: 30)

    @Option(help: "Concurrent clients.")
    var clients = 8

    @Option(parsing: .upToNextOption, help: "Faults to inject: \(FaultKind.allCases.map(\.rawValue).joined(separator: ",")).")
    var faults: [String] = [FaultKind.allCases.map(\.rawValue).joined(separator: ",")]

    @OptionGroup var seeds: LoadSeedFlags

    @Option(help: "Switch on a bug knob in every node (repeatable).")
    var bug: [BugKnob] = []

    @Option(help: "Timing: real (default) or teach.")
    var pace: PaceProfile = .real

    @Flag(help: "Run without check-quorum: a cut-off leader keeps leading until it hears a newer term.")
    var noCheckquorum = false

    @Flag(help: "Run without pre-vote.")
    var noPrevote = false

    @Option(name: .customLong("protocol"), help: "How the nodes replicate: raft (the default) or primary-backup.")
    var replication: ReplicationProtocol = .raft

    @Option(name: .customLong("replication"), parsing: .upToNextOption,
            help: "primary-backup: async (default) | semi-sync K | semi-sync K wait.")
    var replicationWords: [String] = []

    @Option(help: "Directory for history.jsonl, journal.jsonl and report.txt (default: ./drill-SEED).")
    var out: String?

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be 3–9 (a drill needs a majority)") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients must be 1–64") }
        guard duration.seconds >= 2, duration.seconds <= 86_400 else {
            throw ValidationError("--duration must be between 2s and 24h")
        }
        _ = try faultKinds()
        if try ReplicationMode.parse(flag: replicationWords) != nil, replication != .primaryBackup {
            throw ValidationError("--replication sets how a primary answers: add --protocol primary-backup")
        }
        for knob in bug where !knob.applies(to: replication) {
            throw ValidationError("--bug \(knob.rawValue) does not apply to \(replication.rawValue) nodes")
        }
    }

    func faultKinds() throws -> [FaultKind] {
        try FaultList(faults).kinds()
    }

    func run() async throws {
        var setup = try LoadRunSetup(name: "drill", seed: seeds.chosen, out: out, nodes: nodes, clients: clients,
                                     duration: duration, faults: try faultKinds())
        setup.cluster.timing = pace.timing
        setup.cluster.bugs = bug
        setup.cluster.checkQuorum = !noCheckquorum
        setup.cluster.preVote = !noPrevote
        setup.cluster.replication = replication
        setup.cluster.replicationMode = try ReplicationMode.parse(flag: replicationWords) ?? .async
        let (seed, directory, options, drill) = (setup.seed, setup.directory, setup.cluster, setup.drill)
        let local = try await seeds.backend.make(options: options.withRunKind(.drill), watched: false, recorded: false)
        let guardian = StopSignals.shutDown(local)
        say("drill: \(nodes) nodes, \(clients) clients, \(duration), faults "
            + "\(drill.faults.isEmpty ? "none" : drill.faults.map(\.rawValue).joined(separator: ",")), seed \(seed)"
            + (bug.isEmpty ? "" : ", bug \(bug.map(\.rawValue).joined(separator: ","))")
            + (replication == .raft ? "" : ", \(replication.rawValue) \(options.replicationMode)")
            + (seeds.simulate == nil ? "" : ", simulated"))
        try await local.start()
        let report = await Drill(cluster: local, options: drill).run { progress in
            DrillOutput.progress(progress)
        }
        await local.finish(printing: say)
        guardian.disarm()
        let lines = DrillOutput.lines(report, seed: seed, directory: directory, simulated: seeds.simulate != nil)
        for line in lines { say(line) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(directory)/report.txt", atomically: true,
                                                          encoding: .utf8)
        if !report.passed { throw ExitCode(1) }
    }
}
