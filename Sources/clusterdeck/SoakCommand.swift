import ArgumentParser
import Cluster
import Foundation
import Synchronization

/// `clusterdeck soak`: a long run under steady load and faults, watching memory.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Hours of load and faults, sampling node and console memory (goal: node RSS ≤ 64 MiB).",
        discussion: """
            The drill's clients and nemesis, for as long as asked, without the final check (the \
            history stays in --out; `clusterdeck check` reads it). Every --sample-every it prints the \
            resident memory of each node and of the console and the journal's size on disk; the \
            journal rotates at 64 MiB and the console keeps at most 50,000 operations in memory.
            """
    )

    @Option(help: "How long: 10m, 1h …")
    var duration = DurationArgument(seconds: 3_600)

    @Option(help: "How many nodes (3–9).")
    var nodes = 5

    @Option(help: "Concurrent clients.")
    var clients = 4

    @Option(help: "How often to sample memory.")
    var sampleEvery = DurationArgument(seconds: 60)

    @Option(parsing: .upToNextOption, help: "Faults to inject: kill,pause,partition,loss,clock (or none).")
    var faults: [String] = [FaultKind.allCases.map(\.rawValue).joined(separator: ",")]

    @Option(help: "The nemesis and workload seed (default: random, printed).")
    var seed: UInt64?

    @Option(help: "Directory for history.jsonl and journal.jsonl (default: ./soak-SEED).")
    var out: String?

    @Flag(help: "Print one JSON object at the end instead of the summary table.")
    var json = false

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be 3–9") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients must be 1–64") }
        guard sampleEvery.seconds >= 1 else { throw ValidationError("--sample-every must be at least 1s") }
        _ = try FaultList(faults).kinds()
    }

    func run() async throws {
        var setup = try LoadRunSetup(name: "soak", seed: seed, out: out, nodes: nodes, clients: clients,
                                     duration: duration, faults: try FaultList(faults).kinds())
        setup.cluster.historyMemoryLimit = 50_000
        setup.cluster.journalRotateBytes = 64 * 1024 * 1024
        setup.drill.checksHistory = false
        let (seed, options, drill) = (setup.seed, setup.cluster, setup.drill)
        let local = try LocalCluster(options: options.withRunKind(.soak))
        let guardian = StopSignals.shutDown(local)
        if !json {
            say("soak: \(nodes) nodes, \(clients) clients, \(duration), seed \(seed), sampling every \(sampleEvery)")
            say(MemorySampler.header)
        }
        try await local.start()
        let sampler = MemorySampler(every: sampleEvery.seconds, journal: options.journalPath ?? "", prints: !json)
        let report = await Drill(cluster: local, options: drill).run { sampler.observe($0) }
        await local.shutdown()
        guardian.disarm()
        for line in sampler.summary(report: report, json: json) { say(line) }
    }
}

/// The faults named on the command line (`kill,pause` or several options).
struct FaultList {
    let names: [String]

    init(_ arguments: [String]) {
        names = arguments.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "none" }
    }

    func kinds() throws -> [FaultKind] {
        try names.map { name in
            guard let kind = FaultKind(rawValue: name) else {
                throw ValidationError("unknown fault \(name): choose from "
                    + FaultKind.allCases.map(\.rawValue).joined(separator: ", ") + " (or none)")
            }
            return kind
        }
    }
}

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
        let now = state.withLock { Drill.seconds(since: $0.started) }
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

/// Resident memory of a process, from /proc.
enum ProcessMemory {
    static func residentMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else {
            return nil
        }
        return kilobytes / 1024
    }
}
