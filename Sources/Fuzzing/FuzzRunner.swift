/// What a run of one target found.
public struct FuzzReport: Codable, Sendable, Equatable {
    /// One input that broke a property, kept with what is needed to see and replay it.
    public struct Violation: Codable, Sendable, Equatable {
        public var iteration: UInt64
        public var message: String
        /// The input, escaped and shortened.
        public var input: String
    }

    /// How often one kind of outcome occurred.
    public struct OutcomeCount: Codable, Sendable, Equatable {
        public var label: String
        public var count: Int
    }

    public var target: String
    public var seed: UInt64
    public var inputs: Int
    public var seconds: Double
    public var inputsPerSecond: Double
    /// The largest input, in bytes.
    public var maximumInputBytes: Int
    /// The slowest input and the CPU time it took (the fuzzing thread's, so that a busy
    /// machine does not make a fast input look slow).
    public var slowestIteration: UInt64
    public var slowestSeconds: Double
    /// The slowest input by the wall clock, waiting for a core included.
    public var slowestWallIteration: UInt64
    public var slowestWallSeconds: Double
    /// Inputs slower than `FuzzLimits.slowInputSeconds` (each is a failure), and the first few.
    public var slowInputs: Int
    public var slowIterations: [UInt64]
    /// Outcome kinds, most frequent first; `(other kinds)` collects those past the first 200.
    public var outcomes: [OutcomeCount]
    public var violationCount: Int
    /// The first `FuzzLimits.violationsKept` violations.
    public var violations: [Violation]
    /// Resident memory before the first input and the most seen during the run (sampled).
    public var residentBytesStart: Int
    public var residentBytesMax: Int
    /// Why the run could not start (a target's files could not be set up), or nil.
    public var setupError: String?
    /// True when memory grew by more than `FuzzLimits.residentGrowthBytes`.
    public var memoryGrewUnbounded: Bool

    /// No violation, no slow input, memory bounded, and the run started.
    public var passed: Bool {
        setupError == nil && violationCount == 0 && slowInputs == 0 && !memoryGrewUnbounded
    }

    /// The command that replays input `iteration` of this run.
    public func replayCommand(_ iteration: UInt64) -> String {
        "clusterdeck fuzz \(target) --replay \(seed):\(iteration)"
    }
}

/// Runs a target's inputs one after another, timing each, and tallies the outcomes.
struct FuzzRunner<Target: FuzzTarget> {
    let target: Target
    let seed: UInt64
    let limits: FuzzLimits
    private var report: FuzzReport
    private var outcomeCounts: [String: Int] = [:]
    private static var distinctOutcomesMax: Int { 200 }
    private static var otherOutcomes: String { "(other kinds)" }
    /// Memory is sampled every this many inputs: reading /proc costs a few microseconds.
    private static var samplingInterval: Int { 1024 }

    init(target: Target, seed: UInt64, limits: FuzzLimits) {
        self.target = target
        self.seed = seed
        self.limits = limits
        let resident = ProcessProbe.residentBytes() ?? 0
        report = FuzzReport(
            target: target.name, seed: seed, inputs: 0, seconds: 0, inputsPerSecond: 0,
            maximumInputBytes: 0, slowestIteration: 0, slowestSeconds: 0,
            slowestWallIteration: 0, slowestWallSeconds: 0, slowInputs: 0,
            slowIterations: [], outcomes: [], violationCount: 0, violations: [],
            residentBytesStart: resident, residentBytesMax: resident, setupError: nil,
            memoryGrewUnbounded: false)
    }

    mutating func run(iterations: Int) -> FuzzReport {
        do {
            try target.prepare()
        } catch {
            report.setupError = "\(error)"
            return report
        }
        defer { target.finish() }
        CrashReporter.begin(target: target.name, seed: seed)
        defer { CrashReporter.idle() }
        let start = ProcessProbe.nowNanoseconds()
        for iteration in 0..<UInt64(max(iterations, 0)) {
            runOne(iteration)
            if iteration % UInt64(Self.samplingInterval) == 0 { sampleMemory() }
        }
        sampleMemory()
        report.inputs = max(iterations, 0)
        report.seconds = Double(ProcessProbe.nowNanoseconds() - start) / 1e9
        report.inputsPerSecond = report.seconds > 0 ? Double(report.inputs) / report.seconds : 0
        report.outcomes = outcomeCounts
            .map { FuzzReport.OutcomeCount(label: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.label) > ($1.count, $0.label) }
        let growth = report.residentBytesMax - report.residentBytesStart
        report.memoryGrewUnbounded = growth > limits.residentGrowthBytes
        return report
    }

    private mutating func runOne(_ iteration: UInt64) {
        CrashReporter.inputMade(iteration)
        var random = FuzzRandom.forInput(seed: seed, iteration: iteration)
        let input = target.makeInput(using: &random)
        report.maximumInputBytes = max(report.maximumInputBytes, target.size(of: input))
        let started = ProcessProbe.nowNanoseconds()
        let startedCPU = ProcessProbe.threadCPUNanoseconds()
        CrashReporter.inputStarts(at: started)
        let outcome = target.run(input)
        let seconds = Double(ProcessProbe.threadCPUNanoseconds() - startedCPU) / 1e9
        let wallSeconds = Double(ProcessProbe.nowNanoseconds() - started) / 1e9
        if wallSeconds > report.slowestWallSeconds {
            report.slowestWallSeconds = wallSeconds
            report.slowestWallIteration = iteration
        }
        if seconds > report.slowestSeconds {
            report.slowestSeconds = seconds
            report.slowestIteration = iteration
        }
        if seconds > limits.slowInputSeconds {
            report.slowInputs += 1
            if report.slowIterations.count < limits.violationsKept {
                report.slowIterations.append(iteration)
            }
        }
        count(outcome.label)
        if case .violation(let message) = outcome {
            report.violationCount += 1
            if report.violations.count < limits.violationsKept {
                let violation = FuzzReport.Violation(
                    iteration: iteration, message: message, input: target.describe(input))
                report.violations.append(violation)
            }
        }
    }

    private mutating func count(_ label: String) {
        if outcomeCounts[label] == nil, outcomeCounts.count >= Self.distinctOutcomesMax {
            outcomeCounts[Self.otherOutcomes, default: 0] += 1
        } else {
            outcomeCounts[label, default: 0] += 1
        }
    }

    private mutating func sampleMemory() {
        guard let resident = ProcessProbe.residentBytes() else { return }
        report.residentBytesMax = max(report.residentBytesMax, resident)
    }
}
