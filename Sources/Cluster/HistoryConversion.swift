import Checker
import ClusterAPI

// The one place where the front ends' history record and the checker's operation meet. Both are a
// line of docs/HISTORY.md with the same fields; the checker stays free of front-end types (it is
// standard library only), so Cluster, which knows both, converts. ClusterTests check the round trip
// and that both encode to the same JSON.

extension HistoryOperation {
    /// The operation the checker reads for a record the console kept.
    public init(_ record: HistoryRecord) {
        self.init(process: record.process, f: record.f, key: record.key, value: record.value, old: record.old,
                  new: record.new, invoke: record.invoke, complete: record.complete,
                  outcome: Outcome(record.outcome), token: record.token, ttlMs: record.ttlMs,
                  result: record.result, stale: record.stale, previous: record.previous)
    }
}

extension HistoryOperation.Outcome {
    /// The checker's outcome for a record's.
    public init(_ outcome: HistoryRecord.Outcome) {
        switch outcome {
        case .ok: self = .ok
        case .fail: self = .fail
        case .unknown: self = .unknown
        }
    }
}

extension HistoryRecord {
    /// The record for an operation the checker read (a history file, a simulated client's).
    public init(_ operation: HistoryOperation) {
        self.init(process: operation.process, f: operation.f, key: operation.key, value: operation.value,
                  old: operation.old, new: operation.new, invoke: operation.invoke, complete: operation.complete,
                  outcome: Outcome(operation.outcome), token: operation.token, ttlMs: operation.ttlMs,
                  result: operation.result, stale: operation.stale, previous: operation.previous)
    }
}

extension HistoryRecord.Outcome {
    /// A record's outcome for the checker's.
    public init(_ outcome: HistoryOperation.Outcome) {
        switch outcome {
        case .ok: self = .ok
        case .fail: self = .fail
        case .unknown: self = .unknown
        }
    }
}
