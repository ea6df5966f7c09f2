/// Settings for a check.
public struct CheckOptions: Sendable, Equatable {
    /// Search steps allowed per key before the key is reported undecided instead of hanging.
    public var stepBudgetPerKey: Int
    /// How much earlier than invoke + ttl a lease may end without it being a violation: the lock
    /// service measures leases on a clock that may lag real time by up to a heartbeat.
    public var leaseSlackSeconds: Double

    /// Creates options; the defaults check the pure model (no slack).
    public init(stepBudgetPerKey: Int = 2_000_000, leaseSlackSeconds: Double = 0) {
        self.stepBudgetPerKey = stepBudgetPerKey
        self.leaseSlackSeconds = leaseSlackSeconds
    }
}

/// Operations that no order consistent with real time and the model explains.
public struct Violation: Sendable, Equatable {
    /// Which model the operations broke.
    public enum Model: String, Sendable {
        /// The key-value store: a register per key.
        case register
        /// The lock service: one holder at a time, increasing fencing tokens.
        case lock
    }

    /// Which model the operations broke.
    public var model: Model
    /// The key or lock name.
    public var key: String
    /// The operations involved, sorted by invoke time.
    public var operations: [HistoryOperation]
    /// One sentence: what could not be explained.
    public var explanation: String
    /// The operations drawn as bars on a time axis (`Timeline`).
    public var timeline: [String]
}

/// What a check found.
public struct CheckReport: Sendable, Equatable {
    /// The overall verdict.
    public enum Verdict: String, Sendable {
        /// Every key and lock was explained.
        case linearizable
        /// Some key or lock has operations no order explains.
        case notLinearizable
        /// No violation found, but some key ran out of search budget.
        case undecided
    }

    /// The overall verdict: a violation anywhere wins over an undecided key.
    public var verdict: Verdict
    /// Operations in the history given (including those no model checks, like elections).
    public var operationCount: Int
    /// Keys and locks checked.
    public var keyCount: Int
    /// Every violation, earliest first; one per key at most.
    public var violations: [Violation]
    /// Keys whose search ran out of budget.
    public var undecidedKeys: [String]
    /// Wall-clock time the check took.
    public var elapsedMilliseconds: Double

    /// True when every key was checked and explained.
    public var isLinearizable: Bool { verdict == .linearizable }
    /// The earliest violation, if any.
    public var violation: Violation? { violations.first }

    /// What `check` prints: `linearizable: yes (N operations, K keys, T ms)`, or the verdict
    /// followed by the first violation's timeline and sentence.
    public var lines: [String] {
        let counts = "\(operationCount) operation\(operationCount == 1 ? "" : "s"), \(keyCount) "
            + "key\(keyCount == 1 ? "" : "s"), \(Int(elapsedMilliseconds.rounded())) ms"
        switch verdict {
        case .linearizable:
            return ["linearizable: yes (\(counts))"]
        case .undecided:
            return ["linearizable: undecided (\(counts)): the search gave up on "
                + undecidedKeys.map(OperationText.word).joined(separator: ", ")]
        case .notLinearizable:
            guard let violation else { return ["linearizable: NO (\(counts))"] }
            var lines = ["linearizable: NO (\(counts)): \(violation.model.rawValue) "
                + "\(OperationText.word(violation.key))"]
            lines += violation.timeline
            lines.append(violation.explanation)
            let others = violations.dropFirst().map { OperationText.word($0.key) }
            if !others.isEmpty {
                lines.append("also not explained: \(others.joined(separator: ", "))")
            }
            return lines
        }
    }
}

