/// A retried write applies once: checked from what each acknowledged write replaced (its
/// `previous`). In one linear order every write replaces exactly the value just before it, so a
/// value written once can be replaced once: a write that replaced its own value, or a value that
/// two writes replaced, was applied twice. Only values written once in the history count, so a
/// history that writes the same value twice (a person at the console) is never flagged.
public enum ExactlyOnceChecker {
    /// A write that applied twice, and the operations that show it.
    public struct Finding: Sendable, Equatable {
        /// The key.
        public var key: String
        /// The operations involved, sorted by invoke time.
        public var operations: [HistoryOperation]
        /// One sentence: what shows the double application.
        public var explanation: String
        /// When the later of the operations completed (seconds).
        public var time: Double
    }

    /// The earliest finding in `operations`, or nil.
    public static func firstFinding(in operations: [HistoryOperation]) -> Finding? {
        let writtenOnce = valuesWrittenOnce(in: operations)
        var replacedBy: [Pair: HistoryOperation] = [:]
        var findings: [Finding] = []
        for operation in operations where operation.outcome == .ok && isWrite(operation) {
            guard let previous = operation.previous,
                  writtenOnce.contains(Pair(key: operation.key, value: previous)) else { continue }
            if written(by: operation) == previous {
                findings.append(Finding(
                    key: operation.key, operations: [operation],
                    explanation: "\(operation.process)'s \(operation.f) of \(operation.key)=\(previous) "
                        + "replaced its own value: it applied twice",
                    time: operation.complete ?? operation.invoke))
                continue
            }
            let pair = Pair(key: operation.key, value: previous)
            guard let earlier = replacedBy[pair] else {
                replacedBy[pair] = operation
                continue
            }
            let involved = [earlier, operation].sorted { $0.invoke < $1.invoke }
            findings.append(Finding(
                key: operation.key, operations: involved,
                explanation: "\(operation.key)=\(previous) was replaced twice (by \(earlier.process)'s "
                    + "\(earlier.f) and by \(operation.process)'s \(operation.f)), but written once: "
                    + "that write applied twice",
                time: max(earlier.complete ?? earlier.invoke, operation.complete ?? operation.invoke)))
        }
        return findings.min { $0.time < $1.time }
    }

    private struct Pair: Hashable {
        var key: String
        var value: String
    }

    private static func isWrite(_ operation: HistoryOperation) -> Bool {
        ["put", "del", "cas"].contains(operation.f)
    }

    /// The value a write sets: put's value, cas's new value, nothing for del.
    private static func written(by operation: HistoryOperation) -> String? {
        switch operation.f {
        case "put": operation.value
        case "cas": operation.new
        default: nil
        }
    }

    /// Key–value pairs that exactly one operation (of any outcome but fail) tried to write.
    private static func valuesWrittenOnce(in operations: [HistoryOperation]) -> Set<Pair> {
        var counts: [Pair: Int] = [:]
        for operation in operations where operation.outcome != .fail {
            guard let value = written(by: operation) else { continue }
            counts[Pair(key: operation.key, value: value), default: 0] += 1
        }
        return Set(counts.filter { $0.value == 1 }.keys)
    }
}
