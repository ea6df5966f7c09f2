import ArgumentParser

@main
struct ClusterDeck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterdeck",
        abstract: "Start a local Raft cluster, watch it and break it live.",
        discussion: """
            With no subcommand, opens the live console on a fresh 5-node cluster. `shell` drives a cluster \
            from standard input, `ctl` drives a running console from another terminal, `sim` runs the Raft \
            core through seeded faulty histories.
            """,
        subcommands: [ConsoleCommand.self, ShellCommand.self, PlayCommand.self, ReplayCommand.self, DrillCommand.self, SoakCommand.self, CheckCommand.self, CtlCommand.self, SimCommand.self, BenchCommand.self, FuzzCommand.self, NodeCommand.self, EtcdLaunchCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )
}
