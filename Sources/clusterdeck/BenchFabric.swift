import ArgumentParser
import Cluster
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Raft
import Wire

/// `bench fabric`'s result.
struct FabricReport: Codable, Sendable {
    var bench = "fabric"
    var nodes: Int
    var synthetic: Routing
    var underLoad: Routing
    var idle: Idle

    /// Peer messages the console routed per second, and the console's CPU meanwhile.
    struct Routing: Codable, Sendable {
        var source: String
        var seconds: Double
        var routedPerSecond: Double
        var dropped: Int
        var consoleCpuPercent: Double

        enum CodingKeys: String, CodingKey {
            case source, seconds, routedPerSecond = "routed_per_s", dropped
            case consoleCpuPercent = "console_cpu_percent"
        }
    }

    /// The console's CPU while a real-pace cluster does nothing but heartbeats.
    struct Idle: Codable, Sendable {
        var seconds: Double
        var consoleCpuPercent: Double

        enum CodingKeys: String, CodingKey {
            case seconds, consoleCpuPercent = "console_cpu_percent"
        }
    }

    enum CodingKeys: String, CodingKey {
        case bench, nodes, synthetic, underLoad = "under_load", idle
    }
}

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
        Progress.note("fabric: synthetic peers, \(duration)")
        let synthetic = try await Self.synthetic(nodes: nodes, seconds: duration.seconds)
        Progress.note("fabric: real cluster, idle for \(idle), then a write load for \(duration)")
        let cluster = try await BenchCluster.start(nodes: nodes)
        BenchCleanup.shared.add { cluster.shutdownNow() }
        try await Task.sleep(nanoseconds: 2_000_000_000)
        let idleFigures = try await Self.idleCPU(seconds: idle.seconds)
        let underLoad = try await Self.underLoad(cluster, seconds: duration.seconds)
        await cluster.shutdown()
        let report = FabricReport(nodes: nodes, synthetic: synthetic, underLoad: underLoad,
                                  idle: idleFigures)
        if json {
            BenchOutput.json(report)
        } else {
            Self.printTable(report)
        }
    }

    static func printTable(_ report: FabricReport) {
        say("bench fabric: \(report.nodes) nodes, real pace")
        var rows = [["measurement", "routed/s", "dropped", "console CPU"]]
        for routing in [report.synthetic, report.underLoad] {
            rows.append([routing.source, BenchOutput.integer(routing.routedPerSecond),
                         "\(routing.dropped)", BenchOutput.number(routing.consoleCpuPercent) + " %"])
        }
        rows.append(["idle cluster (\(Int(report.idle.seconds)) s)", "-", "-",
                     BenchOutput.number(report.idle.consoleCpuPercent, decimals: 2) + " %"])
        BenchOutput.table(rows)
    }

    // MARK: Measurements

    /// The console with synthetic peers in place of nodes.
    static func synthetic(nodes: Int, seconds: Double) async throws -> FabricReport.Routing {
        let script = try FabricPeerScript.create()
        defer { script.remove() }
        var options = try BenchCluster.options(nodes: nodes)
        options.executablePath = script.path
        let cluster = try LocalCluster(options: options)
        BenchCleanup.shared.add { cluster.shutdownNow() }
        do {
            try await cluster.start()
            try await waitAllConnected(cluster)
            try await Task.sleep(nanoseconds: 500_000_000)
            let routing = try await routed(cluster, seconds: seconds, source: "synthetic peers")
            await cluster.shutdown()
            return routing
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    /// The real cluster under a 16-client write load.
    static func underLoad(_ cluster: LocalCluster, seconds: Double) async throws
        -> FabricReport.Routing {
        let spec = LoadSpec(clients: 16, durationSeconds: seconds + 1, valueSize: 100)
        let load = Task {
            try await LoadGenerator.run(ClusterDeckTarget(cluster: cluster, clients: 16), spec,
                                        warmupSeconds: 0, label: "fabric load")
        }
        try await Task.sleep(nanoseconds: 500_000_000)
        let routing = try await routed(cluster, seconds: seconds,
                                       source: "real nodes, 16 writing clients")
        _ = try await load.value
        return routing
    }

    static func idleCPU(seconds: Double) async throws -> FabricReport.Idle {
        let (cpuBefore, wallBefore) = (ProcessCPU.seconds(), MonotonicTime.nanoseconds())
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let wall = MonotonicTime.seconds(since: wallBefore)
        let percent = (ProcessCPU.seconds() - cpuBefore) / wall * 100
        return FabricReport.Idle(seconds: LatencySummary.round(wall),
                                 consoleCpuPercent: LatencySummary.round(percent))
    }

    private static func routed(_ cluster: LocalCluster, seconds: Double,
                               source: String) async throws -> FabricReport.Routing {
        let before = await cluster.summary()
        let (cpuBefore, wallBefore) = (ProcessCPU.seconds(), MonotonicTime.nanoseconds())
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let after = await cluster.summary()
        let wall = MonotonicTime.seconds(since: wallBefore)
        let cpu = (ProcessCPU.seconds() - cpuBefore) / wall * 100
        return FabricReport.Routing(source: source, seconds: LatencySummary.round(wall),
                                    routedPerSecond: Double(after.delivered - before.delivered) / wall,
                                    dropped: after.dropped - before.dropped,
                                    consoleCpuPercent: (cpu * 10).rounded() / 10)
    }

    private static func waitAllConnected(_ cluster: LocalCluster) async throws {
        for _ in 0..<500 {
            if await cluster.views().allSatisfy({ $0.status == .up }) { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw BenchError("the synthetic peers did not all connect within 10 s")
    }
}

/// CPU time this process used so far (user + system), in seconds.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}

/// A script that the console starts in place of `clusterdeck`: it turns `… node --id N …` into
/// `clusterdeck bench fabric-peer node --id N …`.
struct FabricPeerScript {
    let directory: String
    var path: String { directory + "/node" }

    static func create() throws -> FabricPeerScript {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/tmp"
        var template = Array("\(base)/clusterdeck-peers-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot create a temp dir") }
        let script = FabricPeerScript(directory: String(cString: made))
        let binary = try ExecutablePath.current().replacingOccurrences(of: "'", with: "'\\''")
        let text = "#!/bin/sh\nexec '\(binary)' bench fabric-peer \"$@\"\n"
        guard FileManager.default.createFile(atPath: script.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o700]) else {
            script.remove()
            throw BenchError("cannot write \(script.path)")
        }
        return script
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
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

enum FabricPeer {
    static func run(id: NodeID, others: [NodeID], socketPath: String) throws -> Never {
        let batch = frames(from: id, to: others)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BlastHandler(batch: batch))
                }
            }
        _ = try bootstrap.bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true)
            .wait()
        // No orphans: leave with the console, or if it never comes.
        let parent = getppid()
        var waited = 0
        while true {
            if getppid() != parent { exit(0) }
            if waited > 60 && !BlastHandler.connected.withLockedValue({ $0 }) { exit(2) }
            waited += 1
            usleep(250_000)
        }
    }

    /// 64 length-prefixed heartbeat frames, round-robin over the other members.
    static func frames(from id: NodeID, to others: [NodeID]) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<64 {
            let message = Message(from: id, to: others[index % others.count], term: 1,
                                  body: .heartbeat(commit: 0, readRound: 0))
            let payload = Frame.peer(message).encoded()
            let length = UInt32(payload.count)
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }
            bytes += payload
        }
        return bytes
    }
}

/// Writes the batch again and again while the connection is writable; reads are thrown away.
final class BlastHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let connected = NIOLockedValueBox(false)
    private let batch: [UInt8]
    private var buffer: ByteBuffer?

    init(batch: [UInt8]) {
        self.batch = batch
    }

    func channelActive(context: ChannelHandlerContext) {
        Self.connected.withLockedValue { $0 = true }
        buffer = context.channel.allocator.buffer(bytes: batch)
        blast(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { blast(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        exit(0)
    }

    /// Up to 16 batches, then yield to the loop so reads keep draining what the console sends.
    private func blast(context: ChannelHandlerContext) {
        guard let buffer else { return }
        var rounds = 0
        while context.channel.isWritable, rounds < 16 {
            context.write(wrapOutboundOut(buffer), promise: nil)
            rounds += 1
        }
        context.flush()
        guard context.channel.isWritable else { return }
        context.eventLoop.assumeIsolated().execute { self.blast(context: context) }
    }
}
