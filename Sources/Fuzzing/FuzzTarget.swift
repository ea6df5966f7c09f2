/// What one input did to the code under test.
public enum FuzzOutcome: Sendable, Equatable {
    /// Accepted. `label` names the kind of result ("peer", "put", "recovered").
    case accepted(String)
    /// Refused with a clear error. `label` is the error with its numbers and quoted parts blanked,
    /// so that "length 7 runs past the end" and "length 9 runs past the end" count as one kind.
    case refused(String)
    /// A property that must hold did not: the code under test has a bug (or the oracle does).
    case violation(String)

    /// The label runs count outcomes by, normalized (see `OutcomeLabel`).
    public var label: String {
        switch self {
        case .accepted(let label): "ok: " + OutcomeLabel.normalize(label)
        case .refused(let label): "error: " + OutcomeLabel.normalize(label)
        case .violation(let message): "VIOLATION: " + OutcomeLabel.normalize(message)
        }
    }
}

/// One kind of input fed to one piece of code under test.
///
/// A target makes each input from a generator seeded for that input alone (generation from
/// scratch, or a mutation of a valid sample), runs it, and checks what must hold whatever the
/// input: a clear error or a consistent result. A crash cannot be returned; it kills the process,
/// and `CrashReporter` prints the input to replay before it does.
public protocol FuzzTarget: Sendable {
    associatedtype Input

    /// The name `clusterdeck fuzz NAME` takes.
    var name: String { get }

    /// Builds input number `iteration` from its generator.
    func makeInput(using random: inout FuzzRandom) -> Input

    /// Feeds `input` to the code under test and checks the properties.
    func run(_ input: Input) -> FuzzOutcome

    /// The input's size in bytes, for the report.
    func size(of input: Input) -> Int

    /// A readable rendering of the input (escaped, shortened), for a replay.
    func describe(_ input: Input) -> String

    /// Called once before a run's first input (set up files) and once after its last.
    func prepare() throws
    func finish()
}

extension FuzzTarget {
    public func prepare() throws {}
    public func finish() {}

    /// Runs `iterations` inputs of seed `seed` and reports what happened.
    /// - Parameters:
    ///   - iterations: how many inputs, numbered 0..<iterations.
    ///   - seed: the run's seed; input i is a function of (seed, i) only.
    ///   - limits: when an input counts as slow, how much memory may grow.
    /// - Returns: the counts, the slowest input, memory and every violation (the first few kept
    ///   in full).
    public func run(
        iterations: Int, seed: UInt64, limits: FuzzLimits = FuzzLimits()
    ) -> FuzzReport {
        var runner = FuzzRunner(target: self, seed: seed, limits: limits)
        return runner.run(iterations: iterations)
    }

    /// Rebuilds and runs the single input `iteration` of `seed`.
    /// - Parameters:
    ///   - seed: the run's seed.
    ///   - iteration: the input's number.
    ///   - announce: gets the input's rendering before it runs (it may crash the process).
    /// - Returns: the input's rendering and its outcome.
    public func replay(
        seed: UInt64, iteration: UInt64, announce: (String) -> Void = { _ in }
    ) throws -> (input: String, outcome: FuzzOutcome) {
        try prepare()
        defer { finish() }
        var random = FuzzRandom.forInput(seed: seed, iteration: iteration)
        let input = makeInput(using: &random)
        let rendering = describe(input)
        announce(rendering)
        return (rendering, run(input))
    }
}

/// When a run fails for reasons other than a violation.
public struct FuzzLimits: Sendable {
    /// An input that takes more CPU time than this is a failure (a hang in the making). CPU
    /// time, not wall time: on a shared machine a trivial input can wait half a second for a
    /// core. An input blocked without using CPU is the watchdog's (`CrashReporter`).
    public var slowInputSeconds: Double
    /// Resident memory may grow by this much over a run before it counts as unbounded.
    public var residentGrowthBytes: Int
    /// Violations kept with their input rendered; later ones are only counted.
    public var violationsKept: Int

    /// Limits for a run.
    public init(slowInputSeconds: Double = 1, residentGrowthBytes: Int = 512 << 20,
                violationsKept: Int = 10) {
        self.slowInputSeconds = slowInputSeconds
        self.residentGrowthBytes = residentGrowthBytes
        self.violationsKept = violationsKept
    }
}

/// Turns error messages into outcome labels: numbers become N, quoted text becomes …, and the
/// label is cut short, so that a run reports a few dozen kinds rather than a million messages.
public enum OutcomeLabel {
    /// The longest label, in characters.
    public static let maximumLength = 60

    /// `message` with digit runs as N, quoted and backquoted parts as …, cut to `maximumLength`.
    public static func normalize(_ message: String) -> String {
        var label = ""
        var quote: Character?
        var inNumber = false
        for character in message {
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            // Hex digits and the x of 0x stay in a number: every checksum is one kind.
            let continuesNumber = inNumber && (character.isHexDigit || character == "x")
            if character.isNumber || continuesNumber {
                if !inNumber { label += "N" }
                inNumber = true
                continue
            }
            inNumber = false
            if character == "\"" || character == "`" {
                quote = character
                label += "…"
            } else {
                label.append(character.isNewline ? " " : character)
            }
            if label.count >= maximumLength { break }
        }
        return String(label.prefix(maximumLength))
    }
}
