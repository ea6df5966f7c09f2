import ArgumentParser
import Cluster
import CommandLanguage
import Console
import Foundation
import Synchronization
import Terminal
import Wire

/// Bare `clusterdeck`: the live console on a fresh local cluster.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the live console (the default): watch the cluster and break it with keys or commands."
    )

    @OptionGroup var cluster: ClusterFlags

    @Option(help: "Record what is painted as an asciicast v2 file (asciinema plays it), with markers.")
    var record: String?

    func run() async throws {
        if let record, !FileManager.default.createFile(atPath: record, contents: nil) {
            throw ValidationError("cannot create \(record)")
        }
        let local = try await cluster.backend().make(options: try cluster.options().withRunKind(.console), watched: true)
        try await local.start()
        let runner = ConsoleRunner(cluster: local, timing: cluster.pace.timing, recordPath: record,
                                   openTerminal: TerminalSession.openForConsole)
        // A stop signal asks the UI loop to quit, so the terminal is restored and the nodes stopped on
        // the normal path.
        let stopper = StopSignals { _ in runner.requestQuit() }
        let outcome = await runner.run()
        stopper.disarm()
        await runner.finishCluster(printing: say)
        say(local.seedNote)
        if case .failure(let error) = outcome {
            say("clusterdeck: \(error)")
            throw ExitCode(1)
        }
    }
}
