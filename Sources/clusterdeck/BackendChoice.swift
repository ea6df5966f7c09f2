import Cluster
import EtcdBackend
import CommandLanguage

/// Which back end runs a cluster — from the command line (`--engine`, `--simulate SEED`), else from
/// what a deck's header asks (local processes when it asks nothing) — and the one place that
/// builds it.
struct BackendChoice {
    var engine: EngineKind = .processes
    /// The simulated cluster's seed, when a flag or the deck names one.
    var seed: UInt64?
    /// The line that chose the engine, for the error when this build cannot run it.
    var choosingLine: ScenarioLine?
    /// The etcd binary (`--etcd-binary`), for the etcd back end.
    var etcdBinary = "etcd"

    /// - Parameters:
    ///   - flag: `--engine`.
    ///   - simulate: `--simulate SEED` (the simulated cluster on that seed).
    ///   - script: a deck whose first `engine`/`simulate` line chooses when no flag does (a deck
    ///     needing another back end than the flags chose is refused by it, naming that line).
    init(flag: EngineKind?, simulate: UInt64? = nil, script: [ScenarioLine] = []) {
        if let simulate {
            engine = .simulation
            seed = simulate
            return
        }
        if let flag {
            engine = flag
            return
        }
        for line in script {
            guard case .need(let need) = line.step, let engine = need.engine else { continue }
            self.engine = engine
            if case .simulation(let seed) = need { self.seed = seed }
            choosingLine = line
            return
        }
    }

    /// Builds the back end (not started).
    /// - Parameters:
    ///   - watched: a person watches it in the console: a simulated cluster's clock then follows the
    ///     wall clock; otherwise it moves only while the caller waits, as fast as it can.
    ///   - recorded: a simulated run records its inputs for time travel (`back`, `seek`): the
    ///     console, `shell` and `play`; drills and soaks, which never go back, do not.
    /// - Throws: `EtcdStartError` when etcd cannot be found or planned.
    func make(options: ClusterOptions, watched: Bool, recorded: Bool = true) async throws -> any ClusterBackend {
        switch engine {
        case .processes:
            return try LocalCluster(options: options)
        case .simulation:
            var options = options
            if let seed { options.seed = seed }
            options.simulation = watched ? .wallClock(factor: 1) : .onDemand
            return recorded ? try await SimulatedTimeline.make(options: options)
                : try await LocalCluster.make(options: options)
        case .etcd:
            guard options.replication == .raft else {
                throw EtcdStartError("etcd members run etcd's own Raft: --protocol \(options.replication.rawValue) "
                    + "runs on processes or the simulated cluster")
            }
            return try EtcdCluster(options: options, etcdBinary: etcdBinary)
        }
    }
}
