import ArgumentParser

@main
struct ClusterDeck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterdeck",
        abstract: "Start a local Raft cluster, watch it and break it live.",
        discussion: """
            Built so far: the Raft core and its deterministic simulation (`clusterdeck sim`). \
            The live console, real node processes and services arrive in later releases.
            """,
        subcommands: [ShellCommand.self, CtlCommand.self, SimCommand.self, NodeCommand.self]
    )

    func run() async throws {
        print("""
            ClusterDeck: the live console is not built yet.
            What works today:
              clusterdeck sim --seeds 2000             check Raft's safety under faults, seed by seed
              clusterdeck sim --seed 42                replay one seed and show its trace
              clusterdeck sim --seeds 500 --bug vote-twice   watch a broken rule get caught
            Run `clusterdeck --help` for everything.
            """)
    }
}
