import ArgumentParser
import Cluster
import Console
import Foundation
import Raft
import Wire

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
        UIBench.self, CheckerBench.self, FabricPeerCommand.self,
    ]
}

/// Time to update the console model with a burst of messages and render a frame, as the TUI does.
struct UIBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Time to update and render a console frame while messages flow (no terminal needed)."
    )

    @Option(help: "Nodes in the pictured cluster (1–9).")
    var nodes: Int = 9

    @Option(help: "Frames to render.")
    var frames: Int = 2_000

    @Option(help: "Peer messages applied before each frame.")
    var messagesPerFrame: Int = 50

    @Option(help: "Screen size, WIDTHxHEIGHT.")
    var size: String = "120x40"

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be 1–9") }
        guard frames >= 1, messagesPerFrame >= 0 else { throw ValidationError("--frames ≥ 1, --messages-per-frame ≥ 0") }
        guard parsedSize != nil else { throw ValidationError("--size must look like 120x40") }
    }

    private var parsedSize: (width: Int, height: Int)? {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 > 0 && $0 <= 1000 }) else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        guard let (width, height) = parsedSize else { return }
        var model = ConsoleModel(width: width, height: height, nodeCount: nodes, timing: .real)
        var previous: Screen?
        var samples: [UInt64] = []
        samples.reserveCapacity(frames)
        var changedCells = 0
        for frame in 0..<frames {
            let start = DispatchTime.now().uptimeNanoseconds
            model.nodes = Self.views(nodes: nodes, frame: frame)
            for index in 0..<messagesPerFrame {
                model.apply(.message(Self.message(frame: frame, index: index, nodes: nodes)))
            }
            if frame % 10 == 0 { model.apply(.action("frame \(frame): something happened")) }
            let screen = ConsoleView.render(model)
            changedCells += screen.changes(since: previous).reduce(0) { $0 + $1.text.count }
            previous = screen
            samples.append(DispatchTime.now().uptimeNanoseconds - start)
        }
        report(samples.sorted(), changedCells: changedCells, width: width, height: height)
    }

    private func report(_ sorted: [UInt64], changedCells: Int, width: Int, height: Int) {
        func ms(_ nanoseconds: UInt64) -> Double { (Double(nanoseconds) / 1e6 * 1000).rounded() / 1000 }
        let percentile = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let mean = sorted.reduce(0, +) / UInt64(sorted.count)
        let figures: [(String, Double)] = [("mean_ms", ms(mean)), ("p50_ms", ms(percentile(0.5))),
                                           ("p99_ms", ms(percentile(0.99))), ("max_ms", ms(sorted.last ?? 0))]
        if json {
            let body = figures.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            say("{\"bench\":\"ui\",\"nodes\":\(nodes),\"size\":\"\(width)x\(height)\",\"frames\":\(sorted.count),"
                + "\"messages_per_frame\":\(messagesPerFrame),\(body),"
                + "\"changed_cells_per_frame\":\(changedCells / max(1, sorted.count))}")
            return
        }
        say("bench ui: \(nodes) nodes, \(width)×\(height), \(sorted.count) frames, "
            + "\(messagesPerFrame) messages applied per frame (update + render + diff)")
        for (name, value) in figures { say("  \(name.replacingOccurrences(of: "_ms", with: "").padding(toLength: 6, withPad: " ", startingAt: 0)) \(value) ms") }
        say("  changed cells per frame: \(changedCells / max(1, sorted.count))")
    }

    static func views(nodes: Int, frame: Int) -> [NodeView] {
        (1...nodes).map { id in
            let last = 100 + frame
            let tail = (last - 7...last).map { NodeStateFrame.EntrySummary(index: $0, term: 4, text: "put k\($0)=v") }
            let followers = id == 1
                ? (2...max(2, nodes)).map { NodeStateFrame.FollowerProgress(node: $0, match: last - 1, next: last + 1,
                                                                            mode: "replicate") }
                : []
            let state = NodeStateFrame(id: id, role: id == 1 ? "leader" : "follower", term: 4, votedFor: 1,
                                       leader: 1, commitIndex: last - 1, appliedIndex: last - 1, firstIndex: 1,
                                       lastIndex: last, snapshotIndex: 0, logTail: tail, keyCount: 40,
                                       sample: ["a": "1", "b": "2", "c": "3"], followers: followers,
                                       pace: "10ms/tick", frozen: false)
            return NodeView(id: id, status: .up, pid: Int32(1000 + id), state: state)
        }
    }

    static func message(frame: Int, index: Int, nodes: Int) -> MessageRecord {
        let to = 2 + (frame + index) % max(1, nodes - 1)
        let outbound = index % 2 == 0
        let header = RoutingHeader(from: outbound ? 1 : min(to, nodes), to: outbound ? min(to, nodes) : 1,
                                   type: outbound ? 5 : 6, term: 4, entryCount: outbound ? 1 : 0)
        return MessageRecord(header: header, fate: .delivered, timeMs: frame * 33)
    }
}
