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

    @Option(parsing: .upToNextOption, help: """
        Faults to inject: \(FaultKind.allCases.map(\.rawValue).joined(separator: ",")) (default: every kind \
        the engine can inject; on etcd all but loss and clock).
        """)
    var faults: [String] = []

    @Option(help: "What runs the cluster: processes (the default) or etcd (real etcd members).")
    var engine: EngineKind?

    @Option(help: "The etcd binary for --engine etcd (default: etcd in PATH).")
    var etcdBinary = "etcd"

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
        if seeds.simulate != nil, let engine, engine != .simulation {
            throw ValidationError("--simulate runs the simulated cluster: drop --engine \(engine.rawValue)")
        }
        _ = try faultKinds()
        if try ReplicationMode.parse(flag: replicationWords) != nil, replication != .primaryBackup {
            throw ValidationError("--replication sets how a primary answers: add --protocol primary-backup")
        }
        if engine == .etcd, replication != .raft {
            throw ValidationError("etcd members run etcd's own Raft: drop --protocol \(replication.rawValue)")
        }
        for knob in bug where !knob.applies(to: replication) {
            throw ValidationError("--bug \(knob.rawValue) does not apply to \(replication.rawValue) nodes")
        }
    }

    /// The faults asked for; nil when none were named (every kind the back end can inject).
    func faultKinds() throws -> [FaultKind]? {
        faults.isEmpty ? nil : try FaultList(faults).kinds()
    }

    /// The faults to inject on `backend`: those asked for, each checked, else every kind it can.
    private func faultKinds(on backend: any ClusterBackend) throws -> [FaultKind] {
        guard let asked = try faultKinds() else {
            return FaultKind.allCases.filter { $0.refusal(by: backend) == nil }
        }
        for kind in asked {
            if let reason = kind.refusal(by: backend) {
                say("error: --faults \(kind.rawValue) on \(backend.kind.phrase): \(reason)")
                throw ExitCode(2)
            }
        }
        return asked
    }

    func run() async throws {
        var setup = try LoadRunSetup(name: "drill", seed: seeds.chosen, out: out, nodes: nodes, clients: clients,
                                     duration: duration, faults: [])
        setup.cluster.timing = pace.timing
        setup.cluster.bugs = bug
        setup.cluster.checkQuorum = !noCheckquorum
        setup.cluster.preVote = !noPrevote
        setup.cluster.replication = replication
        setup.cluster.replicationMode = try ReplicationMode.parse(flag: replicationWords) ?? .async
        var choice = BackendChoice(flag: engine, simulate: seeds.simulate)
        choice.etcdBinary = etcdBinary
        let local = try await choice.make(options: setup.cluster.withRunKind(.drill), watched: false, recorded: false)
        do {
            setup.drill.faults = try faultKinds(on: local)
        } catch {
            await local.shutdown()
            throw error
        }
        if local.refusal(of: .lock(name: "L0", ttlMs: setup.drill.lockTTLMs)) != nil { setup.drill.locks = 0 }
        if engine == .etcd { setup.drill.lockServiceUnderTest = "etcd" }
        let (seed, directory, options, drill) = (setup.seed, setup.directory, setup.cluster, setup.drill)
        let guardian = StopSignals.shutDown(local)
        say("drill: \(nodes) nodes, \(clients) clients, \(duration), faults "
            + "\(drill.faults.isEmpty ? "none" : drill.faults.map(\.rawValue).joined(separator: ",")), seed \(seed)"
            + (bug.isEmpty ? "" : ", bug \(bug.map(\.rawValue).joined(separator: ","))")
            + (replication == .raft ? "" : ", \(replication.rawValue) \(options.replicationMode)")
            + (seeds.simulate == nil ? "" : ", simulated") + (engine == .etcd ? ", on etcd" : ""))
        try await local.start()
        let report = await Drill(cluster: local, options: drill).run { progress in
            DrillOutput.progress(progress)
        }
        await local.finish(printing: say)
        guardian.disarm()
        let lines = DrillOutput.lines(report, seed: seed, directory: directory, simulated: seeds.simulate != nil,
                                      journaled: local.isJournaled)
        for line in lines { say(line) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(directory)/report.txt", atomically: true,
                                                          encoding: .utf8)
        if !report.passed { throw ExitCode(1) }
    }
}
