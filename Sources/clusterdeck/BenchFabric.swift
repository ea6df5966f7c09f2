import ArgumentParser
import Bench

/// `clusterdeck bench fabric`: how many peer messages the console can route, and what an idle
/// cluster costs it.
struct FabricBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric",
        abstract: "Peer messages per second the console routes, and its CPU while the cluster idles.",
        discussion: """
            Capacity: the console starts synthetic peers in place of nodes (same sockets, same \
            framing) that send heartbeat-sized peer frames to each other as fast as the console \
            takes them; every frame crosses the console's fabric as a real one does. Then a real \
            cluster: routed messages under a 16-client write load, and the console's CPU (user + \
            system, as % of one core) while the cluster idles at real pace.
            """
    )

    @Option(help: "Cluster size (2–9).")
    var nodes: Int = 5

    @Option(help: "Length of each measurement.")
    var duration: DurationArgument = DurationArgument(seconds: 5)

    @Option(help: "How long to watch the idle cluster.")
    var idle: DurationArgument = DurationArgument(seconds: 10)

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (2...9).contains(nodes) else { throw ValidationError("--nodes must be 2–9") }
    }

    func run() async throws {
        let signals = BenchCleanup.shared.armSignals()
        defer { signals.disarm() }
        let cluster = try BenchCluster.thisBinary()
        Progress.note("fabric: synthetic peers, \(duration)")
        let synthetic = try await FabricBenchmark.synthetic(nodes: nodes, seconds: duration.seconds,
                                                            cluster: cluster)
        Progress.note("fabric: real cluster, idle for \(idle), then a write load for \(duration)")
        let real = try await FabricBenchmark.realCluster(nodes: nodes, idleSeconds: idle.seconds,
                                                         loadSeconds: duration.seconds,
                                                         cluster: cluster)
        let report = FabricReport(nodes: nodes, synthetic: synthetic, underLoad: real.underLoad,
                                  idle: real.idle)
        if json {
            say(BenchOutput.jsonLine(report))
        } else {
            report.tableLines().forEach(say)
        }
    }
}

/// `clusterdeck bench fabric-peer node --id N --members … --socket PATH …`: a stand-in for a node
/// that accepts the console's connection and sends it peer frames addressed to the other members
/// as fast as the connection takes them, discarding whatever arrives. Started by `bench fabric`.
struct FabricPeerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-peer",
        abstract: "A synthetic node for `bench fabric` (started by it).",
        shouldDisplay: false
    )

    @Argument(parsing: .captureForPassthrough, help: "The arguments the console gives a node.")
    var arguments: [String] = []

    func run() throws {
        guard let id = option("--id").flatMap(Int.init), let socket = option("--socket"),
              let members = option("--members") else {
            throw ValidationError("fabric-peer needs --id, --members and --socket")
        }
        let others = members.split(separator: ",").compactMap { Int($0) }.filter { $0 != id }
        guard !others.isEmpty else { throw ValidationError("fabric-peer needs another member") }
        try FabricPeer.run(id: id, others: others, socketPath: socket)
    }

    private func option(_ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
