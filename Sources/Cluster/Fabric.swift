import ClusterAPI
import DequeModule
import NIOCore
import Raft
import Wire

/// Rules for one directed link.
public struct LinkRule: Sendable, Equatable {
    public var up = true
    public var delayMs = 0
    public var jitterMs = 0
    public var lossPercent = 0.0
    public var duplicatePercent = 0.0

    public init() {}

    public var isDefault: Bool { self == LinkRule() }
}

/// The console's network: every node-to-node message passes through here, where partitions, cuts,
/// delay, loss, duplication and freezing apply. Runs on the console's event loop. Generic over the
/// payload, which it never looks into (the console passes the received buffer through untouched).
struct Fabric<Payload> {
    /// Most messages held while frozen; beyond this they are dropped and counted.
    static var maximumHeld: Int { 10_000 }

    private(set) var rules: [[LinkRule]]
    /// The partition in force, as the summary shows it.
    private(set) var shape: PartitionShape? = nil
    private(set) var frozen = false
    private(set) var held = Deque<HeldMessage>()
    private(set) var counts: [MessageFate: Int] = [:]
    /// Loss, duplication and jitter draw from the run's seed, so a run with the same seed and the
    /// same messages makes the same decisions.
    private var random: SeededRandom

    struct HeldMessage {
        var header: RoutingHeader
        var payload: Payload
    }

    init(nodeCount: Int, seed: UInt64 = 0) {
        random = SeededRandom(seed: seed ^ 0x6661_6272_6963)
        rules = Array(repeating: Array(repeating: LinkRule(), count: nodeCount + 1), count: nodeCount + 1)
    }

    var nodeCount: Int { rules.count - 1 }

    // MARK: Faults

    mutating func partition(_ newGroups: [[NodeID]]) {
        partition(shape: .groups(newGroups))
    }

    /// Cuts every directed link the shape does not keep, after healing: a ring's or a bridge's
    /// connectivity is not transitive, so it is per link, not per group.
    mutating func partition(shape newShape: PartitionShape) {
        heal()
        for from in 1...nodeCount {
            for to in 1...nodeCount where !newShape.connects(from: from, to: to) {
                rules[from][to].up = false
            }
        }
        shape = newShape
    }

    mutating func cut(from: NodeID, to: NodeID) {
        rules[from][to].up = false
    }

    mutating func setLink(from: NodeID, to: NodeID, _ change: (inout LinkRule) -> Void) {
        change(&rules[from][to])
    }

    mutating func heal() {
        rules = Array(repeating: Array(repeating: LinkRule(), count: nodeCount + 1), count: nodeCount + 1)
        shape = nil
    }

    mutating func freeze() { frozen = true }

    /// Unfreezes and hands back everything held, oldest first.
    mutating func thaw() -> [HeldMessage] {
        frozen = false
        defer { held.removeAll() }
        return Array(held)
    }

    /// The next `count` held messages, oldest first.
    mutating func step(_ count: Int) -> [HeldMessage] {
        var released: [HeldMessage] = []
        while released.count < count, let next = held.popFirst() {
            released.append(next)
        }
        return released
    }

    /// What is cut or slowed, as data for the header, `status` and the journal: the shape, and each
    /// link whose rule is not what the shape alone would make it.
    var summary: NetworkSummary {
        var links: [LinkState] = []
        for from in 1...nodeCount {
            for to in 1...nodeCount where from != to {
                let rule = rules[from][to]
                var expected = LinkRule()
                expected.up = shape?.connects(from: from, to: to) ?? true
                guard rule != expected else { continue }
                links.append(LinkState(from: from, to: to, up: rule.up, delayMs: rule.delayMs,
                                       jitterMs: rule.jitterMs, lossPercent: rule.lossPercent,
                                       duplicatePercent: rule.duplicatePercent))
            }
        }
        return NetworkSummary(partition: shape, links: links)
    }

    // MARK: Routing

    enum Decision {
        /// Deliver after `delayMs` (0 = now), `copies` times.
        case deliver(delayMs: Int, copies: Int)
        case drop(MessageFate)
        case hold
    }

    /// Decides a message's fate under the current rules.
    /// Deliveries are counted when they happen (`count(_:)`), since a delayed or stepped message may
    /// still find its receiver gone.
    mutating func route(_ header: RoutingHeader, payload: Payload) -> Decision {
        let decision = decide(header)
        switch decision {
        case .hold:
            guard held.count < Self.maximumHeld else {
                count(.overflow)
                return .drop(.overflow)
            }
            held.append(HeldMessage(header: header, payload: payload))
            count(.held)
        case .drop(let fate):
            count(fate)
        case .deliver:
            break
        }
        return decision
    }

    private mutating func decide(_ header: RoutingHeader) -> Decision {
        guard (1...nodeCount).contains(header.from), (1...nodeCount).contains(header.to) else {
            return .drop(.lost)
        }
        if frozen { return .hold }
        let rule = rules[header.from][header.to]
        guard rule.up else { return .drop(.partitioned) }
        if rule.lossPercent > 0, Double.random(in: 0..<100, using: &random) < rule.lossPercent {
            return .drop(.lost)
        }
        let copies = rule.duplicatePercent > 0
            && Double.random(in: 0..<100, using: &random) < rule.duplicatePercent ? 2 : 1
        let jitter = rule.jitterMs > 0 ? Int.random(in: -rule.jitterMs...rule.jitterMs, using: &random) : 0
        return .deliver(delayMs: max(0, rule.delayMs + jitter), copies: copies)
    }

    mutating func count(_ fate: MessageFate) {
        counts[fate, default: 0] += 1
    }
}
