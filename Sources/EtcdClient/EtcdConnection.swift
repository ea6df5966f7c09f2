import NIOCore

/// One keep-alive connection to one etcd member's v3 HTTP/JSON gateway.
///
/// Requests may be issued concurrently; they are pipelined on the connection and answered in the
/// order they were sent. A connection that closes fails what is waiting and every later request
/// (open a new one: it does not reconnect by itself, so a caller choosing the next member on a
/// failure sees the failure).
///
/// ```swift
/// let etcd = try await EtcdConnection.connect(to: EtcdEndpoint(host: "127.0.0.1", port: 2379),
///                                             on: group.next())
/// try await etcd.put("greeting", "hello")
/// let found = try await etcd.range("greeting").keyValues.first?.value.text   // "hello"
/// ```
public final class EtcdConnection: Sendable {
    private let http: HTTPConnection

    private init(http: HTTPConnection) {
        self.http = http
    }

    /// Opens a connection to `endpoint` on `loop`, where all its work then happens.
    /// - Parameters:
    ///   - endpoint: the member's client URL.
    ///   - loop: the event loop that owns the connection (and completes its futures).
    ///   - timeout: how long to wait for the TCP connection.
    public static func connect(to endpoint: EtcdEndpoint, on loop: any EventLoop,
                               timeout: TimeAmount = .seconds(2)) async throws -> EtcdConnection {
        EtcdConnection(http: try await HTTPConnection.connect(to: endpoint, on: loop, timeout: timeout))
    }

    /// The member this connection talks to.
    public var endpoint: EtcdEndpoint { http.endpoint }

    /// The loop that owns the connection; futures complete on it.
    public var eventLoop: any EventLoop { http.eventLoop }

    /// Sends `request` and decodes the answer.
    /// - Returns: a future on `eventLoop`, failed with `EtcdError` when etcd refuses the request,
    ///   the connection fails, or the answer does not decode.
    public func send<Request: EtcdRequest>(_ request: Request) -> EventLoopFuture<Request.Response> {
        let body: [UInt8]
        do {
            body = try EtcdJSON.encode(request)
        } catch {
            return eventLoop.makeFailedFuture(EtcdError.malformedRequest("\(error)"))
        }
        return http.post(Request.path, json: body).flatMapThrowing { reply in
            try Self.response(to: Request.self, from: reply)
        }
    }

    /// Sends `request` and waits for the decoded answer.
    public func call<Request: EtcdRequest>(_ request: Request) async throws -> Request.Response {
        try await send(request).get()
    }

    /// The answer in `reply`, or the error it stands for.
    static func response<Request: EtcdRequest>(
        to request: Request.Type, from reply: HTTPReply
    ) throws(EtcdError) -> Request.Response {
        guard reply.status == 200 else { throw .answer(status: reply.status, body: reply.body) }
        do {
            return try EtcdJSON.decode(Request.Response.self, from: reply.body)
        } catch {
            throw .malformedAnswer(path: Request.path, reason: "\(error)")
        }
    }

    /// Closes the connection; waiting requests fail.
    public func close() async {
        await http.close()
    }
}

// MARK: - Key-value and maintenance calls

extension EtcdConnection {
    /// Stores `value` under `key` (`POST /v3/kv/put`); the future succeeds once a quorum made the
    /// write durable.
    @discardableResult
    public func put(_ key: EtcdBytes, _ value: EtcdBytes) async throws -> EtcdPutResponse {
        try await call(EtcdPutRequest(key: key, value: value))
    }

    /// The value of `key` (`POST /v3/kv/range`), linearizable unless `serializable`.
    public func range(_ key: EtcdBytes, serializable: Bool = false) async throws
        -> EtcdRangeResponse {
        try await call(EtcdRangeRequest(key: key, serializable: serializable))
    }

    /// The member's status (`POST /v3/maintenance/status`).
    public func status() async throws -> EtcdStatus {
        try await call(EtcdStatusRequest())
    }
}
