import Checker
import Foundation

/// Time to check a generated history for linearizability, as `check` does.
public enum CheckerBenchmark {
    /// Checks `generator`'s history `runs` times.
    /// - Returns: the lines `bench checker` prints: a table, or one JSON object when `json`.
    public static func run(_ generator: HistoryGenerator, runs: Int, json: Bool) -> [String] {
        let history = generator.history()
        var samples: [Double] = []
        var report: CheckReport?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            report = LinearizabilityChecker.check(history)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        guard let report else { return [] }
        return lines(report, samples: samples.sorted(), history: history, generator: generator,
                     json: json)
    }

    private static func lines(_ report: CheckReport, samples: [Double], history: [HistoryOperation],
                              generator: HistoryGenerator, json: Bool) -> [String] {
        let (processes, seed) = (generator.processCount, generator.seed)
        func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        let unknown = history.count(where: { $0.outcome == .unknown })
        let figures: [(String, Double)] = [("min_ms", rounded(samples.first ?? 0)),
                                           ("median_ms", rounded(samples[samples.count / 2])),
                                           ("max_ms", rounded(samples.last ?? 0))]
        if json {
            let body = figures.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            return ["{\"bench\":\"checker\",\"operations\":\(history.count),"
                + "\"keys\":\(report.keyCount),\"processes\":\(processes),\"unknown\":\(unknown),"
                + "\"seed\":\(seed),\"runs\":\(samples.count),"
                + "\"verdict\":\"\(report.verdict.rawValue)\",\(body)}"]
        }
        let keyText = "\(report.keyCount) key\(report.keyCount == 1 ? "" : "s")"
        var lines = ["bench checker: \(history.count) operations, \(keyText), "
            + "\(processes) processes, \(unknown) unknown, seed \(seed), \(samples.count) runs"]
        lines.append("  verdict \(report.verdict.rawValue)")
        for (name, value) in figures {
            let label = name.replacingOccurrences(of: "_ms", with: "")
            lines.append("  \(label.padding(toLength: 7, withPad: " ", startingAt: 0)) \(value) ms")
        }
        return lines
    }
}
