import Cluster
import CommandLanguage
import Foundation

/// `bench timetravel`'s result.
public struct TimeTravelReport: Codable, Sendable {
    public var bench = "timetravel"
    public var nodes: Int
    /// Virtual minutes the session ran before the seeks.
    public var minutes: Int
    public var pace: String
    /// Wall milliseconds to simulate the whole session the first time.
    public var sessionMs: Double
    /// Each seek: where to (virtual seconds) and how long it took (wall milliseconds).
    public var seeks: [Seek]
    /// Resident memory after the seeks, in MiB (the whole process), when /proc tells.
    public var residentMiB: Double?

    public struct Seek: Codable, Sendable {
        public var command: String
        public var toSeconds: Double
        public var ms: Double
    }

    enum CodingKeys: String, CodingKey {
        case bench, nodes, minutes, pace, seeks
        case sessionMs = "session_ms"
        case residentMiB = "resident_mib"
    }
}

extension TimeTravelReport {
    /// The table `bench timetravel` prints.
    public func tableLines() -> [String] {
        let heading = "bench timetravel: \(nodes) nodes, \(pace) pace, a \(minutes)-minute simulated session "
            + "(simulated in \(BenchOutput.number(sessionMs, decimals: 0)) ms)"
            + (residentMiB.map { ", \(BenchOutput.number($0, decimals: 0)) MiB resident" } ?? "")
        return [heading] + BenchOutput.tableLines(
            [["command", "to s", "ms"]]
                + seeks.map { [$0.command, BenchOutput.number($0.toSeconds, decimals: 3),
                               BenchOutput.number($0.ms, decimals: 1)] })
    }
}

/// How long time travel takes on the simulated cluster: a session of `minutes` virtual minutes
/// (a leader, a few writes and a failover early on, then the cluster left to run), then seeks back
/// to several instants and forward to the end, each timed on the wall clock.
public enum TimeTravelBenchmark {
    public static func measure(nodes: Int, minutes: Int, timing: Timing, seed: UInt64) async throws
        -> TimeTravelReport {
        var options = ClusterOptions(executablePath: "/nonexistent: the simulated cluster starts no process")
        options.nodeCount = nodes
        options.timing = timing
        options.seed = seed
        options.simulation = .onDemand
        options.runKind = .bench
        let timeline = try await SimulatedTimeline.make(options: options)
        BenchCleanup.shared.add { timeline.shutdownNow() }
        do {
            let report = try await session(on: timeline, options: options, minutes: minutes)
            await timeline.shutdown()
            return report
        } catch {
            await timeline.shutdown()
            throw error
        }
    }

    private static func session(on timeline: SimulatedTimeline, options: ClusterOptions, minutes: Int)
        async throws -> TimeTravelReport {
        let nodes = options.nodeCount
        try await timeline.start()

        let started = MonotonicTime.nanoseconds()
        for line in ["wait leader", "put x 1", "put y 2", "kill leader", "wait leader", "put z 3"] {
            _ = await timeline.execute(try parse(line, nodes: nodes))
        }
        await timeline.idle(milliseconds: minutes * 60_000)
        let sessionMs = Double(MonotonicTime.nanoseconds() - started) / 1_000_000
        let end = await timeline.secondsSinceStart()

        var seeks: [TimeTravelReport.Seek] = []
        let targets = [0.1, 0.5, 0.99].map { Int(end * $0 * 1_000) }
        for ms in targets {
            seeks.append(try await timed("seek \(ms)ms", on: timeline, nodes: nodes))
            seeks.append(try await timed("seek end", on: timeline, nodes: nodes))
        }
        seeks.append(try await timed("back 1", on: timeline, nodes: nodes))
        Progress.note("timetravel: \(seeks.count) moves measured")
        return TimeTravelReport(nodes: nodes, minutes: minutes, pace: options.timing == .teach ? "teach" : "real",
                                sessionMs: sessionMs, seeks: seeks, residentMiB: ProcessMemory.residentMiB(getpid()))
    }

    private static func parse(_ line: String, nodes: Int) throws -> Command {
        guard let command = try CommandParser.parse(line, nodeCount: nodes) else {
            throw BenchError("bug: an empty bench command")
        }
        return command
    }

    private static func timed(_ line: String, on timeline: SimulatedTimeline, nodes: Int) async throws
        -> TimeTravelReport.Seek {
        let command = try parse(line, nodes: nodes)
        let before = MonotonicTime.nanoseconds()
        let output = await timeline.execute(command)
        let ms = Double(MonotonicTime.nanoseconds() - before) / 1_000_000
        guard output.ok else { throw BenchError("\(line): \(output.lines.joined(separator: " "))") }
        return TimeTravelReport.Seek(command: line, toSeconds: await timeline.secondsSinceStart(), ms: ms)
    }
}
