import Raft
import Replica

/// Everything one seed decides about its run: cluster size, fault rates, timing and core settings.
/// Derived from the seed alone, so a seed replays exactly.
public struct SimulationOptions: Sendable, CustomStringConvertible {
    public var seed: UInt64
    public var nodeCount: Int
    /// Virtual milliseconds per Raft tick.
    public var tickMs = 10
    public var heartbeatTicks = 5
    public var electionTicks = 15
    public var preVote: Bool
    public var checkQuorum: Bool
    public var maxEntriesPerAppend: Int
    /// Entries applied between snapshots (small values force snapshot installs).
    public var snapshotEvery: Int
    /// Probability that a message is lost / delivered twice.
    public var lossRate: Double
    public var duplicateRate: Double
    /// Message delay range in virtual ms; a wide range reorders messages.
    public var delayMsMin: Int
    public var delayMsMax: Int
    /// Mean virtual ms between partition changes and crashes, and a client's mean think time.
    public var partitionEveryMs: Int
    public var crashEveryMs: Int
    public var proposeEveryMs: Int
    public var clientCount: Int
    /// Length of the fault phase; the liveness phase follows.
    public var faultPhaseMs = 30_000
    /// After faults stop, a leader must commit a new proposal within this bound.
    public var livenessBoundMs = 10_000
    public var bugs: Set<BugKnob>
    /// How far a node's clock rate may stray from virtual time (0.01: ±1 %), as the lock checker
    /// allows for (see `Simulation.leaseSlackSeconds`).
    public var clockDrift = 0.01
    /// Chance that a node is killed during a synced persist (after a leader's early send).
    public var crashDuringSyncRate = 0.002
    /// Primary/backup replication with this acknowledgement mode; nil for Raft.
    public var primaryBackup: Acknowledgement?

    /// Draws a seed's options. `nodeCount` fixes the cluster size instead of drawing it from 3–9.
    /// With `primaryBackup`, the seed also draws how the primary acknowledges (async, semi-sync 1
    /// falling back after four election timeouts, or semi-sync 1 waiting for ever), after the rest,
    /// so a seed's other options are the same under either protocol.
    public static func random(seed: UInt64, nodeCount: Int? = nil, bugs: Set<BugKnob> = [],
                              primaryBackup: Bool = false) -> Self {
        var random = SeededRandom(seed: seed)
        let delayMin = Int.random(in: 1...5, using: &random)
        var options = SimulationOptions(
            seed: seed,
            nodeCount: nodeCount ?? Int.random(in: 3...9, using: &random),
            preVote: Bool.random(using: &random),
            checkQuorum: Bool.random(using: &random),
            maxEntriesPerAppend: [1, 2, 4, 16, 64].randomElement(using: &random)!,
            snapshotEvery: [10, 25, 50, 200].randomElement(using: &random)!,
            lossRate: [0, 0.01, 0.05, 0.15].randomElement(using: &random)!,
            duplicateRate: [0, 0.02, 0.1].randomElement(using: &random)!,
            delayMsMin: delayMin,
            delayMsMax: delayMin + [2, 20, 120].randomElement(using: &random)!,
            partitionEveryMs: [800, 2_000, 6_000].randomElement(using: &random)!,
            crashEveryMs: [400, 1_500, 5_000].randomElement(using: &random)!,
            proposeEveryMs: [5, 30, 100].randomElement(using: &random)!,
            clientCount: Int.random(in: 2...5, using: &random),
            bugs: bugs
        )
        if primaryBackup {
            let fallbackTicks = 4 * options.electionTicks
            options.primaryBackup = [Acknowledgement.async, .semiSync(replicas: 1, fallbackTicks: fallbackTicks),
                                     .semiSync(replicas: 1, fallbackTicks: nil)].randomElement(using: &random)!
        }
        return options
    }

    public var description: String {
        let knobs = bugs.map(\.rawValue).sorted().joined(separator: ",")
        return "nodes=\(nodeCount) prevote=\(preVote) checkquorum=\(checkQuorum) "
            + "append=\(maxEntriesPerAppend) snapshot-every=\(snapshotEvery) "
            + "loss=\(lossRate) dup=\(duplicateRate) delay=\(delayMsMin)-\(delayMsMax)ms "
            + "partition-every=\(partitionEveryMs)ms crash-every=\(crashEveryMs)ms "
            + "propose-every=\(proposeEveryMs)ms clients=\(clientCount)"
            + (knobs.isEmpty ? "" : " bugs=\(knobs)")
            + (primaryBackup.map { " primary-backup=\(Self.describe($0))" } ?? "")
    }

    private static func describe(_ acknowledgement: Acknowledgement) -> String {
        switch acknowledgement {
        case .async: "async"
        case .semiSync(let replicas, let fallback?): "semi-sync-\(replicas)-fallback-\(fallback)ticks"
        case .semiSync(let replicas, nil): "semi-sync-\(replicas)-wait"
        }
    }
}
