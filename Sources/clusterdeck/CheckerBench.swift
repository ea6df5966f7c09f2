import ArgumentParser
import Bench
import Checker

/// Time to check a generated history for linearizability, as `check` does.
struct CheckerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checker",
        abstract: "Time to check a generated history for linearizability "
            + "(goal: 10,000 operations in ≤ 1 s)."
    )

    @Option(help: "Operations in the generated history.")
    var operations: Int = 10_000

    @Option(help: "Keys the operations spread over.")
    var keys: Int = 10

    @Option(help: "Concurrent processes (each issues one operation at a time).")
    var processes: Int = 8

    @Option(help: "Percent of writes whose outcome is unknown (half of them took effect).")
    var unknownPercent: Double = 2

    @Option(help: "Seed for the generated history.")
    var seed: UInt64 = 1

    @Option(help: "Checks to time (the history is the same each time).")
    var runs: Int = 5

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...1_000_000).contains(operations) else {
            throw ValidationError("--operations must be 1–1000000")
        }
        guard (1...10_000).contains(keys), (1...1_000).contains(processes) else {
            throw ValidationError("--keys must be 1–10000 and --processes 1–1000")
        }
        guard (0...100).contains(unknownPercent) else {
            throw ValidationError("--unknown-percent must be 0–100")
        }
        guard (1...1_000).contains(runs) else { throw ValidationError("--runs must be 1–1000") }
    }

    func run() throws {
        var generator = HistoryGenerator(seed: seed)
        generator.operationCount = operations
        generator.keyCount = keys
        generator.processCount = processes
        generator.unknownWritePercent = unknownPercent
        CheckerBenchmark.run(generator, runs: runs, json: json).forEach(say)
    }
}
