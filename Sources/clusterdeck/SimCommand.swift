import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import Raft
import Simulation
import CommandLanguage

extension BugKnob {
    /// The `sim` flags a knob needs to show (a knob of a later mode names that mode here), which
    /// `--list-bugs` prints after its name so that scripts/test.sh runs each knob in its mode.
    var simulationFlags: [String] {
        switch self {
        case .commitOldTerm, .voteTwice, .skipLogCheck, .forgetVoteOnRestart, .staleLeaderRead,
             .leaseLocalClock, .sessionForgets:
            []
        case .acceptStaleEpoch:
            ["--protocol", "primary-backup"]
        }
    }
}

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the Raft core in a seeded, deterministic simulation with faults, checking safety.",
        discussion: """
            Each seed picks its own cluster size (3–9), fault rates and schedule: message loss, delay, \
            reordering and duplication, symmetric and one-way partitions, crashes that lose what was not \
            yet durable, restarts, and snapshots. After 30 virtual seconds of faults, the faults stop and \
            a leader must commit a new proposal within 10 virtual seconds. Every node runs the loop a \
            real node runs (the services, client sessions, leases, ReadIndex answers), each on its own \
            clock rate (±1 %), and seeded clients put, get, cas, delete, lock, unlock, write with \
            fencing tokens, retry, and pause past their leases. After every step the checker verifies \
            election safety, log matching, leader completeness, state machine safety and linearizable \
            reads; at the end of each seed the clients' history is checked for exactly-once writes, \
            KV linearizability and lock safety (one holder at a time, increasing tokens).

            Bug knobs (--bug NAME) switch on a deliberate mistake in the core:
            \(BugKnob.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))
            """
    )

    @Option(name: .long, help: "Fix the cluster size (1–9) instead of drawing 3–9 per seed.")
    var nodes: Int?

    @Option(name: .long, help: "How many seeds to run (seeds 1...K).")
    var seeds: Int = 100

    @Option(name: .long, help: "Run only this seed and show its trace (replays a failure exactly).")
    var seed: UInt64?

    @Option(name: .long, help: "Switch on a bug knob (repeatable; see below).")
    var bug: [BugKnob] = []

    @Option(name: .long, help: "Seeds run at once (default: one per core).")
    var jobs: Int?

    @Flag(name: .long, help: "With --seed: print the trace tail even when the seed passes.")
    var trace = false

    @Option(name: .long, help: "With --seed: how many of the last events to print.")
    var traceLines: Int = 60

    @Option(name: .long, help: "Print the first N violations in detail.")
    var showViolations: Int = 3

    @Flag(name: .long, help: "Stop at the first violation.")
    var failFast = false

    @Option(name: .customLong("protocol"),
            help: "raft (default) or primary-backup: its invariants (one primary per epoch, a replica applies a prefix of its epoch's primary's stream) and its lost writes, counted.")
    var replication: ReplicationProtocol = .raft

    @Flag(name: .long, help: "List the bug knobs, one per line (its name, then any flags it needs), and exit.")
    var listBugs = false

    func validate() throws {
        if let nodes, !(1...9).contains(nodes) {
            throw ValidationError("--nodes must be between 1 and 9, got \(nodes)")
        }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if traceLines < 1 { throw ValidationError("--trace-lines must be at least 1") }
        if showViolations < 0 { throw ValidationError("--show-violations cannot be negative") }
        for knob in bug where !knob.applies(to: replication) {
            throw ValidationError("--bug \(knob.rawValue) does not apply to \(replication.rawValue) nodes"
                + (replication == .raft ? " (add --protocol primary-backup)" : ""))
        }
    }

    private var primaryBackup: Bool { replication == .primaryBackup }

    func run() async throws {
        if listBugs {
            for knob in BugKnob.allCases { say(([knob.rawValue] + knob.simulationFlags).joined(separator: " ")) }
            return
        }
        let knobs = Set(bug)
        if let seed {
            let result = SeedRunner.runOne(seed: seed, nodeCount: nodes, bugs: knobs, primaryBackup: primaryBackup,
                                           traceLines: traceLines)
            printSingle(result)
            if result.violation != nil { throw ExitCode(1) }
            return
        }
        let summary = await runMany(knobs: knobs)
        if summary.violations > 0 { throw ExitCode(1) }
    }

    private func printSingle(_ result: SeedResult) {
        say("seed \(result.seed): \(result.options)")
        if result.violation != nil || trace {
            say("trace (last \(result.traceTail.count) events):")
            for line in result.traceTail { say("  " + line) }
        }
        say(statsLine(result.stats))
        say(checkedLine(result.stats, primaryBackup: primaryBackup))
        say("trace-hash: \(hex(result.traceHash))")
        if let violation = result.violation {
            say("VIOLATION \(violation)")
            say("violations: 1")
        } else {
            say("violations: 0")
        }
    }

    private func runMany(knobs: Set<BugKnob>) async -> Summary {
        let parallelism = jobs ?? System.coreCount
        let knobNames = knobs.map(\.rawValue).sorted().joined(separator: ",")
        let knobText = knobs.isEmpty ? "" : " with bug \(knobNames)"
        let protocolText = primaryBackup ? " of primary-backup replication" : ""
        say("simulating \(seeds) seeds\(protocolText)\(knobText) on \(parallelism) threads…")
        var summary = Summary(started: DispatchTime.now())
        let seedList = (1...seeds).map { UInt64($0) }
        await SeedRunner.run(seeds: seedList, nodeCount: nodes, bugs: knobs, primaryBackup: primaryBackup,
                             parallelism: parallelism) {
            summary.add($0)
            if let violation = $0.violation, summary.violations <= showViolations {
                printViolation($0, violation, knobs: knobs)
            }
            if summary.completed % 1000 == 0 && summary.completed < seeds {
                say("  \(summary.completed)/\(seeds) seeds, \(summary.violations) violations")
            }
            return !(failFast && summary.violations > 0)
        }
        summary.print(seedCount: seeds, primaryBackup: primaryBackup)
        return summary
    }

    private func printViolation(_ result: SeedResult, _ violation: Violation, knobs: Set<BugKnob>) {
        say("seed \(result.seed): \(violation)")
        say("  options: \(result.options)")
        say("  trace tail:")
        for line in result.traceTail.suffix(12) { say("    " + line) }
        var command = "clusterdeck sim --seed \(result.seed)" + (primaryBackup ? " --protocol primary-backup" : "")
        if let nodes { command += " --nodes \(nodes)" }
        for knob in knobs.map(\.rawValue).sorted() { command += " --bug \(knob)" }
        say("  reproduce with: \(command)")
    }
}

