import Cluster
import EtcdClient
import NIOCore
import NIOPosix

/// How to reach or start etcd.
public struct EtcdChoice: Sendable {
    public var settings: EtcdSettings
    /// Endpoints of an etcd cluster someone else runs (nil: the bench starts its own).
    public var endpoints: [EtcdEndpoint]?
    /// Connect load clients to every member instead of the leader alone.
    public var spread = false

    public init(settings: EtcdSettings, endpoints: [EtcdEndpoint]? = nil, spread: Bool = false) {
        self.settings = settings
        self.endpoints = endpoints
        self.spread = spread
    }
}

/// How the bench starts each system it can measure.
public struct BenchSystems: Sendable {
    public var clusterdeck: BenchCluster
    public var etcd: EtcdChoice

    public init(clusterdeck: BenchCluster, etcd: EtcdChoice) {
        self.clusterdeck = clusterdeck
        self.etcd = etcd
    }
}

/// A system under test, started (or reached) for one benchmark and stopped after it.
struct RunningSystem: Sendable {
    var kind: BenchTarget
    /// "ClusterDeck" or "etcd 3.4.23", for tables.
    var label: String
    var cluster: LocalCluster?
    var etcd: LocalEtcdCluster?
    var etcdEndpoints: [EtcdEndpoint] = []
    var spreadClients = false
    /// For etcd's HTTP connections when the bench did not start etcd itself.
    var ownGroup: MultiThreadedEventLoopGroup?

    static func start(_ kind: BenchTarget, nodes: Int, systems: BenchSystems) async throws
        -> RunningSystem {
        switch kind {
        case .clusterdeck:
            let cluster = try await systems.clusterdeck.start(nodes: nodes)
            BenchCleanup.shared.add { cluster.shutdownNow() }
            return RunningSystem(kind: kind, label: "ClusterDeck", cluster: cluster)
        case .etcd:
            let choice = systems.etcd
            if let endpoints = choice.endpoints {
                return RunningSystem(kind: kind, label: "etcd", etcdEndpoints: endpoints,
                                     spreadClients: true,
                                     ownGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1))
            }
            var settings = choice.settings
            settings.members = nodes
            let etcd = try await LocalEtcdCluster.start(settings)
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
