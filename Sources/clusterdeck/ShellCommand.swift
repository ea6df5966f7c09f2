import ArgumentParser
import Cluster
import EtcdBackend
import CommandLanguage
import Foundation
import Raft

/// `clusterdeck shell`: the command language on standard input, against a fresh local cluster.
struct ShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Start a local cluster and read commands from standard input (try: help).",
        discussion: """
            Starts N node processes, then reads one command per line until end of input or `quit`, \
            printing each result and the cluster's events. No node process outlives the shell.
            Example:
              printf 'wait leader within 10s\\nput x 1\\nkill leader\\nwait leader within 10s\\nget x\\n' \\
                | clusterdeck shell --nodes 3 --pace real
            """
    )

    @OptionGroup var cluster: ClusterFlags

    @Flag(help: "Print results and events as JSON lines.")
    var json = false

    @Flag(help: "Also print every peer message the fabric routes.")
    var messages = false

    @Flag(help: "Also print commit events.")
    var verbose = false

    func run() async throws {
        let local = try await cluster.backend().make(options: try cluster.options().withRunKind(.shell), watched: false)
        let guardian = StopSignals.shutDown(local)
        await local.subscribe { [json, messages, verbose] event in
            guard messages || !event.isMessage else { return }
            guard verbose || !event.isCommit else { return }
            ShellOutput.event(event, json: json)
        }
        try await local.start()
        if !json, let run = (local as? LocalCluster)?.run ?? (local as? EtcdCluster)?.run {
            say("run directory: \(run.path)  (clusterdeck ctl --run \(run.path) …)")
        }
        if !json { say(local.seedNote) }
        let lines = StandardInputLines()
        var exitCode: Int32 = 0
        var lineNumber = 0
        for await line in lines.stream {
            lineNumber += 1
            let command: Command?
            do {
                command = try CommandParser.parse(line, nodeCount: local.nodeCount)
            } catch {
                ShellOutput.result(CommandOutput.error("line \(lineNumber): \(error)"), json: json)
                exitCode = 1
                continue
            }
            guard let command else { continue }
            if command == .quit { break }
            if !json { ShellOutput.echo(line) }
            let output = await local.execute(command)
            ShellOutput.result(output, json: json)
            if !output.ok { exitCode = 1 }
        }
        await local.finish(printing: say)
        guardian.disarm()
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
