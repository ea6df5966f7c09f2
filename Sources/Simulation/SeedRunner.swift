import Raft

/// Runs many seeds in parallel and reports each result as it completes.
public enum SeedRunner {
    /// Runs `seeds`, `parallelism` at a time, calling `report` (on the caller's task) for every result in
    /// completion order; `report` returns false to stop early (seeds already running still finish).
    /// Each seed is independent, so the results do not depend on the parallelism.
    public static func run(
        seeds: [UInt64], nodeCount: Int?, bugs: Set<BugKnob>, primaryBackup: Bool = false, parallelism: Int,
        report: (SeedResult) -> Bool
    ) async {
        await withTaskGroup(of: SeedResult.self) { group in
            var pending = seeds[...]
            func launch() {
                guard let seed = pending.popFirst() else { return }
                group.addTask { runOne(seed: seed, nodeCount: nodeCount, bugs: bugs, primaryBackup: primaryBackup) }
            }
            for _ in 0..<max(1, parallelism) { launch() }
            while let result = await group.next() {
                if report(result) {
                    launch()
                } else {
                    pending = []
                }
            }
        }
    }

    /// Runs a single seed, of Raft or of primary/backup replication.
    public static func runOne(seed: UInt64, nodeCount: Int?, bugs: Set<BugKnob>, primaryBackup: Bool = false,
                              traceLines: Int = 60) -> SeedResult {
        let options = SimulationOptions.random(seed: seed, nodeCount: nodeCount, bugs: bugs,
                                               primaryBackup: primaryBackup)
        if primaryBackup {
            var simulation = Simulation<PrimaryBackupInvariants>(options: options, traceLines: traceLines)
            return simulation.run()
        }
        var simulation = Simulation<RaftInvariants>(options: options, traceLines: traceLines)
        return simulation.run()
    }
}
