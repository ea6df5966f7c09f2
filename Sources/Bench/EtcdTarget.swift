import EtcdClient
import NIOCore

/// etcd's back end for the load generator: `POST /v3/kv/put` on the v3 HTTP/JSON gateway, one
/// keep-alive connection per load client.
struct EtcdTarget: KeyValueTarget {
    private let connections: [EtcdConnection]

    /// Connects `clients` connections, spread round-robin over `endpoints`.
    static func connect(endpoints: [EtcdEndpoint], clients: Int,
                        on loop: any EventLoop) async throws -> EtcdTarget {
        var connections: [EtcdConnection] = []
        for client in 0..<clients {
            let endpoint = endpoints[client % endpoints.count]
            connections.append(try await EtcdConnection.connect(to: endpoint, on: loop))
        }
        return EtcdTarget(connections: connections, eventLoop: loop)
    }

    /// Every connection is on this loop (`connect` opens them all there).
    let eventLoop: any EventLoop

    func put(client: Int, key: String, value: String) -> EventLoopFuture<Void> {
        connections[client].send(EtcdPutRequest(key: EtcdBytes(key), value: EtcdBytes(value)))
            .map { _ in }
    }

    func close() async {
        for connection in connections { await connection.close() }
    }
}

/// A writer that survives a member's death the way etcd's own client does: on a failed request
/// it moves to the next endpoint and tries again, until the write succeeds or time runs out.
actor EtcdRetryingWriter: FailoverWriter {
    private let endpoints: [EtcdEndpoint]
    private let loop: any EventLoop
    private var connections: [Int: EtcdConnection] = [:]
    private var current: Int
    private let giveUpSeconds: Double

    init(endpoints: [EtcdEndpoint], startAt first: Int, on loop: any EventLoop,
         giveUpSeconds: Double = 10) {
        self.endpoints = endpoints
        self.loop = loop
        current = first % endpoints.count
        self.giveUpSeconds = giveUpSeconds
    }

    func put(key: String, value: String) async throws {
        let start = MonotonicTime.nanoseconds()
        let request = EtcdPutRequest(key: EtcdBytes(key), value: EtcdBytes(value))
        var lastError = "no attempt"
        while MonotonicTime.seconds(since: start) < giveUpSeconds {
            do {
                _ = try await connection(current).call(request)
                return
            } catch let error as EtcdError {
                lastError = "\(error)"
                switch error {
                case .server, .http:
                    // An answer, though a refusal (no leader yet): the connection still works.
                    break
                case .connection, .malformedAnswer, .malformedRequest, .invalidEndpoint:
                    connections[current] = nil
                }
            } catch {
                lastError = "\(error)"
                connections[current] = nil
            }
            current = (current + 1) % endpoints.count
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        throw BenchError("etcd write failed for \(Int(giveUpSeconds)) s: \(lastError)")
    }

    private func connection(_ index: Int) async throws -> EtcdConnection {
        if let open = connections[index] { return open }
        let opened = try await EtcdConnection.connect(to: endpoints[index], on: loop)
        connections[index] = opened
        return opened
    }

    func close() async {
        for connection in connections.values { await connection.close() }
        connections = [:]
    }
}
