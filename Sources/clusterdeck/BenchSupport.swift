import ArgumentParser
import Cluster
import CommandLanguage
import Foundation
import Histogram

#if canImport(Glibc)
import Glibc
#endif

// Shared pieces of the `bench` subcommands: time, percentiles, output, progress.

/// The monotonic clock, in nanoseconds (cheap enough to read twice per operation).
enum MonotonicTime {
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func seconds(since start: UInt64) -> Double {
        Double(nanoseconds() - start) / 1e9
    }
}

/// A latency histogram in microseconds: up to 10 minutes, 3 significant digits.
func makeLatencyHistogram() -> Histogram<UInt64> {
    Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
}

/// Percentiles of one histogram of microseconds, in milliseconds.
struct LatencySummary: Codable, Sendable {
    var count: UInt64
    var p50Ms: Double
    var p90Ms: Double
    var p99Ms: Double
    var maxMs: Double
    var meanMs: Double

    init(_ histogram: Histogram<UInt64>) {
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
    static func round(_ value: Double) -> Double { (value * 1_000).rounded() / 1_000 }

    enum CodingKeys: String, CodingKey {
        case count, p50Ms = "p50_ms", p90Ms = "p90_ms", p99Ms = "p99_ms", maxMs = "max_ms"
        case meanMs = "mean_ms"
    }
}

/// Output of the bench commands: one JSON object on standard output, or lines of a table.
enum BenchOutput {
    static func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        say(String(decoding: data, as: UTF8.self))
    }

    /// Rows of cells, left-aligned first column, the others right-aligned.
    static func table(_ rows: [[String]]) {
        guard let columns = rows.map(\.count).max() else { return }
        let widths = (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }
            say("  " + cells.joined(separator: "   "))
        }
    }

    static func number(_ value: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func integer(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value.rounded())) ?? "\(Int(value))"
    }
}

/// Progress lines on standard error, so standard output stays one table or one JSON object.
enum Progress {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("bench: \(text)\n".utf8))
    }
}

/// Which system a benchmark measures.
enum BenchTarget: String, ExpressibleByArgument, CaseIterable, Codable, Sendable {
    case clusterdeck, etcd
}

/// Starting ClusterDeck clusters the way every bench does: real pace, durable writes.
enum BenchCluster {
    /// Applied entries between snapshots: etcd's default (`--snapshot-count` 100,000). A snapshot
    /// serializes the whole store on every node at the same index, so the console's default
    /// (1,000, to show InstallSnapshot in lessons) would stall the cluster several times a second
    /// under load, rewriting 16,000 keys each time.
    static let snapshotEvery = 100_000

    static func options(nodes: Int) throws -> ClusterOptions {
        var options = ClusterOptions(executablePath: try ExecutablePath.current())
        options.nodeCount = nodes
        options.timing = .real
        options.fsync = true
        options.snapshotEvery = snapshotEvery
        options.runKind = .bench
        return options
    }

    /// Starts a cluster and waits until it has a leader; shuts it down again if none comes.
    static func start(nodes: Int) async throws -> LocalCluster {
        let cluster = try LocalCluster(options: try options(nodes: nodes))
        do {
            try await cluster.start()
            let output = await cluster.execute(.waitLeader(withinMs: 10_000))
            guard output.ok else { throw ClusterError(output.lines.joined(separator: " ")) }
        } catch {
            await cluster.shutdown()
            throw error
        }
        return cluster
    }
}

/// Errors a benchmark reports in words.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
