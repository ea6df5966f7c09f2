import CommandLanguage
import Raft

/// The kinds of fault a drill may inject (`--faults kill,pause,partition,partition-ring,…`).
public enum FaultKind: String, CaseIterable, Sendable {
    case kill, pause, partition
    /// Jepsen's ring of overlapping majorities, in an order drawn from the seed.
    case partitionRing = "partition-ring"
    /// Jepsen's bridge: two halves drawn from the seed, one node in both.
    case partitionBridge = "partition-bridge"
    case loss, clock
}

/// Which node a fault hits: a fixed one, or whichever leads when the fault starts (faults aimed at
/// the leader are the ones that test failover and stale leaders).
public enum FaultTarget: Equatable, Sendable {
    case node(NodeID)
    case leader
}

/// One fault, as the nemesis plans it.
public enum Fault: Equatable, Sendable {
    case kill(FaultTarget)
    case pause(FaultTarget)
    /// Cuts `minority` off from the rest (an empty minority means: the leader alone).
    case partition(minority: [NodeID])
    /// Every node hears a different majority: its neighbours in `order`, a ring.
    case partitionRing(order: [NodeID])
    /// `bridge` talks to everyone; the others, taken in `order`, split into two halves that cannot
    /// talk to each other.
    case partitionBridge(bridge: FaultTarget, order: [NodeID])
    /// Drops `percent` of the messages on the links between `nodes`, both ways.
    case loss(nodes: [NodeID], percent: Int)
    /// Runs a node's clock `factor` times as fast: its leases and timeouts shorten or stretch.
    case clock(FaultTarget, factor: Double)
}

/// A fault with its start and end, in seconds from the drill's start.
public struct NemesisStep: Equatable, Sendable {
    public var fault: Fault
    public var start: Double
    public var end: Double
}

/// A seeded schedule of faults, one at a time, each held for 1–3 s with 0.5–2 s of calm between, so
/// the cluster keeps making progress. With `clock` among the kinds, half of the other faults also
/// skew the leader's clock from a second before they start until just after they end: a slow clock
/// on a cut-off leader is how lease-based reads go stale. The same seed gives the same plan.
public enum NemesisPlan {
    /// The fastest or slowest a `clock` fault runs a node's clock; the checker is told, since leases
    /// are only as good as clocks.
    public static let maximumSkew = 4.0

    public static func make(seed: UInt64, kinds: [FaultKind], durationSeconds: Double, nodes: Int)
        -> [NemesisStep] {
        guard !kinds.isEmpty, nodes > 1 else { return [] }
        var random = SeededRandom(seed: seed ^ 0x6e65_6d65_7369_73)
        var steps: [NemesisStep] = []
        var time = Double.random(in: 1...2, using: &random)
        while time < durationSeconds - 1 {
            let kind = kinds.randomElement(using: &random) ?? .kill
            let end = min(time + Double.random(in: 1...3, using: &random), durationSeconds)
            let fault = fault(kind, nodes: nodes, using: &random)
            if kind != .clock, kinds.contains(.clock), Bool.random(using: &random) {
                // Mostly slow: a leader whose clock lags keeps believing in its lease longer. Half speed,
                // not less: its heartbeats must still come within the followers' timeouts, or it loses
                // leadership before the fault it accompanies begins.
                let cutsLeader = fault == .partition(minority: [])
                let factor = !cutsLeader && Int.random(in: 0..<3, using: &random) == 0 ? 2 : 0.5
                let skew = Fault.clock(.leader, factor: factor)
                steps.append(NemesisStep(fault: skew, start: max(0, time - 1), end: min(end + 0.5, durationSeconds)))
            }
            steps.append(NemesisStep(fault: fault, start: time, end: end))
            time = end + Double.random(in: 0.5...2, using: &random)
        }
        return steps.sorted { $0.start < $1.start }
    }

    private static func skewFactor(using random: inout SeededRandom) -> Double {
        [1 / maximumSkew, 0.5, 2, maximumSkew].randomElement(using: &random) ?? 0.5
    }

