import EtcdClient
import NIOCore
import Synchronization

/// Keep-alive gateway connections, one per (client, member): a client's request that hangs on a
/// cut-off member must not hold up another client's (a connection answers in order).
final class EtcdConnectionPool: Sendable {
    struct Key: Hashable, Sendable {
        var client: String
        var member: Int
    }

    private let loop: any EventLoop
    private let endpoints: [EtcdEndpoint]
    private let connections = Mutex<[Key: EtcdConnection]>([:])

    init(loop: any EventLoop, endpoints: [EtcdEndpoint]) {
        self.loop = loop
        self.endpoints = endpoints
    }

    /// The connection of `client` to member `member` (0-based), opened when there is none.
    func connection(client: String, member: Int) async throws -> EtcdConnection {
        let key = Key(client: client, member: member)
        if let open = connections.withLock({ $0[key] }) { return open }
        let fresh = try await EtcdConnection.connect(to: endpoints[member], on: loop, timeout: .milliseconds(500))
        let loser = connections.withLock { table -> EtcdConnection? in
            // Another task of the same client may have connected meanwhile: keep one.
            if let existing = table[key] { return existing === fresh ? nil : fresh }
            table[key] = fresh
            return nil
        }
        if let loser { await loser.close() }
        return connections.withLock { $0[key] } ?? fresh
    }

    /// Closes and forgets a connection whose answers can no longer be trusted to line up (a request
    /// on it timed out) or whose member went away.
    func discard(client: String, member: Int) async {
        let gone = connections.withLock { $0.removeValue(forKey: Key(client: client, member: member)) }
        await gone?.close()
    }

    /// Closes every connection to `member` (it was killed or restarted).
    func discardAll(member: Int) async {
        let gone = connections.withLock { table in
            let keys = table.keys.filter { $0.member == member }
            return keys.compactMap { table.removeValue(forKey: $0) }
        }
        for connection in gone { await connection.close() }
    }

    /// Closes every connection of `client` (a wait it gives up: etcd withdraws what waited on it).
    func discardAll(client: String) async {
        let gone = connections.withLock { table in
            let keys = table.keys.filter { $0.client == client }
            return keys.compactMap { table.removeValue(forKey: $0) }
        }
        for connection in gone { await connection.close() }
    }

    func closeAll() async {
        let all = connections.withLock { table in
            defer { table = [:] }
            return Array(table.values)
        }
        for connection in all { await connection.close() }
    }
}

/// A request that got no answer within its attempt's time.
struct AttemptTimedOut: Error, CustomStringConvertible {
    var milliseconds: Int
    var description: String { "no answer within \(milliseconds) ms" }
}

extension EtcdConnection {
    /// Sends `request`, failing with `AttemptTimedOut` after `milliseconds` (the request may still
    /// be carried out: the caller treats a timed-out write as unknown).
    func call<Request: EtcdRequest>(_ request: Request, withinMs milliseconds: Int) async throws
        -> Request.Response {
        let loop = eventLoop
        let future = send(request)
        return try await loop.flatSubmit {
            let promise = loop.makePromise(of: Request.Response.self)
            let timer = loop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                promise.fail(AttemptTimedOut(milliseconds: milliseconds))
            }
            // Whichever comes first wins; NIO ignores a second completion of a promise.
            future.whenComplete { result in
                timer.cancel()
                promise.completeWith(result)
            }
            return promise.futureResult
        }.get()
    }
}
