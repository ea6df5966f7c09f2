import ArgumentParser
import Foundation
import Fuzzing

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed generated and mutated inputs to the decoders and parsers; none may crash.",
        discussion: """
            Targets: frame (the node's length-prefixed framing, Frame and PeerCodec decoding), \
            command (the command-language parser), scenario (the .deck parser), wal (recovering a \
            damaged write-ahead log), or all. Input i of seed S depends only on (S, i): a crash or \
            hang prints `clusterdeck fuzz TARGET --replay S:i`, which rebuilds that input alone, \
            prints it and runs it (with Swift's backtrace if it crashes again). Each input is \
            timed (more CPU time than --slow-seconds fails the run; a watchdog stops an input \
            still running after --hang-seconds of wall time); the address space is capped so that \
            a decoder that trusts a huge length crashes at once instead of passing unnoticed; \
            resident memory is sampled. Exit status 1 when any property is violated.
            """
    )

    @Argument(help: "frame, command, scenario, wal or all.")
    var target: String

    @Option(name: .long, help: "Inputs per target.")
    var inputs: Int = 100_000

    @Option(name: .long, help: "The seed; input i of a run is a function of (seed, i).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Re-run one input, SEED:ITERATION, and print it.")
    var replay: String?

    @Flag(name: .long, help: "Print one JSON object per target instead of text.")
    var json = false

    @Option(name: .long, help: "An input using more CPU seconds than this fails the run.")
    var slowSeconds: Double = 1

    @Option(name: .long, help: "An input running longer than this is a hang: stop and name it.")
    var hangSeconds: Double = 10

    @Option(name: .long, help: "Address space allowed beyond what is mapped at start, in MiB.")
    var memoryHeadroomMb: Int = 1_024

    func validate() throws {
        guard target == "all" || FuzzTargets.names.contains(target) else {
            let names = FuzzTargets.names.joined(separator: ", ")
            throw ValidationError("unknown target \(target): use \(names) or all")
        }
        guard inputs >= 0 else { throw ValidationError("--inputs cannot be negative") }
        if replay != nil, target == "all" { throw ValidationError("--replay needs one target") }
        guard slowSeconds > 0, hangSeconds > 0 else {
            throw ValidationError("time limits must be positive")
        }
        guard memoryHeadroomMb >= 0 else {
            throw ValidationError("--memory-headroom-mb cannot be negative")
        }
    }

    func run() throws {
        if let replay {
            try runReplay(replay)
            return
        }
        let names = target == "all" ? FuzzTargets.names : [target]
        let targets = try names.map { name in
            guard let made = try FuzzTargets.target(named: name) else {
                throw ValidationError("unknown target \(name)")
            }
            return made
        }
        CrashReporter.install(hangSeconds: hangSeconds)
        let headroom = memoryHeadroomMb << 20
        if memoryHeadroomMb > 0, ProcessProbe.limitAddressSpace(headroomBytes: headroom) == nil {
            say("fuzz: could not cap the address space; huge allocations would go unnoticed")
        }
        let limits = FuzzLimits(slowInputSeconds: slowSeconds)
        var reports: [FuzzReport] = []
        for made in targets {
            if !json {
                say("fuzz \(made.name): seed \(seed), \(inputs) inputs; "
                    + "a crash or hang prints the input to replay")
            }
            let report = made.run(iterations: inputs, seed: seed, limits: limits)
            reports.append(report)
            json ? say(Self.jsonLine(report)) : printDetails(report)
        }
        if !json { printTable(reports) }
        if reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    private func runReplay(_ text: String) throws {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let replaySeed = UInt64(parts[0]),
              let iteration = UInt64(parts[1]) else {
            throw ValidationError("--replay takes SEED:ITERATION, like 1:4711")
        }
        guard let made = try FuzzTargets.target(named: target) else {
            throw ValidationError("unknown target \(target)")
        }
        say("fuzz \(target): replaying input \(iteration) of seed \(replaySeed)")
        let (_, outcome) = try made.replay(seed: replaySeed, iteration: iteration) { input in
            say("input: \(input)")
        }
        say("outcome: \(outcome)")
        if case .violation = outcome { throw ExitCode(1) }
    }
}

// MARK: Output

extension FuzzCommand {
    private func printDetails(_ report: FuzzReport) {
        if let setupError = report.setupError { say("  could not start: \(setupError)") }
        let shown = report.outcomes.prefix(12)
        let top = report.outcomes.count > shown.count ? ", top \(shown.count)" : ""
        say("  outcomes (\(report.outcomes.count) kinds\(top)):")
        for outcome in shown {
            let percent = Double(outcome.count) * 100 / Double(max(report.inputs, 1))
            say("    " + String(format: "%9ld %5.1f%%  ", outcome.count, percent) + outcome.label)
        }
        for violation in report.violations {
            say("  VIOLATION at input \(violation.iteration): \(violation.message)")
            say("    input: \(violation.input)")
            say("    replay: \(report.replayCommand(violation.iteration))")
        }
        if report.violationCount > report.violations.count {
            say("  … and \(report.violationCount - report.violations.count) more violations")
        }
        say(String(format: "  slowest input: %.2f ms of CPU (#%llu), %.2f ms of wall clock (#%llu)",
                   report.slowestSeconds * 1_000, report.slowestIteration,
                   report.slowestWallSeconds * 1_000, report.slowestWallIteration))
        for iteration in report.slowIterations {
            say("  SLOW input \(iteration) (over \(slowSeconds) s): "
                + report.replayCommand(iteration))
        }
        if report.memoryGrewUnbounded {
            say("  MEMORY grew from \(Self.mebibytes(report.residentBytesStart)) "
                + "to \(Self.mebibytes(report.residentBytesMax))")
        }
    }

    private func printTable(_ reports: [FuzzReport]) {
        let widths = [9, 10, 9, 10, 24, 11, 7]
        let header = ["target", "inputs", "seconds", "inputs/s", "slowest input (CPU)", "max RSS",
                      "result"]
        say(Self.row(header, widths: widths))
        for report in reports {
            let slowest = String(format: "%.2f ms (#%llu)", report.slowestSeconds * 1_000,
                                 report.slowestIteration)
            let cells = [report.target, "\(report.inputs)", String(format: "%.1f", report.seconds),
                         String(format: "%.0f", report.inputsPerSecond), slowest,
                         Self.mebibytes(report.residentBytesMax), report.passed ? "pass" : "FAIL"]
            say(Self.row(cells, widths: widths))
        }
    }

    /// Cells padded to their widths: the first left-aligned, numbers right-aligned.
    static func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let (cell, width) = pair
            let padding = String(repeating: " ", count: max(0, width - cell.count))
            return index == 0 || index >= 4 ? cell + padding : padding + cell
        }.joined(separator: "  ")
    }

    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// The report as one JSON object, with `passed` added.
    static func jsonLine(_ report: FuzzReport) -> String {
        struct Line: Encodable {
            var passed: Bool
            var report: FuzzReport
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(Line(passed: report.passed, report: report))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
