import ArgumentParser

/// `clusterdeck bench …`: measured figures, never timed assertions.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print their figures.",
        discussion: """
            Real pace and durable writes throughout. Each prints a table, or one JSON object with \
            --json; long runs report progress on standard error. scripts/bench-etcd.sh runs `compare`.
            """,
        subcommands: benchmarks
    )

    /// Every benchmark, in the order `--help` lists them.
    static let benchmarks: [any ParsableCommand.Type] = [
        WriteBench.self, FailoverBench.self, StartupBench.self, FabricBench.self, CompareBench.self,
        UIBench.self, CheckerBench.self, TimeTravelBench.self, FabricPeerCommand.self,
    ]
}
