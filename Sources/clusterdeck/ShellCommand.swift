import ArgumentParser
import Cluster
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
        let local = try LocalCluster(options: try cluster.options().withRunKind(.shell))
        let guardian = StopSignals.shutDown(local)
        await local.subscribe { [json, messages, verbose] event in
            guard messages || !event.isMessage else { return }
            guard verbose || !event.isCommit else { return }
            ShellOutput.event(event, json: json)
        }
        try await local.start()
        if !json { say("run directory: \(local.run.path)  (clusterdeck ctl --run \(local.run.path) …)") }
        let lines = StandardInputLines()
        var exitCode: Int32 = 0
        var lineNumber = 0
        for await line in lines.stream {
            lineNumber += 1
            let command: Command?
            do {
                command = try CommandParser.parse(line, nodeCount: cluster.nodes)
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
        await local.finish()
        guardian.disarm()
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

/// Options shared by every subcommand that starts a cluster.
struct ClusterFlags: ParsableArguments {
    @Option(help: "How many nodes (1–9).")
    var nodes: Int = 5

    @Option(help: "Timing: teach (heartbeat 500 ms, election 1.5–3 s) or real (50 ms, 150–300 ms).")
    var pace: PaceProfile = .teach

    @Flag(help: "Do not fsync node logs (faster, not crash-safe: for demos only).")
    var noFsync = false

    @Option(help: "Switch on a bug knob in every node (repeatable).")
    var bug: [BugKnob] = []

    @Option(help: "Applied entries between snapshots on every node (small values show InstallSnapshot).")
    var snapshotEvery: Int = 1_000

    @Option(help: "Write every cluster event, with its time, to this file as JSON lines.")
    var journal: String?

    @Option(help: "Write the client history (docs/HISTORY.md) to this file.")
    var history: String?

    @Flag(help: "Start with the clocks stopped and every peer message held, to step the first election.")
    var frozen = false

    func validate() throws {
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be 1–9, got \(nodes)") }
        guard snapshotEvery >= 1 else { throw ValidationError("--snapshot-every must be at least 1") }
    }

    func options() throws -> ClusterOptions {
        var options = ClusterOptions(executablePath: try ExecutablePath.current())
        options.nodeCount = nodes
        options.timing = pace.timing
        options.fsync = !noFsync
        options.bugs = bug
        options.snapshotEvery = snapshotEvery
        options.startsFrozen = frozen
        for path in [journal, history].compactMap({ $0 }) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationError("cannot create \(path)")
            }
        }
        options.journalPath = journal
        options.historyPath = history
        return options
    }
}

enum ExecutablePath {
    /// This very binary, so nodes run the same code as the console.
    static func current() throws -> String {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("cannot find the clusterdeck binary at \(path)")
        }
        return path
    }
}

/// Prints results and events, as text or JSON lines.
enum ShellOutput {
    static func echo(_ line: String) {
        say("> \(line)")
    }

    static func result(_ output: CommandOutput, json: Bool) {
        if json {
            say(jsonLine(["type": "result", "ok": output.ok, "lines": output.lines]))
        } else {
            for line in output.lines { say(line) }
        }
    }

    static func event(_ event: ClusterEvent, json: Bool) {
        if json {
            say(jsonLine(["type": "event", "text": event.text]))
        } else {
            say("  · \(event.text)")
        }
    }

    private static func jsonLine(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Lines of standard input as an async stream, read on a thread of their own (reading blocks).
final class StandardInputLines: Sendable {
    let stream: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        self.stream = stream
        Thread.detachNewThread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(line)
            }
            continuation.finish()
        }
    }
}

/// Runs a handler when the process is told to stop (SIGINT, SIGTERM, SIGHUP), instead of dying at
/// once, so no node outlives the console. (SIGKILL cannot be caught: the nodes' parent-death signal
/// covers it.)
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        sources = [SIGINT, SIGTERM, SIGHUP].map { (number: Int32) -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    /// The shell's and player's reaction: stop every node, then exit as the signal would have.
    static func shutDown(_ cluster: LocalCluster) -> StopSignals {
        StopSignals { number in
            cluster.shutdownNow()
            exit(128 + number)
        }
    }

    func disarm() {
        for source in sources { source.cancel() }
    }
}
