import Checker
import Foundation
import NIOCore
import Services
import Wire


extension HistoryRecord {
    /// One JSON line (keys sorted, nulls written out so every line has every field); strings as
    /// Foundation's coder escapes them.
    public var jsonLine: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// `jsonLine`'s bytes, appended in place: a drill writes one per operation, and building it
    /// as a string took more than any other part of a history line's way to the file.
    var jsonBytes: [UInt8] {
        var line = JSONLine(escapingSlashes: true, writesNulls: true, capacity: 224)
        line.raw("complete", complete.map(Self.sixDecimals))
        line.string("f", f)
        line.raw("invoke", Self.sixDecimals(invoke))
        line.string("key", key)
        line.string("new", new)
        line.string("old", old)
        line.string("outcome", outcome.rawValue)
        line.string("process", process)
        line.string("result", result)
        line.bool("stale", stale)
        line.integer("token", token)
        line.integer("ttl", ttlMs)
        line.string("value", value)
        return line.finish()
    }

    /// `String(format: "%.6f", seconds)`, without Foundation's formatter for the times a run
    /// records (whole microseconds, where rounding cannot differ); anything else goes to it.
    static func sixDecimals(_ seconds: Double) -> String {
        let scaled = seconds * 1_000_000
        let micros = scaled.rounded()
        guard seconds >= 0, scaled < 1e15, abs(scaled - micros) < 0.25 else {
            return String(format: "%.6f", seconds)
        }
        let whole = Int(micros) / 1_000_000
        let fraction = String(Int(micros) % 1_000_000)
        return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}

// MARK: Filling a record

extension HistoryRecord {
    /// Copies what was asked: key, values, fence, lease, and whether a read was a stale one.
    mutating func describe(_ operation: ClientOperation) {
        switch operation {
        case .write(.put(let key, let value, let fence)):
            self.key = key
            self.value = value
            token = fence
        case .write(.delete(let key)):
            self.key = key
        case .write(.compareAndSwap(let key, let old, let new)):
            self.key = key
            self.old = old
            self.new = new
        case .read(let key), .staleRead(let key, _):
            self.key = key
            if case .staleRead = operation { stale = true } else { stale = false }
        case .service(.lock(.acquire(let lock, _, let ttlMs))):
            key = lock
            self.ttlMs = ttlMs
        case .service(.lock(.release(let lock, _))):
            key = lock
        case .service(.election(.campaign(let name, _, let value, let ttlMs))):
            key = name
            self.value = value
            self.ttlMs = ttlMs
        case .service(.election(.resign(let name, _))):
            key = name
        case .service(.renew), .service(.clock), .service(.kv):
            break
        }
    }

    /// Copies how it ended: the value read, the service's result and token, or the failure.
    mutating func note(_ ending: ClientOutcome, of operation: ClientOperation) {
        switch ending {
        case .ok(let value):
            switch operation {
            case .read, .staleRead: self.value = value
            // What the write replaced, as the answer says: the exactly-once check reads it (the
            // history file leaves it out, as docs/HISTORY.md says).
            case .write: previous = value
            case .service: break
            }
        case .result(let commandResult):
            new = commandResult.description
            result = commandResult.name
            if case .granted(let granted) = commandResult { token = granted }
        case .compareFailed:
            outcome = .fail
            result = "compareFailed"
        case .failed(let reason):
            outcome = .fail
            // The node reports these refusals as text (`fenced: token lower than 2`).
            result = Self.refusals.first { reason.hasPrefix($0.prefix) }?.name
        case .unknown:
            outcome = .unknown
            complete = nil
        }
    }

    private static let refusals: [(prefix: String, name: String)] = [
        ("fenced:", "fenced"), ("too many", "tooMany"), ("invalid:", "invalid"),
    ]
}

// MARK: `check`

extension ClusterEngine {
    /// Service time may lag real time by up to a heartbeat and a tick when a lease starts (the
    /// leader proposes clock entries once a heartbeat), so a lease may end that much before
    /// invoke + ttl. The pace may have been slower earlier in the run: allow at least teach's.
    static func leaseSlackSeconds(_ timing: Timing) -> Double {
        Double(max(timing.heartbeatMs, Timing.teach.heartbeatMs) + 2 * timing.tickMs) / 1000
    }
}

/// Appends history records to a JSON-lines file and keeps them in memory, up to a limit: a long
/// run (a soak) must not grow the console without bound; the file keeps everything.
public final class HistoryLog {
    public private(set) var records: [HistoryRecord] = []
    /// Records no longer in memory (the oldest), because of `memoryLimit`.
    public private(set) var forgottenCount = 0
    public let path: String?
    private let file: FileHandle?
    private let memoryLimit: Int
    /// Lines not yet written.
    private var batch = LineBatch()

    /// Writes to `path` (nil: memory only), keeping at most `memoryLimit` records in memory.
    public init(path: String?, memoryLimit: Int = .max) {
        self.path = path
        self.memoryLimit = max(1, memoryLimit)
        if let path, FileManager.default.createFile(atPath: path, contents: nil) {
            file = FileHandle(forWritingAtPath: path)
        } else {
            file = nil
        }
    }

    /// Keeps `record` and writes its line.
    public func append(_ record: HistoryRecord) {
        records.append(record)
        if records.count > memoryLimit {
            // Halve rather than drop one at a time: removing from the front is O(n).
            let excess = records.count - memoryLimit / 2
            records.removeFirst(excess)
            forgottenCount += excess
        }
        guard let file else { return }
        batch.add(record.jsonBytes, atSeconds: record.complete ?? record.invoke, to: file)
    }

    /// Writes the lines held back so far.
    func flush() {
        guard let file else { return }
        batch.write(to: file)
    }

    /// Writes what is held back and closes the file.
    public func close() {
        flush()
        try? file?.close()
    }
}
