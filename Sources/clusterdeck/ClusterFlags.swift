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
    }

    func options() throws -> ClusterOptions {
        var options = ClusterOptions(executablePath: try ExecutablePath.current())
        options.nodeCount = nodes
        options.timing = pace.timing
        options.fsync = !noFsync
        options.bugs = bug
        options.snapshotEvery = snapshotEvery
        options.startsFrozen = frozen
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