/// Totals over a run of many seeds.
private struct Summary {
    let started: DispatchTime
    var completed = 0
    var violations = 0
    var byInvariant: [String: Int] = [:]
    var stats = SimulationStats()

    mutating func add(_ result: SeedResult) {
        completed += 1
        if let violation = result.violation {
            violations += 1
            byInvariant[violation.invariant.rawValue, default: 0] += 1
        }
        stats.add(result.stats)
    }

    func print(seedCount: Int, primaryBackup: Bool) {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let rate = Double(completed) / max(seconds, 1e-9)
        say("seeds: \(completed) in \(formatted(seconds)) s (\(formatted(rate)) seeds/s, "
            + "\(formatted(Double(stats.virtualMs) / 1000 / max(seconds, 1e-9))) virtual s per s)")
        say(statsLine(stats))
        say(checkedLine(stats, primaryBackup: primaryBackup))
        for (name, count) in byInvariant.sorted(by: { $0.key < $1.key }) {
            say("  \(name): \(count) seeds")
        }
        say("violations: \(violations)")
    }
}

private func statsLine(_ stats: SimulationStats) -> String {
    "elections: \(stats.elections)  crashes: \(stats.crashes)  partitions: \(stats.partitions)  "
        + "snapshot installs: \(stats.snapshotInstalls)  messages: \(stats.messagesDelivered) delivered, "
        + "\(stats.messagesDropped) dropped  proposals: \(stats.proposals)  "
        + "committed: \(stats.highestCommitted)  reads: \(stats.readsConfirmed)"
}

/// The services' side of the run: how much client history the checkers read; for primary/backup,
/// whose history is not checked, the acknowledged writes the final state lacks (the figure the
/// design pays, not a violation).
private func checkedLine(_ stats: SimulationStats, primaryBackup: Bool) -> String {
    guard primaryBackup else {
        return "checked: \(stats.clientOperations) client operations, \(stats.lockGrants) lock grants"
    }
    return "lost acknowledged writes: \(stats.lostWrites) (of \(stats.acknowledgedWrites) acknowledged)"
}

private func formatted(_ value: Double) -> String {
    let scaled = (value * 10).rounded() / 10
    return String(scaled)
}

private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}
