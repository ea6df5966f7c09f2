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
    ///   - journaled: a journal was written.
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
        if report.lockServiceUnderTest != nil {
            lines += (report.check?.lines ?? []).map { "KV " + $0 }
        } else {
            lines += report.check?.lines ?? []
        }
        lines += lockLines(report)
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

    /// The lock and fencing verdicts of a drill against another system's lock service: two
    /// holders at once are a finding about that system; a fenced write out of token order fails.
    private static func lockLines(_ report: DrillReport) -> [String] {
        guard let system = report.lockServiceUnderTest, let locks = report.lockCheck,
              let fencing = report.fencingCheck else { return [] }
        var lines: [String] = []
        switch locks.verdict {
        case .linearizable:
            lines.append("locks: no finding (\(locks.operationCount) lock operations: one holder at a time, "
                + "tokens increasing)")
        case .undecided, .notLinearizable:
            lines.append("locks: FINDING ABOUT \(system.uppercased()) (not a drill failure: its lease-based lock "
                + "promises no more) —")
            lines += locks.lines.map { "  " + $0 }
        }
        lines += fencing.lines.map { "fencing " + $0 }
        return lines
    }
}
