import ArgumentParser

/// `--seed` and `--simulate` for the load runs (`drill`, `soak`): the seed of the nemesis and the
/// workload, and whether they run against the simulated cluster on that seed.
struct LoadSeedFlags: ParsableArguments {
    @Option(help: "The nemesis and workload seed (default: random, printed).")
    var seed: UInt64?

    @Option(help: "Run on the simulated cluster with this seed (also the nemesis and workload seed): virtual time, as fast as the CPU allows.")
    var simulate: UInt64?

    func validate() throws {
        if let simulate, let seed, seed != simulate {
            throw ValidationError("--simulate SEED is the run's seed: drop --seed \(seed)")
        }
    }

    /// The seed asked for, if any.
    var chosen: UInt64? { simulate ?? seed }

    /// The back end these flags ask for.
    var backend: BackendChoice { BackendChoice(flag: nil, simulate: simulate) }
}
