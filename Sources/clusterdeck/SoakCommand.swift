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

    @Option(parsing: .upToNextOption, help: "Faults to inject: \(FaultKind.allCases.map(\.rawValue).joined(separator: ",")) (or none).")
    var faults: [String] = [FaultKind.allCases.map(\.rawValue).joined(separator: ",")]

    @OptionGroup var seeds: LoadSeedFlags

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
        var setup = try LoadRunSetup(name: "soak", seed: seeds.chosen, out: out, nodes: nodes, clients: clients,
                                     duration: duration, faults: try FaultList(faults).kinds())
        setup.cluster.historyMemoryLimit = 50_000
        setup.cluster.journalRotateBytes = 64 * 1024 * 1024
        setup.drill.checksHistory = false
        let (seed, options, drill) = (setup.seed, setup.cluster, setup.drill)
        let local = try await seeds.backend.make(options: options.withRunKind(.soak), watched: false, recorded: false)
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
