import NIOCore
import Services

/// Why a load operation did not succeed.
public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the write certainly did not happen, or may have.
    public enum Kind: Sendable, Equatable {
        /// Refused or never delivered: it did not take effect.
        case failed
        /// No answer within the client deadline: it may or may not have taken effect.
        case unknown
    }

    public var kind: Kind
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .failed: "failed: \(reason)"
        case .unknown: "unknown: \(reason)"
        }
    }
}

extension LocalCluster {
    /// The console's event loop. `putFuture` called on it costs no thread hop, which is how a
    /// load generator should drive many writes.
    public var eventLoop: any EventLoop { loop }

    /// Writes `value` under `key` as the named client; the future succeeds once the write is
    /// committed (a majority of nodes made it durable) and applied by the leader, and fails with
    /// `LoadError` otherwise. Completes on `eventLoop`; cheapest when called there.
    /// - Parameters:
    ///   - key: the key to write.
    ///   - value: its new value.
    ///   - client: the client's name (created on first use).
    public func putFuture(key: String, value: String, as client: String) -> EventLoopFuture<Void> {
        let operation = ClientOperation.write(.put(key: key, value: value))
        let outcome: EventLoopFuture<ClientOutcome>
        if loop.inEventLoop {
            outcome = engine.value.perform(operation, as: client, recordsHistory: false)
        } else {
            outcome = loop.flatSubmit { [engine] in
                engine.value.perform(operation, as: client, recordsHistory: false)
            }
        }
        return outcome.flatMapThrowing { outcome in try Self.check(outcome) }
    }

    private static func check(_ outcome: ClientOutcome) throws(LoadError) {
        switch outcome {
        case .ok, .result: return
        case .compareFailed: throw LoadError(.failed, "unexpected compare failure")
        case .failed(let reason): throw LoadError(.failed, reason)
        case .unknown(let reason): throw LoadError(.unknown, reason)
        }
    }

    /// Writes `value` under `key` as the named client, and returns once the write is committed (a
    /// majority of nodes made it durable) and applied by the leader.
    ///
    /// The same client machinery as the command language's `put … as NAME` — a session per client,
    /// leader discovery, redirects, retries that apply once — without parsing command text or
    /// recording the operation in the history, so a load generator can issue many per second.
    /// Concurrent calls with one client name share its session; give each concurrent caller its
    /// own name.
    /// - Parameters:
    ///   - key: the key to write.
    ///   - value: its new value.
    ///   - client: the client's name (created on first use).
    /// - Throws: `LoadError` when the write failed or its outcome is unknown.
    public func put(key: String, value: String, as client: String) async throws(LoadError) {
        try Self.check(await perform(.write(.put(key: key, value: value)), as: client))
    }

    /// Reads `key` linearizably (ReadIndex through the leader) as the named client.
    /// - Parameters:
    ///   - key: the key to read.
    ///   - client: the client's name (created on first use).
    /// - Returns: the key's value, or nil when it has none.
    /// - Throws: `LoadError` when no node could answer.
    public func get(key: String, as client: String) async throws(LoadError) -> String? {
        switch await perform(.read(key: key), as: client) {
        case .ok(let value): return value
        case .result(let result): return result.description
        case .compareFailed: throw LoadError(.failed, "unexpected compare failure")
        case .failed(let reason): throw LoadError(.failed, reason)
        case .unknown(let reason): throw LoadError(.unknown, reason)
        }
    }

    private func perform(_ operation: ClientOperation, as client: String) async -> ClientOutcome {
        do {
            return try await loop.flatSubmit { [engine] in
                engine.value.perform(operation, as: client, recordsHistory: false)
            }.get()
        } catch {
            // The loop is shut down: the operation never reached a node.
            return .failed("the cluster is shut down")
        }
    }
}
