import ClusterAPI
import CommandLanguage

/// What the proxy does to each directed link between etcd members, as data: a partition shape and
/// the links that differ from it (the same `NetworkSummary` the header, `status` and the journal
/// show), and the decision for one link. Pure: the proxy asks, the back end changes it.
public struct PeerLinkRules: Sendable, Equatable {
    /// The rules, as every front end shows them.
    public private(set) var network = NetworkSummary.none

    /// What becomes of bytes on one directed link.
    public enum Decision: Equatable, Sendable {
        /// Forward them, after `delayMs` plus up to `jitterMs` of random extra.
        case pass(delayMs: Int, jitterMs: Int)
        /// The link is cut: close the connection carrying them.
        case block
    }

    public init() {}

    /// The decision for messages from node `from` to node `to`.
    public func decide(from: Int, to: Int) -> Decision {
        guard network.reaches(from: from, to: to) else { return .block }
        guard let link = network.links.first(where: { $0.from == from && $0.to == to }) else {
            return .pass(delayMs: 0, jitterMs: 0)
        }
        return .pass(delayMs: link.delayMs, jitterMs: link.jitterMs)
    }

    /// Replaces every rule with `shape` (after a heal, as the local fabric does).
    public mutating func partition(_ shape: PartitionShape) {
        network = NetworkSummary(partition: shape)
    }

    /// Cuts the link from `from` to `to`, one way.
    public mutating func cut(from: Int, to: Int) {
        update(from: from, to: to) { $0.up = false }
    }

    /// Sets a link's delay and jitter (nil leaves one as it is).
    public mutating func slow(from: Int, to: Int, delayMs: Int?, jitterMs: Int?) {
        update(from: from, to: to) { link in
            if let delayMs { link.delayMs = delayMs }
            if let jitterMs { link.jitterMs = jitterMs }
        }
    }

    /// Every link up and unslowed.
    public mutating func heal() {
        network = .none
    }

    /// Changes one link's state, keeping `links` ordered by sender, then receiver, and leaving out a
    /// link that ends up as the shape alone makes it.
    private mutating func update(from: Int, to: Int, _ change: (inout LinkState) -> Void) {
        let shapeKeeps = network.partition?.connects(from: from, to: to) ?? true
        var links = network.links
        let index = links.firstIndex { $0.from == from && $0.to == to }
        var link = index.map { links[$0] } ?? LinkState(from: from, to: to, up: shapeKeeps)
        change(&link)
        if let index { links.remove(at: index) }
        if link != LinkState(from: from, to: to, up: shapeKeeps) { links.append(link) }
        links.sort { ($0.from, $0.to) < ($1.from, $1.to) }
        network.links = links
    }
}
