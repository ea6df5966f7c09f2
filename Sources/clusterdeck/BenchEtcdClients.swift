import Foundation
import NIOCore

/// etcd's back end for the load generator: `POST /v3/kv/put` on the v3 HTTP/JSON gateway, key and
/// value in base64, one keep-alive connection per load client.
struct EtcdTarget: KeyValueTarget {
    private let connections: [HTTPConnection]

    /// Connects `clients` connections, spread round-robin over `endpoints`.
    static func connect(endpoints: [(host: String, port: Int)], clients: Int,
                        on loop: any EventLoop) async throws -> EtcdTarget {
        var connections: [HTTPConnection] = []
        for client in 0..<clients {
            let (host, port) = endpoints[client % endpoints.count]
            connections.append(try await HTTPConnection.connect(host: host, port: port, on: loop))
        }
        return EtcdTarget(connections: connections, eventLoop: loop)
    }

    /// Every connection is on this loop (`connect` opens them all there).
    let eventLoop: any EventLoop

    func put(client: Int, key: String, value: String) -> EventLoopFuture<Void> {
        connections[client].postFuture("/v3/kv/put", json: Self.putBody(key, value))
            .flatMapThrowing { reply in
                guard reply.status == 200 else {
                    throw BenchError("etcd: HTTP \(reply.status) \(reply.body)")
                }
            }
    }

    func close() async {
        for connection in connections { await connection.close() }
    }

    static func putBody(_ key: String, _ value: String) -> String {
        let key = Data(key.utf8).base64EncodedString()
        let value = Data(value.utf8).base64EncodedString()
        return "{\"key\":\"\(key)\",\"value\":\"\(value)\"}"
    }

    /// Parses `http://HOST:PORT,…` (the scheme is optional; only http is spoken).
    static func parseEndpoints(_ text: String) throws -> [(host: String, port: Int)] {
        let endpoints = try text.split(separator: ",").map { item -> (host: String, port: Int) in
            var rest = item.trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("https://") { throw BenchError("\(rest): only http:// is supported") }
            if rest.hasPrefix("http://") { rest.removeFirst("http://".count) }
            while rest.hasSuffix("/") { rest.removeLast() }
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1...65_535).contains(port), colon > rest.startIndex
            else { throw BenchError("\(item) is not HOST:PORT or http://HOST:PORT") }
            return (String(rest[..<colon]), port)
        }
        guard !endpoints.isEmpty else { throw BenchError("--endpoints lists no endpoint") }
        return endpoints
    }
}

/// A writer that survives a member's death the way etcd's own client does: on a failed request
/// it moves to the next endpoint and tries again, until the write succeeds or time runs out.
actor EtcdRetryingWriter: FailoverWriter {
    private let endpoints: [(host: String, port: Int)]
    private let loop: any EventLoop
    private var connections: [Int: HTTPConnection] = [:]
    private var current: Int
    private let giveUpSeconds: Double

    init(endpoints: [(host: String, port: Int)], startAt first: Int, on loop: any EventLoop,
         giveUpSeconds: Double = 10) {
        self.endpoints = endpoints
        self.loop = loop
        current = first % endpoints.count
        self.giveUpSeconds = giveUpSeconds
    }

    func put(key: String, value: String) async throws {
        let start = MonotonicTime.nanoseconds()
        let body = EtcdTarget.putBody(key, value)
        var lastError = "no attempt"
        while MonotonicTime.seconds(since: start) < giveUpSeconds {
            do {
                let reply = try await connection(current).post("/v3/kv/put", json: body)
                if reply.status == 200 { return }
                lastError = "HTTP \(reply.status) \(reply.body)"
            } catch {
                lastError = "\(error)"
                connections[current] = nil
            }
            current = (current + 1) % endpoints.count
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        throw BenchError("etcd write failed for \(Int(giveUpSeconds)) s: \(lastError)")
    }

    private func connection(_ index: Int) async throws -> HTTPConnection {
        if let open = connections[index] { return open }
        let (host, port) = endpoints[index]
        let opened = try await HTTPConnection.connect(host: host, port: port, on: loop)
        connections[index] = opened
        return opened
    }

    func close() async {
        for connection in connections.values { await connection.close() }
        connections = [:]
    }
}
