import ArgumentParser

@main
struct ClusterDeck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterdeck",
        abstract: "Start a local Raft cluster, watch it and break it live.",
        discussion: """
            Built so far: real clusters driven from a shell (`clusterdeck shell`, `clusterdeck ctl`) and \
            the Raft core's deterministic simulation (`clusterdeck sim`). The live TUI arrives next.
            """,
        subcommands: [ConsoleCommand.self, ShellCommand.self, CtlCommand.self, SimCommand.self, BenchCommand.self, NodeCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )

    func run() async throws {
        print("""
            ClusterDeck: the live TUI is not built yet. What works today:
              clusterdeck shell --nodes 3 --pace real  a real cluster; type commands (try: help)
              clusterdeck shell < demos/failover.deck  a lesson, step by step
              clusterdeck ctl status                   drive a running shell from another terminal
              clusterdeck sim --seeds 2000             check Raft's safety under faults, seed by seed
              clusterdeck sim --seed 42                replay one seed and show its trace
              clusterdeck sim --seeds 500 --bug vote-twice   watch a broken rule get caught
            Run `clusterdeck --help` for everything.
            """)
    }
}
