import ClusterAPI
import Raft
import Synchronization

/// What the proxy has seen on one directed link, from member `from` to member `to`.
public struct PeerLinkCounters: Sendable, Equatable {
    /// Connections opened whose messages travel this way.
    public var connections = 0
    /// Chunks and bytes forwarded this way (what TCP handed the proxy: not Raft messages).
    public var chunks = 0
    public var bytes = 0
    /// Connections refused or closed because the link was cut.
    public var blocked = 0

    public init() {}
}

/// The proxy's shared state: the link rules the back end sets, which etcd member id is which node
/// (learned from the status API), and what each link carried. Safe from any thread.
public final class PeerTrafficBook: Sendable {
    private struct State {
        var rules = PeerLinkRules()
        var nodeByMemberID: [UInt64: Int] = [:]
        var counters: [Link: PeerLinkCounters] = [:]
        /// Bumped on every rule change, so a block is told once per change, not per redial.
        var generation = 0
        var toldBlocked: Set<Link> = []
        /// Bytes per link at the last sample, and when, for the rates.
        var sampled: [Link: Int] = [:]
        var sampledAt: ContinuousClock.Instant?
        var rates: [Link: Int] = [:]
        /// Jitter draws from the run's seed (which connection draws next is the OS's doing).
        var random: SeededRandom
    }

    /// A directed link, node ids.
    struct Link: Hashable {
        var from: Int
        var to: Int
    }

    private let state: Mutex<State>

    /// A book with no rules and nothing counted; jitter draws from `seed`.
    public init(seed: UInt64 = 0) {
        state = Mutex(State(random: SeededRandom(seed: seed ^ 0x7072_6f78_79)))
    }

    /// A jitter of 0…`maximumMs` milliseconds, from the run's seed.
    func jitter(upToMs maximumMs: Int) -> Int {
        guard maximumMs > 0 else { return 0 }
        return state.withLock { Int.random(in: 0...maximumMs, using: &$0.random) }
    }

    /// The rules in force.
    public var rules: PeerLinkRules { state.withLock { $0.rules } }

    /// Changes the rules.
    public func change(_ body: (inout PeerLinkRules) -> Void) {
        state.withLock { state in
            body(&state.rules)
            state.generation += 1
            state.toldBlocked = []
        }
    }

    /// Records that etcd member `memberID` is node `node`.
    public func learn(memberID: UInt64, node: Int) {
        state.withLock { $0.nodeByMemberID[memberID] = node }
    }

    /// The node of etcd member `memberID`, once learned.
    public func node(ofMember memberID: UInt64) -> Int? {
        state.withLock { $0.nodeByMemberID[memberID] }
    }

    /// The counters of the link from `from` to `to`.
    public func counters(from: Int, to: Int) -> PeerLinkCounters {
        state.withLock { $0.counters[Link(from: from, to: to)] ?? PeerLinkCounters() }
    }

    /// Every link's counters, by sender, then receiver.
    public func allCounters() -> [(from: Int, to: Int, counters: PeerLinkCounters)] {
        state.withLock { state in
            state.counters.map { ($0.key.from, $0.key.to, $0.value) }.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        }
    }

    /// Takes a sample of every link's bytes: the rates in `traffic` are over the time since the
    /// last sample (the status poller takes one each round).
    public func sample(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            let bytes = state.counters.mapValues(\.bytes)
            if let last = state.sampledAt {
                let elapsed = now - last
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.rates = bytes.mapValues { _ in 0 }
                for (link, total) in bytes where seconds > 0 {
                    state.rates[link] = Int(Double(total - (state.sampled[link] ?? 0)) / seconds)
                }
            }
            state.sampled = bytes
            state.sampledAt = now
        }
    }

    /// Every directed link between nodes 1…`nodeCount`, by sender, then receiver, with what it
    /// carried (links that carried nothing included, so a silent link shows as silent).
    public func traffic(nodeCount: Int) -> [LinkTraffic] {
        state.withLock { state in
            (1...max(1, nodeCount)).flatMap { from in
                (1...max(1, nodeCount)).filter { $0 != from }.map { to in
                    let link = Link(from: from, to: to)
                    let counters = state.counters[link] ?? PeerLinkCounters()
                    return LinkTraffic(from: from, to: to, connections: counters.connections, bytes: counters.bytes,
                                       blocked: counters.blocked, bytesPerSecond: state.rates[link] ?? 0)
                }
            }
        }
    }

    /// The decision for bytes on a link, counting them when they pass.
    /// - Returns: the decision, and whether a block is news (the first since the rules changed).
    func route(from: Int, to: Int, bytes: Int) -> (decision: PeerLinkRules.Decision, newBlock: Bool) {
        state.withLock { state in
            let link = Link(from: from, to: to)
            let decision = state.rules.decide(from: from, to: to)
            switch decision {
            case .pass:
                // A connection's admission asks with no bytes: not a chunk.
                guard bytes > 0 else { return (decision, false) }
                state.counters[link, default: PeerLinkCounters()].chunks += 1
                state.counters[link, default: PeerLinkCounters()].bytes += bytes
                return (decision, false)
            case .block:
                state.counters[link, default: PeerLinkCounters()].blocked += 1
                return (decision, state.toldBlocked.insert(link).inserted)
            }
        }
    }

    /// Counts a connection opened for a link.
    func opened(from: Int, to: Int) {
        state.withLock { $0.counters[Link(from: from, to: to), default: PeerLinkCounters()].connections += 1 }
    }
}
