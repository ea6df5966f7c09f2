import Histogram

/// A latency histogram in microseconds: up to 10 minutes, 3 significant digits (the benches' and
/// the drill's).
public func makeLatencyHistogram() -> Histogram<UInt64> {
    Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
}

/// Percentiles of one histogram of microseconds, in milliseconds.
public struct LatencySummary: Codable, Sendable {
    public var count: UInt64
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var meanMs: Double

    public init(_ histogram: Histogram<UInt64>) {
        func ms(_ microseconds: UInt64) -> Double { Self.round(Double(microseconds) / 1_000) }
        count = histogram.totalCount
        let empty = histogram.totalCount == 0
        p50Ms = empty ? 0 : ms(histogram.valueAtPercentile(50))
        p90Ms = empty ? 0 : ms(histogram.valueAtPercentile(90))
        p99Ms = empty ? 0 : ms(histogram.valueAtPercentile(99))
        maxMs = empty ? 0 : ms(histogram.max)
        meanMs = empty ? 0 : Self.round(histogram.mean / 1_000)
    }

    /// Milliseconds to three decimals: microsecond resolution, no more.
    public static func round(_ value: Double) -> Double { (value * 1_000).rounded() / 1_000 }

    enum CodingKeys: String, CodingKey {
        case count, p50Ms = "p50_ms", p90Ms = "p90_ms", p99Ms = "p99_ms", maxMs = "max_ms"
        case meanMs = "mean_ms"
    }
}
