import Bench
import Cluster
import Foundation
import Synchronization

/// Samples memory as the soak runs and sums it up at the end.
final class MemorySampler: Sendable {
    struct Sample: Sendable, Codable {
        var seconds: Double
        var operations: Int
        /// Resident memory of each node, in MiB, by node id.
        var nodeMiB: [Int: Double]
        var consoleMiB: Double
        var journalMiB: Double
    }

    static let header = "  time  operations  node RSS (MiB, max and each)            console RSS  journal"
    static let nodeGoalMiB = 64.0

    private let every: Double
    private let journal: String
    private let prints: Bool
    private let state = Mutex<(samples: [Sample], nextAt: Double, started: ContinuousClock.Instant)>(
        ([], 0, .now))

    init(every seconds: Double, journal: String, prints: Bool) {
        every = seconds
        self.journal = journal
        self.prints = prints
    }

    /// Called about once a second with the drill's progress; takes a sample when one is due.
    func observe(_ progress: DrillProgress) {
        let now = state.withLock { state in
            let elapsed = ContinuousClock.now - state.started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let due = state.withLock { state -> Bool in
            guard now >= state.nextAt else { return false }
            state.nextAt = now + every
            return true
        }
        guard due else { return }
        let nodes = Dictionary(uniqueKeysWithValues: progress.nodePids.compactMap { id, pid in
            ProcessMemory.residentMiB(pid).map { (id, $0) }
        })
        let journalBytes = [journal, journal + ".1"].compactMap {
            try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int
        }.reduce(0, +)
        let sample = Sample(seconds: now, operations: progress.operations, nodeMiB: nodes,
                            consoleMiB: ProcessMemory.residentMiB(getpid()) ?? 0,
                            journalMiB: Double(journalBytes) / 1_048_576)
        state.withLock { $0.samples.append(sample) }
        if prints { say(Self.line(sample)) }
    }

    static func line(_ sample: Sample) -> String {
        let each = sample.nodeMiB.keys.sorted().map { String(format: "n%d %.0f", $0, sample.nodeMiB[$0] ?? 0) }
        let time = DurationArgument(seconds: max(1, sample.seconds)).description
        return String(repeating: " ", count: max(0, 6 - time.count)) + time
            + String(format: "  %10d  %5.1f  (%@)", sample.operations, sample.nodeMiB.values.max() ?? 0,
                     each.joined(separator: " "))
            + String(format: "    %6.1f MiB  %5.1f MiB", sample.consoleMiB, sample.journalMiB)
    }

    func summary(report: DrillReport, json: Bool) -> [String] {
        let samples = state.withLock { $0.samples }
        let nodeMax = samples.flatMap { $0.nodeMiB.values }.max() ?? 0
        let consoleFirst = samples.first?.consoleMiB ?? 0
        let consoleLast = samples.last?.consoleMiB ?? 0
        let journalMax = samples.map(\.journalMiB).max() ?? 0
        if json {
            let object: [String: Any] = [
                "seconds": report.durationSeconds, "faults": report.faults.count,
                "operations": samples.last?.operations ?? 0, "nodeRSSMaxMiB": nodeMax,
                "consoleRSSFirstMiB": consoleFirst, "consoleRSSLastMiB": consoleLast, "journalMaxMiB": journalMax,
                "nodeGoalMet": nodeMax <= Self.nodeGoalMiB,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return [String(decoding: data, as: UTF8.self)]
        }
        return [
            String(format: "ran %.0f s with %d faults and %d operations", report.durationSeconds,
                   report.faults.count, samples.last?.operations ?? 0),
            String(format: "node RSS max %.1f MiB (goal ≤ %.0f MiB: %@)", nodeMax, Self.nodeGoalMiB,
                   nodeMax <= Self.nodeGoalMiB ? "met" : "MISSED"),
            String(format: "console RSS %.1f → %.1f MiB; journal on disk at most %.1f MiB (rotates at 64 MiB)",
                   consoleFirst, consoleLast, journalMax),
        ]
    }
}
