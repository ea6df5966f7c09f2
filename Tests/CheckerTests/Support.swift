@testable import Checker

/// Short constructors for hand-made histories: times in seconds; a nil `complete` makes the
/// outcome `unknown`.
enum Make {
    typealias Outcome = HistoryOperation.Outcome

    static func put(_ process: String, _ key: String, _ value: String, _ invoke: Double,
                    _ complete: Double?, fence: Int? = nil,
                    outcome: Outcome? = nil) -> HistoryOperation {
        HistoryOperation(process: process, f: "put", key: key, value: value, invoke: invoke,
                         complete: complete, outcome: outcome ?? ending(complete), token: fence)
    }

    static func get(_ process: String, _ key: String, _ value: String?, _ invoke: Double,
                    _ complete: Double, stale: Bool? = nil,
                    outcome: Outcome = .ok) -> HistoryOperation {
        HistoryOperation(process: process, f: "get", key: key, value: value, invoke: invoke,
                         complete: complete, outcome: outcome, stale: stale)
    }

    static func del(_ process: String, _ key: String, _ invoke: Double,
                    _ complete: Double?) -> HistoryOperation {
        HistoryOperation(process: process, f: "del", key: key, invoke: invoke, complete: complete,
                         outcome: ending(complete))
    }

    static func cas(_ process: String, _ key: String, _ old: String, _ new: String,
                    _ invoke: Double, _ complete: Double?,
                    outcome: Outcome? = nil) -> HistoryOperation {
        HistoryOperation(process: process, f: "cas", key: key, old: old, new: new, invoke: invoke,
                         complete: complete, outcome: outcome ?? ending(complete))
    }

    /// An acquire answered `granted` with `token` (ttl in seconds).
    static func lock(_ process: String, _ name: String, token: Int, ttl: Double = 10,
                     _ invoke: Double, _ complete: Double) -> HistoryOperation {
        HistoryOperation(process: process, f: "lock", key: name, new: "granted, token \(token)",
                         invoke: invoke, complete: complete, outcome: .ok, token: token,
                         ttlMs: Int(ttl * 1000), result: "granted")
    }

    /// An acquire answered `queued` (ttl in seconds).
    static func queued(_ process: String, _ name: String, ttl: Double = 10, _ invoke: Double,
                       _ complete: Double) -> HistoryOperation {
        HistoryOperation(process: process, f: "lock", key: name, new: "queued at 1", invoke: invoke,
                         complete: complete, outcome: .ok, ttlMs: Int(ttl * 1000),
                         result: "queued")
    }

    /// An unlock; a nil `complete` makes it unknown.
    static func unlock(_ process: String, _ name: String, _ invoke: Double, _ complete: Double?,
                       result: String = "released") -> HistoryOperation {
        let answer = complete == nil ? nil : result
        return HistoryOperation(process: process, f: "unlock", key: name, new: answer,
                                invoke: invoke, complete: complete, outcome: ending(complete),
                                result: answer)
    }

    private static func ending(_ complete: Double?) -> Outcome {
        complete == nil ? .unknown : .ok
    }
}

extension LinearizabilityChecker {
    /// The report's lines joined, for failure messages.
    static func text(_ report: CheckReport) -> String {
        report.lines.joined(separator: "\n")
    }
}
