import Cluster
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// How to reach or start etcd, from the command line.
struct EtcdChoice: Sendable {
    var settings: EtcdSettings
    /// Endpoints of an etcd cluster someone else runs (nil: the bench starts its own).
    var endpoints: String?
    /// Connect load clients to every member instead of the leader alone.
    var spread = false
}

/// A system under test, started (or reached) for one benchmark and stopped after it.
struct RunningSystem: Sendable {
    var kind: BenchTarget
    /// "ClusterDeck" or "etcd 3.4.23", for tables.
    var label: String
    var cluster: LocalCluster?
    var etcd: EtcdCluster?
    var etcdEndpoints: [(host: String, port: Int)] = []
    var spreadClients = false
    /// For etcd's HTTP connections when the bench did not start etcd itself.
    var ownGroup: MultiThreadedEventLoopGroup?

    static func start(_ kind: BenchTarget, nodes: Int, etcd choice: EtcdChoice) async throws
        -> RunningSystem {
        switch kind {
        case .clusterdeck:
            let cluster = try await BenchCluster.start(nodes: nodes)
            BenchCleanup.shared.add { cluster.shutdownNow() }
            return RunningSystem(kind: kind, label: "ClusterDeck", cluster: cluster)
        case .etcd:
            if let endpoints = choice.endpoints {
                return RunningSystem(kind: kind, label: "etcd", etcdEndpoints:
                                        try EtcdTarget.parseEndpoints(endpoints),
                                     spreadClients: true,
                                     ownGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1))
            }
            var settings = choice.settings
            settings.members = nodes
            let etcd = try await EtcdCluster.start(settings)
            BenchCleanup.shared.add { etcd.shutdownNow() }
            return RunningSystem(kind: kind, label: "etcd \(etcd.version)", etcd: etcd,
                                 etcdEndpoints: etcd.members.indices.map(etcd.endpoint),
                                 spreadClients: choice.spread)
        }
    }

    private var httpLoop: any EventLoop {
        etcd?.loop ?? ownGroup!.next()
    }

    /// A load target with `clients` clients, and what closes it.
    func loadTarget(clients: Int) async throws -> (any KeyValueTarget, @Sendable () async -> Void) {
        if let cluster {
            return (ClusterDeckTarget(cluster: cluster, clients: clients), {})
        }
        var endpoints = etcdEndpoints
        if !spreadClients, let etcd, let leader = await etcd.leader() {
            // All clients on the leader: etcd's fastest path (a follower forwards each write).
            endpoints = [etcd.endpoint(leader)]
        }
        let target = try await EtcdTarget.connect(endpoints: endpoints, clients: clients, on: httpLoop)
        return (target, { await target.close() })
    }

    func stop() async {
        await cluster?.shutdown()
        await etcd?.shutdown()
        try? await ownGroup?.shutdownGracefully()
    }
}

/// What to undo if the bench is interrupted (SIGINT, SIGTERM, SIGHUP): kill the clusters it
/// started and remove their directories, then exit as the signal would have.
final class BenchCleanup: Sendable {
    static let shared = BenchCleanup()

    private let actions = NIOLockedValueBox<[@Sendable () -> Void]>([])

    func add(_ action: @escaping @Sendable () -> Void) {
        actions.withLockedValue { $0.append(action) }
    }

    /// Installs the signal handlers; keep the result alive while the bench runs.
    func armSignals() -> StopSignals {
        StopSignals { [self] number in
            for action in actions.withLockedValue({ $0 }) { action() }
            exit(128 + number)
        }
    }
}
