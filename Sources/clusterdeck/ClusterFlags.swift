import ArgumentParser
import Cluster
import Foundation
import CommandLanguage
import Raft

/// Options shared by every subcommand that starts a cluster.
struct ClusterFlags: ParsableArguments {
    @Option(help: "How many nodes (1–9).")
    var nodes: Int = 5

    @Option(help: "Timing: teach (heartbeat 500 ms, election 1.5–3 s) or real (50 ms, 150–300 ms).")
    var pace: PaceProfile = .teach

    @Flag(help: "Do not fsync node logs (faster, not crash-safe: for demos only).")
    var noFsync = false

    @Option(help: "Switch on a bug knob in every node (repeatable).")
    var bug: [BugKnob] = []

    @Option(help: "Applied entries between snapshots on every node (small values show InstallSnapshot).")
    var snapshotEvery: Int = 1_000

    @Option(help: "Write every cluster event, with its time, to this file as JSON lines.")
    var journal: String?

    @Option(help: "Write the client history (docs/HISTORY.md) to this file.")
    var history: String?

    @Flag(help: "Start with the clocks stopped and every peer message held, to step the first election.")
    var frozen = false

    @Option(help: "The seed of every random choice (message loss, jitter, client ids); printed when not given.")
    var seed: UInt64?

    @Option(help: "What runs the cluster: processes (real node processes, the default), simulation or etcd.")
    var engine: EngineKind?

    @Option(help: "The etcd binary for --engine etcd (default: etcd in PATH; Debian's etcd-server).")
    var etcdBinary = "etcd"

    @Option(help: "Run the simulated cluster on this seed: the same nodes in one process on a virtual clock; the same seed, the same run.")
    var simulate: UInt64?

    @Option(name: .customLong("protocol"), help: "How the nodes replicate: raft (the default) or primary-backup.")
    var replication: ReplicationProtocol?

    @Option(name: .customLong("replication"), parsing: .upToNextOption,
            help: "primary-backup: when the primary answers a write: async (default), semi-sync K (once K replicas have it; async after a timeout), semi-sync K wait (never falls back).")
    var replicationWords: [String] = []

    /// `--replication`'s mode, nil when not given.
    var replicationMode: ReplicationMode? { try? ReplicationMode.parse(flag: replicationWords) }

    /// The back end these flags ask for (a deck's header may ask too).
    func backend(script: [ScenarioLine] = []) -> BackendChoice {
        var choice = BackendChoice(flag: engine, simulate: simulate, script: script)
        choice.etcdBinary = etcdBinary
        return choice
    }

    func validate() throws {
        if simulate != nil, let engine, engine != .simulation {
            throw ValidationError("--simulate runs the simulated cluster: drop --engine \(engine.rawValue)")
        }
        if simulate != nil, let seed, seed != simulate {
            throw ValidationError("--simulate SEED is the run's seed: drop --seed \(seed)")
        }
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be 1–9, got \(nodes)") }
        guard snapshotEvery >= 1 else { throw ValidationError("--snapshot-every must be at least 1") }
        _ = try ReplicationMode.parse(flag: replicationWords)
        let replicating = replication ?? .raft
        for knob in bug where !knob.applies(to: replicating) {
            throw ValidationError("--bug \(knob.rawValue) is a knob of "
                + (replicating == .raft ? "primary-backup: add --protocol primary-backup" : "Raft's: drop --protocol primary-backup"))
        }
        if replicationMode != nil, replication != .primaryBackup {
            throw ValidationError("--replication sets how a primary answers: add --protocol primary-backup")
        }
        if case .semiSync(let replicas, _)? = replicationMode, replicas > nodes - 1 {
            throw ValidationError("semi-sync \(replicas) needs at least \(replicas + 1) nodes, not \(nodes)")
        }
    }

    func options() throws -> ClusterOptions {
        var options = ClusterOptions(executablePath: try ExecutablePath.current())
        options.nodeCount = nodes
        options.timing = pace.timing
        options.fsync = !noFsync
        options.bugs = bug
        options.snapshotEvery = snapshotEvery
        options.startsFrozen = frozen
        options.replication = replication ?? .raft
        options.replicationMode = replicationMode ?? .async
        if let seed { options.seed = seed }
        for path in [journal, history].compactMap({ $0 }) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationError("cannot create \(path)")
            }
        }
        options.journalPath = journal
        options.historyPath = history
        return options
    }
}

extension BugKnob {
    /// Whether nodes replicating by `replication` have this mistake to switch on: the Raft core's
    /// knobs only Raft, the primary/backup core's only it, the services' and the loop's both.
    func applies(to replication: ReplicationProtocol) -> Bool {
        switch self {
        case .commitOldTerm, .voteTwice, .skipLogCheck, .forgetVoteOnRestart, .staleLeaderRead: replication == .raft
        case .acceptStaleEpoch: replication == .primaryBackup
        case .leaseLocalClock, .sessionForgets: true
        }
    }
}