/// Checks client histories for linearizability against the key-value store (a register per key)
/// and the lock service. Keys and locks are independent objects, so each is checked on its own:
/// a history is linearizable exactly when every key's sub-history is (Herlihy and Wing's locality).
public enum LinearizabilityChecker {
    /// Checks `operations` (one run's history, any order).
    ///
    /// - Parameters:
    ///   - operations: the history; operations of kinds no model covers (elections) are counted and
    ///     otherwise ignored, and so are malformed ones (`HistoryOperation.problem`).
    ///   - options: the search budget and the lease slack.
    /// - Returns: the verdict, counts, and every violation with its timeline and sentence.
    public static func check(_ operations: [HistoryOperation],
                             options: CheckOptions = CheckOptions()) -> CheckReport {
        let clock = ContinuousClock()
        let started = clock.now
        let (registers, locks) = partition(operations)
        var found: [(time: Double, violation: Violation)] = []
        var undecided: [String] = []
        for key in registers.keys.sorted() {
            guard let indexes = registers[key] else { continue }
            switch checkRegister(key, indexes: indexes, in: operations, options: options) {
            case .explained: break
            case .violated(let time, let violation): found.append((time, violation))
            case .undecided: undecided.append(key)
            }
        }
        for name in locks.keys.sorted() {
            guard let indexes = locks[name] else { continue }
            let checker = LockChecker(name: name, indexes: indexes, in: operations,
                                      leaseSlackSeconds: options.leaseSlackSeconds)
            guard let finding = checker.firstFinding() else { continue }
            let violation = makeViolation(.lock, key: name, sources: finding.sources,
                                          explanation: finding.explanation, in: operations)
            found.append((finding.time, violation))
        }
        let violations = found.sorted { $0.time < $1.time }.map(\.violation)
        let verdict: CheckReport.Verdict = !violations.isEmpty ? .notLinearizable
            : undecided.isEmpty ? .linearizable : .undecided
        let elapsed = clock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000
            + Double(elapsed.components.attoseconds) / 1e15
        return CheckReport(verdict: verdict, operationCount: operations.count,
                           keyCount: registers.count + locks.count, violations: violations,
                           undecidedKeys: undecided, elapsedMilliseconds: milliseconds)
    }

    private enum KeyVerdict {
        case explained
        case violated(time: Double, Violation)
        case undecided
    }

    /// Indexes of the operations on each key of the store and on each lock.
    private static func partition(_ operations: [HistoryOperation])
        -> (registers: [String: [Int]], locks: [String: [Int]]) {
        var registers: [String: [Int]] = [:]
        var locks: [String: [Int]] = [:]
        for (index, operation) in operations.enumerated() {
            switch operation.f {
            case "put", "get", "del", "cas": registers[operation.key, default: []].append(index)
            case "lock", "unlock": locks[operation.key, default: []].append(index)
            default: break
            }
        }
        return (registers, locks)
    }

    private static func checkRegister(_ key: String, indexes: [Int],
                                      in operations: [HistoryOperation],
                                      options: CheckOptions) -> KeyVerdict {
        let register = RegisterHistory(key: key, indexes: indexes, in: operations)
        let frontier: SearchFrontier
        if let blocked = CertainViolations.firstBlocked(in: register.operations) {
            frontier = SearchFrontier(depth: 0, lastWrite: nil, state: .initial, blocked: blocked)
        } else {
            var search = LinearizationSearch(operations: register.operations,
                                             stepBudget: options.stepBudgetPerKey)
            switch search.run() {
            case .linearizable: return .explained
            case .undecided: return .undecided
            case .notLinearizable(let found): frontier = found
            }
        }
        let explanation = RegisterExplanation(register: register, history: operations,
                                              frontier: frontier)
        let (text, witnesses) = explanation.explain()
        let blocked = register.operations[frontier.blocked]
        let violation = makeViolation(.register, key: key,
                                      sources: explanation.sources(witnesses: witnesses),
                                      explanation: text, in: operations)
        return .violated(time: blocked.complete ?? blocked.invoke, violation)
    }

    private static func makeViolation(_ model: Violation.Model, key: String, sources: [Int],
                                      explanation: String,
                                      in operations: [HistoryOperation]) -> Violation {
        let involved = sources.map { operations[$0] }.sorted { $0.invoke < $1.invoke }
        return Violation(model: model, key: key, operations: involved, explanation: explanation,
                         timeline: Timeline.lines(involved))
    }
}
