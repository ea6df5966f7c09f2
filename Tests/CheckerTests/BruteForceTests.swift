import Raft
import Testing
@testable import Checker

/// The checker against the definition: try every order of a small history.
@Suite("Agreement with a brute-force search")
struct BruteForceTests {
    /// True when some order of the operations — each after every operation that completed before
    /// it was invoked, unknown ones optional, failed ones left out — is a legal register history.
    static func linearizable(_ history: [HistoryOperation]) -> Bool {
        let candidates = history.filter { $0.outcome != .fail && $0.stale != true }
        return search(remaining: candidates, value: nil, fence: nil)
    }

    private static func search(remaining: [HistoryOperation], value: String?, fence: Int?) -> Bool {
        if remaining.allSatisfy({ $0.outcome == .unknown }) { return true }
        for (position, operation) in remaining.enumerated() {
            let mustWait = remaining.contains { other in
                other.outcome != .unknown && (other.complete ?? .infinity) < operation.invoke
            }
            guard !mustWait,
                  let (newValue, newFence) = apply(operation, value: value, fence: fence) else {
                continue
            }
            var rest = remaining
            rest.remove(at: position)
            if search(remaining: rest, value: newValue, fence: newFence) { return true }
        }
        return false
    }

    private static func apply(_ operation: HistoryOperation, value: String?,
                              fence: Int?) -> (String?, Int?)? {
        switch operation.f {
        case "put":
            guard let token = operation.token else { return (operation.value, fence) }
            return token >= (fence ?? Int.min) ? (operation.value, token) : nil
        case "del": return (nil, fence)
        case "get": return operation.value == value ? (value, fence) : nil
        case "cas": return operation.old == value ? (operation.new, fence) : nil
        default: return (value, fence)
        }
    }

    /// A random history of up to seven operations on one key, on a coarse clock so that
    /// operations often touch at an instant.
    static func randomHistory(seed: UInt64) -> [HistoryOperation] {
        var random = SeededRandom(seed: seed)
        let values: [String?] = [nil, "1", "2", "3"]
        func pick() -> String? { values[Int(random.next() % 4)] }
        return (0..<Int(1 + random.next() % 7)).map { _ in
            let invoke = Double(random.next() % 7)
            let complete = invoke + Double(random.next() % 4)
            var operation = HistoryOperation(process: "p", f: "get", key: "x", invoke: invoke,
                                             complete: complete, outcome: .ok)
            switch random.next() % 4 {
            case 0: operation.value = pick()
            case 1:
                operation.f = "put"
                operation.value = pick() ?? "4"
                if random.next() % 4 == 0 { operation.token = Int(random.next() % 3) }
            case 2: operation.f = "del"
            default:
                operation.f = "cas"
                operation.old = pick() ?? "1"
                operation.new = pick() ?? "2"
            }
            switch random.next() % 8 {
            case 0: operation.outcome = .fail
            case 1 where operation.f != "get":
                operation.outcome = .unknown
                operation.complete = nil
            default: break
            }
            return operation
        }
    }

    @Test("the checker's verdict is the brute-force verdict on small random histories")
    func agrees() {
        var refused = 0
        for seed in UInt64(1)...10_000 {
            let history = Self.randomHistory(seed: seed)
            let expected = Self.linearizable(history)
            let report = LinearizabilityChecker.check(history)
            if !expected { refused += 1 }
            let text = LinearizabilityChecker.text(report)
            #expect(report.isLinearizable == expected,
                    "seed \(seed): brute force says \(expected)\n\(text)")
            if report.isLinearizable != expected { return }
        }
        // Both kinds of history occur, so the comparison means something.
        #expect(refused > 1_000 && refused < 9_000, "refused \(refused) of 10000")
    }
}
