import Cluster
import Foundation

/// What `drill` and `soak` share: a seed (random unless given), a directory for the history and the
/// journal, and the cluster and drill options they start from.
struct LoadRunSetup {
    let seed: UInt64
    let directory: String
    var cluster: ClusterOptions
    var drill: DrillOptions

    init(name: String, seed: UInt64?, out: String?, nodes: Int, clients: Int, duration: DurationArgument,
         faults: [FaultKind]) throws {
        self.seed = seed ?? UInt64.random(in: 1...999_999)
        directory = out ?? "\(name)-\(self.seed)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let seeded = SeededRunOptions(seed: self.seed, executablePath: try ExecutablePath.current(), nodes: nodes,
                                      clients: clients, durationSeconds: duration.seconds, faults: faults)
        cluster = seeded.cluster
        cluster.journalPath = "\(directory)/journal.jsonl"
        cluster.historyPath = "\(directory)/history.jsonl"
        drill = seeded.drill
    }
}
