import ClusterAPI
import DequeModule
import HeapModule
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
///
/// A value driven by the run time it is handed (`route(_:payload:now:)`, `releaseDue(now:)`): it
/// reads no clock and schedules nothing, so a copy is a checkpoint and virtual time can drive it.
/// Both of its queues are bounded; at a bound a message is dropped and counted as `overflow`.
struct Fabric<Payload> {
    /// Most messages held while frozen; beyond this they are dropped and counted as `overflow`.
    static var maximumHeld: Int { 10_000 }
    /// Most messages waiting out a link's delay or jitter. A message whose copies (a duplicated one
    /// has two) do not all fit is dropped whole and counted once as `overflow`: a slow link under
    /// load must not grow the console without bound.
    static var maximumDelayed: Int { 10_000 }

    private(set) var rules: [[LinkRule]]
    /// The partition in force, as the summary shows it.
    private(set) var shape: PartitionShape? = nil
    private(set) var frozen = false
    private(set) var held = Deque<HeldMessage>()
    /// Messages waiting out a delay, earliest due first (ties in the order routed).
    private var delayed = Heap<DelayedMessage>()
    private var delayedSequence: UInt64 = 0
    private(set) var counts: [MessageFate: Int] = [:]
    /// Loss, duplication and jitter draw from the run's seed, so a run with the same seed and the
    /// same messages makes the same decisions.
    private var random: SeededRandom

    struct HeldMessage {
        var header: RoutingHeader
        var payload: Payload
    }

    /// A message and the run time it is due at.
    private struct DelayedMessage: Comparable {
        var due: Duration
        /// Keeps messages due at the same moment in the order they were routed.
        var sequence: UInt64
        var message: HeldMessage

        static func < (left: Self, right: Self) -> Bool {
            (left.due, left.sequence) < (right.due, right.sequence)
        }

        static func == (left: Self, right: Self) -> Bool {
            (left.due, left.sequence) == (right.due, right.sequence)
        }
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
        /// Deliver after `delayMs` (0 = now), `copies` times. With a delay the fabric keeps the
        /// copies until `releaseDue(now:)` hands them out; with none the caller delivers them.
        case deliver(delayMs: Int, copies: Int)
        case drop(MessageFate)
        case hold
    }

    /// Decides a message's fate under the current rules, and keeps it when it is held or delayed.
    /// Deliveries are counted when they happen (`count(_:)`), since a delayed or stepped message may
    /// still find its receiver gone.
    /// - Parameters:
    ///   - header: the message's routing header.
    ///   - payload: the message, passed through untouched.
    ///   - now: run time now; a delayed message is due `delayMs` later.
    /// - Returns: the decision; `.drop(.overflow)` when the queue it needs is full.
    mutating func route(_ header: RoutingHeader, payload: Payload, now: Duration) -> Decision {
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
        case .deliver(let delayMs, let copies) where delayMs > 0:
            guard delayed.count + copies <= Self.maximumDelayed else {
                count(.overflow)
                return .drop(.overflow)
            }
            for _ in 0..<copies {
                delayed.insert(DelayedMessage(due: now + .milliseconds(delayMs), sequence: delayedSequence,
                                              message: HeldMessage(header: header, payload: payload)))
                delayedSequence += 1
            }
        case .deliver:
            break
        }
        return decision
    }

    /// How many messages wait out a delay.
    var delayedCount: Int { delayed.count }

    /// The run time the earliest delayed message is due at, if any waits.
    var nextDue: Duration? { delayed.min?.due }

    /// Hands out the delayed messages due by `now`, earliest first. They go out even while frozen:
    /// a freeze holds what is sent from then on, not what was already on its way.
    mutating func releaseDue(now: Duration) -> [HeldMessage] {
        var released: [HeldMessage] = []
        while let next = delayed.min, next.due <= now {
            released.append(delayed.removeMin().message)
        }
        return released
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
