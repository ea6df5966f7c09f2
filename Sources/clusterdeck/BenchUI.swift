import ArgumentParser
import Bench

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
        let lines = UIBenchmark.run(nodes: nodes, frames: frames, messagesPerFrame: messagesPerFrame,
                                    width: width, height: height, json: json)
        lines.forEach(say)
    }
}
