import Cluster
import Console
import Foundation
import Raft
import Wire

/// Time to update the console model with a burst of messages and render a frame, as the TUI does.
public enum UIBenchmark {
    /// Renders `frames` frames of a `nodes`-node cluster at `width`×`height`, applying
    /// `messagesPerFrame` messages before each.
    /// - Returns: the lines `bench ui` prints: a table, or one JSON object when `json`.
    public static func run(nodes: Int, frames: Int, messagesPerFrame: Int, width: Int, height: Int,
                           json: Bool) -> [String] {
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
        let settings = Settings(nodes: nodes, messagesPerFrame: messagesPerFrame, width: width,
                                height: height, json: json)
        return report(samples.sorted(), changedCells: changedCells, settings: settings)
    }

    /// What the report repeats of the run's settings.
    private struct Settings {
        var nodes: Int
        var messagesPerFrame: Int
        var width: Int
        var height: Int
        var json: Bool
    }

    private static func report(_ sorted: [UInt64], changedCells: Int,
                               settings: Settings) -> [String] {
        let (nodes, messagesPerFrame, width, height) = (settings.nodes, settings.messagesPerFrame,
                                                        settings.width, settings.height)
        func ms(_ nanoseconds: UInt64) -> Double { (Double(nanoseconds) / 1e6 * 1000).rounded() / 1000 }
        let percentile = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let mean = sorted.reduce(0, +) / UInt64(sorted.count)
        let figures: [(String, Double)] = [("mean_ms", ms(mean)), ("p50_ms", ms(percentile(0.5))),
                                           ("p99_ms", ms(percentile(0.99))), ("max_ms", ms(sorted.last ?? 0))]
        if settings.json {
            let body = figures.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            return ["{\"bench\":\"ui\",\"nodes\":\(nodes),\"size\":\"\(width)x\(height)\",\"frames\":\(sorted.count),"
                + "\"messages_per_frame\":\(messagesPerFrame),\(body),"
                + "\"changed_cells_per_frame\":\(changedCells / max(1, sorted.count))}"]
        }
        var lines = ["bench ui: \(nodes) nodes, \(width)×\(height), \(sorted.count) frames, "
            + "\(messagesPerFrame) messages applied per frame (update + render + diff)"]
        for (name, value) in figures {
            let label = name.replacingOccurrences(of: "_ms", with: "")
            lines.append("  \(label.padding(toLength: 6, withPad: " ", startingAt: 0)) \(value) ms")
        }
        lines.append("  changed cells per frame: \(changedCells / max(1, sorted.count))")
        return lines
    }

    private static func views(nodes: Int, frame: Int) -> [NodeView] {
        (1...nodes).map { id in
            let last = 100 + frame
            let tail = (last - 7...last).map { NodeState.EntrySummary(index: $0, term: 4, text: "put k\($0)=v") }
            let followers = id == 1
                ? (2...max(2, nodes)).map { NodeState.FollowerProgress(node: $0, match: last - 1, next: last + 1,
                                                                       mode: .replicate) }
                : []
            let state = NodeState(id: id, role: id == 1 ? .leader : .follower, term: 4, votedFor: 1,
                                  leader: 1, commitIndex: last - 1, appliedIndex: last - 1, firstIndex: 1,
                                  lastIndex: last, snapshotIndex: 0, logTail: tail, keyCount: 40,
                                  sample: ["a": "1", "b": "2", "c": "3"], followers: followers,
                                  pace: "10ms/tick", frozen: false)
            return NodeView(id: id, status: .up, pid: Int32(1000 + id), state: state)
        }
    }

    private static func message(frame: Int, index: Int, nodes: Int) -> MessageRecord {
        let to = 2 + (frame + index) % max(1, nodes - 1)
        let outbound = index % 2 == 0
        let header = MessageHeader(from: outbound ? 1 : min(to, nodes), to: outbound ? min(to, nodes) : 1,
                                   type: outbound ? .append : .appendResponse, term: 4, entryCount: outbound ? 1 : 0)
        return MessageRecord(header: header, fate: .delivered, timeMs: frame * 33)
    }
}