    static func fault(_ kind: FaultKind, nodes: Int, using random: inout SeededRandom) -> Fault {
        let target: FaultTarget = Bool.random(using: &random) ? .leader : .node(Int.random(in: 1...nodes, using: &random))
        switch kind {
        case .kill: return .kill(target)
        case .pause: return .pause(target)
        case .partition:
            // Cutting the leader off is what tests failover and stale leaders: two times in three.
            guard Int.random(in: 0..<3, using: &random) == 0 else { return .partition(minority: []) }
            let size = Int.random(in: 1...max(1, (nodes - 1) / 2), using: &random)
            return .partition(minority: Array((1...nodes).shuffled(using: &random).prefix(size)).sorted())
        case .partitionRing where nodes >= PartitionShape.shapeNodeCountMin:
            return .partitionRing(order: (1...nodes).shuffled(using: &random))
        case .partitionBridge where nodes >= PartitionShape.shapeNodeCountMin:
            // The leader as the bridge keeps leading and little happens: one time in four. Otherwise
            // it sits in a half, and the other half hears it only through the bridge's ears.
            let bridge: FaultTarget = Int.random(in: 0..<4, using: &random) == 0
                ? .leader : .node(Int.random(in: 1...nodes, using: &random))
            return .partitionBridge(bridge: bridge, order: (1...nodes).shuffled(using: &random))
        case .partitionRing, .partitionBridge:
            return .partition(minority: [])
        case .loss:
            let pair = Array((1...nodes).shuffled(using: &random).prefix(max(2, nodes / 2))).sorted()
            return .loss(nodes: pair, percent: [20, 40, 60].randomElement(using: &random) ?? 40)
        case .clock:
            return .clock(target, factor: skewFactor(using: &random))
        }
    }
}

extension Fault {
    /// The commands that start the fault, with the leader (if it is the target) resolved to `leader`.
    func commands(nodes: Int, leader: NodeID?) -> (start: [Command], undo: [Command], text: String) {
        let resolve = { (target: FaultTarget) -> NodeID in
            switch target {
            case .node(let id): id
            case .leader: leader ?? 1
            }
        }
        switch self {
        case .kill(let target):
            let id = resolve(target)
            return ([.kill(.id(id))], [.restart(.id(id))], "kill n\(id)\(target == .leader ? " (leader)" : "")")
        case .pause(let target):
            let id = resolve(target)
            return ([.pause(.id(id))], [.resume(.id(id))], "pause n\(id)\(target == .leader ? " (leader)" : "")")
        case .partition(let minority):
            let cut = minority.isEmpty ? [leader ?? 1] : minority
            let rest = (1...nodes).filter { !cut.contains($0) }
            let text = "partition \(cut.map(String.init).joined(separator: ",")) | "
                + rest.map(String.init).joined(separator: ",")
            return ([.partition([cut, rest])], [.heal], text + (minority.isEmpty ? " (leader cut off)" : ""))
        case .partitionRing(let order):
            return ([.partitionRing(order: order)], [.heal], "partition ring " + Self.list(order))
        case .partitionBridge(let target, let order):
            let id = resolve(target)
            let others = order.filter { $0 != id }
            let halves = [Array(others.prefix(nodes / 2)), Array(others.dropFirst(nodes / 2))]
            let text = "partition bridge \(id) between \(Self.list(halves[0])) | \(Self.list(halves[1]))"
            return ([.partitionBridge(node: .id(id), halves: halves)], [.heal],
                    text + (target == .leader ? " (leader)" : ""))
        case .loss(let group, let percent):
            let links = group.flatMap { from in group.filter { $0 != from }.map { (from, $0) } }
            let start = links.map { Command.link(from: $0.0, to: $0.1, LinkSettings(lossPercent: Double(percent))) }
            return (start, [.heal], "lose \(percent)% between \(group.map(String.init).joined(separator: ","))")
        case .clock(let target, let factor):
            let id = resolve(target)
            return ([.skew(node: id, factor: factor)], [.skew(node: id, factor: 1)],
                    "clock of n\(id)\(target == .leader ? " (leader)" : "") ×\(factor)")
        }
    }

    private static func list(_ ids: [NodeID]) -> String {
        ids.map(String.init).joined(separator: ",")
    }
}

extension FaultKind {
    /// Why `backend` cannot inject faults of this kind (nil: it can), from what such a fault runs:
    /// a drill leaves these out of its default and refuses them when asked for.
    public func refusal(by backend: any ClusterBackend) -> String? {
        var random = SeededRandom(seed: 1)
        let nodes = max(PartitionShape.shapeNodeCountMin, backend.nodeCount)
        let commands = NemesisPlan.fault(self, nodes: nodes, using: &random).commands(nodes: nodes, leader: 1)
        return (commands.start + commands.undo).lazy.compactMap { backend.refusal(of: $0) }.first
    }
}
