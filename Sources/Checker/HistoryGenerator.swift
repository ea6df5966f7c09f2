import Raft

/// Makes realistic linearizable histories from a seed, for benchmarks and property tests: several
/// keys, concurrent processes issuing one operation at a time with random latency, and some writes
/// whose outcome the client never learned.
public struct HistoryGenerator: Sendable {
    /// Operations to generate.
    public var operationCount = 10_000
    /// Keys the operations spread over, uniformly (`k0`, `k1`, …).
    public var keyCount = 10
    /// Clients issuing operations, one at a time each (`p1`, `p2`, …).
    public var processCount = 8
    /// Share of writes whose outcome is `unknown`; half of those took effect.
    public var unknownWritePercent = 2.0
    /// Slowest operation, in seconds (the fastest takes a tenth of it).
    public var latencyMaxSeconds = 0.020
    /// The seed: one seed, one history.
    public var seed: UInt64

    /// Creates a generator; every setting but the seed has a default.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// One planned operation: its timing and kind before the register decides its result.
    private struct Planned {
        var process: Int
        var key: Int
        var kind: Int
        var invoke: Double
        /// When it takes effect, strictly inside [invoke, complete].
        var effect: Double
        var complete: Double
        var isUnknown: Bool
        var applies: Bool
    }

    /// The history, sorted by invoke time; linearizable by construction (each operation takes
    /// effect at one instant inside its interval, on a true register).
    public func history() -> [HistoryOperation] {
        var random = SeededRandom(seed: seed)
        var planned = plan(&random)
        planned.sort { $0.effect < $1.effect }
        var values = Array(repeating: String?.none, count: max(1, keyCount))
        var written = 0
        var operations: [HistoryOperation] = []
        operations.reserveCapacity(planned.count)
        for operation in planned {
            let resolved = resolve(operation, values: &values, written: &written, random: &random)
            operations.append(resolved)
        }
        return operations.sorted { $0.invoke < $1.invoke }
    }

    /// Timings: each process waits a little, issues one operation, and waits for it (or, for an
    /// unknown outcome, gives up after a timeout) before the next.
    private func plan(_ random: inout SeededRandom) -> [Planned] {
        var clocks = Array(repeating: 0.0, count: max(1, processCount))
        var planned: [Planned] = []
        planned.reserveCapacity(operationCount)
        for _ in 0..<operationCount {
            let process = clocks.indices.min { clocks[$0] < clocks[$1] } ?? 0
            let invoke = micro(clocks[process] + random.unit() * latencyMaxSeconds / 4)
            let latency = latencyMaxSeconds * (0.1 + 0.9 * random.unit())
            let complete = micro(invoke + latency)
            let effect = invoke + (complete - invoke) * (0.05 + 0.9 * random.unit())
            let kind = Int(random.next() % 100)
            let isWrite = kind >= 50
            let isUnknown = isWrite && random.unit() * 100 < unknownWritePercent
            clocks[process] = isUnknown ? invoke + 3 * latencyMaxSeconds : complete
            let key = Int(random.next() % UInt64(max(1, keyCount)))
            let applies = !isUnknown || random.next() % 2 == 0
            planned.append(Planned(process: process, key: key, kind: kind, invoke: invoke,
                                   effect: effect, complete: complete, isUnknown: isUnknown,
                                   applies: applies))
        }
        return planned
    }

    /// The operation's record, applying it to the register at its effect time.
    private func resolve(_ planned: Planned, values: inout [String?], written: inout Int,
                         random: inout SeededRandom) -> HistoryOperation {
        let current = values[planned.key]
        var operation = HistoryOperation(process: "p\(planned.process + 1)", f: "get",
                                         key: "k\(planned.key)", invoke: planned.invoke,
                                         complete: planned.complete, outcome: .ok)
        switch planned.kind {
        case 0..<50:
            operation.value = current
        case 50..<80, 95..<100:
            written += 1
            let value = planned.kind < 80 ? "v\(written)" : nil
            operation.f = value == nil ? "del" : "put"
            operation.value = value
            if planned.applies { values[planned.key] = value }
        default:
            written += 1
            // Mostly from the current value, so many succeed; else from a value long gone.
            let stale = random.next() % 3 == 0 || current == nil
            let expected = stale ? "v\(random.next() % UInt64(written))" : current
            operation.f = "cas"
            operation.old = expected
            operation.new = "v\(written)"
            guard expected == current else {
                operation.outcome = .fail
                operation.result = "compareFailed"
                return operation
            }
            if planned.applies { values[planned.key] = operation.new }
        }
        if planned.isUnknown {
            operation.outcome = .unknown
            operation.complete = nil
        }
        return operation
    }

    /// Times are written with microsecond precision, as in the files.
    private func micro(_ seconds: Double) -> Double {
        (seconds * 1_000_000).rounded() / 1_000_000
    }
}

extension SeededRandom {
    /// A uniform double in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
