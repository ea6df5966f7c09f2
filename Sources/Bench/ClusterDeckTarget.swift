import Cluster
import NIOCore

/// ClusterDeck's back end: the cluster's own client machinery, one named client per load client.
struct ClusterDeckTarget: KeyValueTarget {
    let cluster: LocalCluster
    private let names: [String]

    init(cluster: LocalCluster, clients: Int) {
        self.cluster = cluster
        names = (0..<clients).map { "load-\($0)" }
    }

    var eventLoop: any EventLoop { cluster.eventLoop }

    func put(client: Int, key: String, value: String) -> EventLoopFuture<Void> {
        cluster.putFuture(key: key, value: value, as: names[client])
    }
}
