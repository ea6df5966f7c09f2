import Cluster
import Foundation
import Histogram
import NIOCore

/// A system the load generator writes to. Both back ends — ClusterDeck through its client API and
/// etcd through its HTTP/JSON gateway — see exactly the same calls, made on `eventLoop`, so a
/// write's completion issues the client's next write without a thread hop in either.
protocol KeyValueTarget: Sendable {
    /// Where the target's work happens; the generator calls `put` only there.
    var eventLoop: any EventLoop { get }

    /// Writes `value` under `key` for load client `client` (0-based, below the client count). The
    /// future succeeds once the system acknowledged the write: after a majority made it durable.
    func put(client: Int, key: String, value: String) -> EventLoopFuture<Void>
}

/// What one load run does.
public struct LoadSpec: Sendable, Codable {
    public var clients: Int
    public var durationSeconds: Double
    public var valueSize: Int
    /// Keys cycle through `key-<client>-<n % keysPerClient>`.
    public var keysPerClient = 1_000

    public init(clients: Int, durationSeconds: Double, valueSize: Int) {
        self.clients = clients
        self.durationSeconds = durationSeconds
        self.valueSize = valueSize
    }

    enum CodingKeys: String, CodingKey {
        case clients, durationSeconds = "duration_s", valueSize = "value_size"
        case keysPerClient = "keys_per_client"
    }
}

/// What one load run measured.
struct LoadResult: Sendable {
    var operations = 0
    var errors = 0
    var elapsedSeconds = 0.0
    var latency = makeLatencyHistogram()
    var lastError: String?

    var throughput: Double { elapsedSeconds > 0 ? Double(operations) / elapsedSeconds : 0 }
}

/// Closed-loop clients: each writes, waits for the acknowledgement, writes again, for a fixed time.
enum LoadGenerator {
    /// Runs `spec` against `target`: a warm-up whose operations are not counted, then the
    /// measured run, with a progress line on standard error every five seconds.
    static func run(_ target: some KeyValueTarget, _ spec: LoadSpec, warmupSeconds: Double,
                    label: String) async throws -> LoadResult {
        if warmupSeconds > 0 {
            var warmup = spec
            warmup.durationSeconds = warmupSeconds
            _ = try await measure(target, warmup, label: nil)
        }
        let result = try await measure(target, spec, label: label)
        if let lastError = result.lastError {
            Progress.note("\(label): \(result.errors) writes failed; the last: \(lastError)")
        }
        return result
    }

    private static func measure(_ target: some KeyValueTarget, _ spec: LoadSpec,
                                label: String?) async throws -> LoadResult {
        let loop = target.eventLoop
        let promise = loop.makePromise(of: LoadResult.self)
        try await loop.submit {
            let run = LoadRun(target: target, spec: spec, label: label, promise: promise)
            run.start()
        }.get()
        return try await promise.futureResult.get()
    }

    /// The same bytes for both systems: printable, so both carry it as is (etcd as base64).
    static func value(client: Int, size: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<size).map { alphabet[($0 + client) % alphabet.count] })
    }
}

/// One load run, living on the target's event loop: every client's next write is issued from the
/// completion of its previous one.
final class LoadRun<Target: KeyValueTarget> {
    private let target: Target
    private let spec: LoadSpec
    private let label: String?
    private let promise: EventLoopPromise<LoadResult>
    private let values: [String]
    private var result = LoadResult()
    private var startedAt: UInt64 = 0
    private var deadline: UInt64 = 0
    private var running = 0
    private var progress: RepeatedTask?

    init(target: Target, spec: LoadSpec, label: String?, promise: EventLoopPromise<LoadResult>) {
        self.target = target
        self.spec = spec
        self.label = label
        self.promise = promise
        values = (0..<spec.clients).map { LoadGenerator.value(client: $0, size: spec.valueSize) }
    }

    private var loop: any EventLoop { target.eventLoop }

    func start() {
        startedAt = MonotonicTime.nanoseconds()
        deadline = startedAt + UInt64(spec.durationSeconds * 1e9)
        running = spec.clients
        let bound = NIOLoopBound(self, eventLoop: loop)
        if label != nil {
            progress = loop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { _ in
                bound.value.reportProgress()
            }
        }
        for client in 0..<spec.clients { write(client: client, sequence: 0) }
    }

    private func write(client: Int, sequence: Int) {
        let begin = MonotonicTime.nanoseconds()
        guard begin < deadline else { return clientFinished() }
        let key = "key-\(client)-\(sequence % spec.keysPerClient)"
        let bound = NIOLoopBound(self, eventLoop: loop)
        target.put(client: client, key: key, value: values[client]).whenComplete { outcome in
            bound.value.written(client: client, sequence: sequence, begin: begin, outcome)
        }
    }

    private func written(client: Int, sequence: Int, begin: UInt64,
                         _ outcome: Result<Void, any Error>) {
        switch outcome {
        case .success:
            _ = result.latency.record((MonotonicTime.nanoseconds() - begin) / 1_000)
            result.operations += 1
            write(client: client, sequence: sequence + 1)
        case .failure(let error):
            result.errors += 1
            result.lastError = "\(error)"
            // A failed write may fail again at once: back off a little rather than spin.
            let bound = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleTask(in: .milliseconds(10)) {
                bound.value.write(client: client, sequence: sequence + 1)
            }
        }
    }

    private func clientFinished() {
        running -= 1
        guard running == 0 else { return }
        progress?.cancel()
        result.elapsedSeconds = MonotonicTime.seconds(since: startedAt)
        promise.succeed(result)
    }

    private func reportProgress() {
        guard let label else { return }
        let elapsed = MonotonicTime.seconds(since: startedAt)
        let rate = Double(result.operations) / max(elapsed, 0.001)
        Progress.note("\(label): \(Int(elapsed)) of \(Int(spec.durationSeconds)) s, "
            + "\(result.operations) writes (\(BenchOutput.integer(rate))/s)")
    }
}
