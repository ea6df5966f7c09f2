import Cluster
import Foundation

/// The drill's words on the terminal.
enum DrillOutput {
    /// One line on standard error, rewritten in place on a terminal.
    static func progress(_ progress: DrillProgress) {
        let text = "  \(Int(progress.secondsLeft)) s left · \(progress.operations) operations · "
            + "\(progress.faults) faults"
        let line = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" + text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// - Parameters:
    ///   - simulated: the drill ran on the simulated cluster (its seed replays it).
    ///   - journaled: a journal was written (etcd members have none to replay).
    static func lines(_ report: DrillReport, seed: UInt64, directory: String, simulated: Bool = false,
                      journaled: Bool = true) -> [String] {
        var lines = [isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""]
        lines.append(String(format: "operations: %d in %.1f s (%.0f/s): %d ok, %d failed, %d unknown",
                            report.operations, report.durationSeconds, report.operationsPerSecond,
                            report.ok, report.failed, report.unknown))
        lines.append("faults: \(report.faults.count)")
        lines += report.faults.map { String(format: "  %6.1f s  %@", $0.seconds, $0.text) }
        if let writes = report.writes { lines.append(writes.line) }
        if let lost = report.lostWrites {
            lines.append(lost.line)
            lines += lost.examples
            if lost.unread > 0 { lines.append("  (\(lost.unread) acknowledged writes could not be read back)") }
        }
        lines += report.check?.lines ?? []
        if let twice = report.appliedTwice {
            lines.append("exactly-once: NO — \(twice.explanation)")
        } else if report.check != nil {
            lines.append("exactly-once: yes (no write applied twice)")
        }
        lines.append("history: \(directory)/history.jsonl (clusterdeck check \(directory)/history.jsonl)"
            + (journaled ? "  journal: \(directory)/journal.jsonl (clusterdeck replay \(directory)/journal.jsonl)" : ""))
        lines.append("replay this drill: clusterdeck drill \(simulated ? "--simulate" : "--seed") \(seed) …same options")
        return lines.filter { !$0.isEmpty }
    }
}
