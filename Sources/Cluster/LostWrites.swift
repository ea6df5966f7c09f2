import ClusterAPI
import Synchronization

/// Jepsen's count of lost writes (as on Redis): clients write unique values to keys nobody writes
/// again, the drill remembers which writes were acknowledged, and after healing reads each key once
/// more. An acknowledged write whose value is not in the final state was lost.
public struct LostWrites: Sendable, Equatable {
    /// One acknowledged write: its key and value.
    public struct Write: Sendable, Equatable {
        public var key: String
        public var value: String
    }

    /// Writes acknowledged to a client.
    public var acknowledged: Int
    /// Acknowledged writes missing from the final state, in the order they were acknowledged.
    public var lost: [Write]
    /// Acknowledged writes whose final read got no answer (neither lost nor kept, as far as known).
    public var unread: Int

    /// The line drills print on either protocol: `lost acknowledged writes: N (of M acknowledged)`.
    public var line: String { "lost acknowledged writes: \(lost.count) (of \(acknowledged) acknowledged)" }

    /// A few lost writes as examples.
    public var examples: [String] {
        lost.prefix(5).map { "  lost: put \($0.key)=\($0.value) was acknowledged; final read: none" }
    }
}

/// The acknowledged unique writes of a running drill, shared by its clients.
final class AcknowledgedWrites: Sendable {
    private let writes = Mutex<[LostWrites.Write]>([])

    func append(key: String, value: String) {
        writes.withLock { $0.append(LostWrites.Write(key: key, value: value)) }
    }

    var all: [LostWrites.Write] { writes.withLock { $0 } }
}

/// Write throughput and latency, from a drill's history: acknowledged puts of any key, in the
/// benches' histogram (HdrHistogram, microseconds, three significant digits).
public struct WriteLatency: Sendable, Equatable {
    public var acknowledged: Int
    public var perSecond: Double
    public var p50Ms: Double
    public var p99Ms: Double

    /// - Parameter seconds: how long the clients ran.
    init(history: [HistoryRecord], seconds: Double) {
        var histogram = makeLatencyHistogram()
        for record in history where record.f == "put" && record.outcome == .ok {
            guard let complete = record.complete else { continue }
            _ = histogram.record(UInt64(max(0, (complete - record.invoke) * 1_000_000).rounded()))
        }
        let summary = LatencySummary(histogram)
        acknowledged = Int(summary.count)
        perSecond = seconds > 0 ? Double(acknowledged) / seconds : 0
        p50Ms = summary.p50Ms
        p99Ms = summary.p99Ms
    }

    /// One line for the report.
    public var line: String {
        "writes: \(acknowledged) acknowledged (\(Int(perSecond.rounded()))/s), latency p50 "
            + "\(Self.milliseconds(p50Ms)) ms, p99 \(Self.milliseconds(p99Ms)) ms"
    }

    private static func milliseconds(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }
}
