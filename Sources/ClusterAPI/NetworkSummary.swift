/// How the network is cut, as a shape: who hears whom follows from it, so the fabric, the header and
/// the node panes agree on one definition (node ids are plain `Int`s, counted from 1).
public enum PartitionShape: Sendable, Equatable {
    /// Groups that talk within and not across (`partition 1,2 | 3,4,5`). Nodes in no group count as
    /// one more group together.
    case groups([[Int]])
    /// Jepsen's ring of overlapping majorities, nodes in ring order (`partition ring`): each node
    /// hears itself and its nearest neighbours in the ring, a bare majority in all, so every node sees
    /// a majority and no two see the same one. With an odd majority (5 or 9 nodes, or 4 and 8) every
    /// kept link works both ways; with an even one (3, 6, 7) a node hears one more neighbour ahead
    /// than behind, so the farthest links work one way only — the only way three nodes can each see
    /// a different majority.
    case ring([Int])
    /// Jepsen's bridge (`partition bridge`): two halves that cannot talk to each other, and one node
    /// in both that talks to everyone.
    case bridge(node: Int, halves: [[Int]])

    /// Whether a message from `from` reaches `to` under this shape (a node always reaches itself).
    public func connects(from: Int, to: Int) -> Bool {
        guard from != to else { return true }
        switch self {
        case .groups(let groups):
            return groups.firstIndex { $0.contains(from) } == groups.firstIndex { $0.contains(to) }
        case .ring(let order):
            guard let sender = order.firstIndex(of: from), let receiver = order.firstIndex(of: to) else {
                return false
            }
            let reach = Self.ringReach(nodeCount: order.count)
            let offset = (sender - receiver + order.count) % order.count
            return offset <= reach.ahead || offset >= order.count - reach.behind
        case .bridge(let node, let halves):
            return from == node || to == node || halves.contains { $0.contains(from) && $0.contains(to) }
        }
    }

    /// How many ring neighbours behind and ahead a node hears: together with itself, a bare majority.
    public static func ringReach(nodeCount: Int) -> (behind: Int, ahead: Int) {
        let majority = nodeCount / 2 + 1
        let behind = (majority - 1) / 2
        return (behind, majority - 1 - behind)
    }

    /// The shape as the command line writes it after `partition`: `1,2 | 3,4,5`, `ring 1,2,3,4,5`,
    /// `bridge 3 between 1,2 | 4,5`.
    public var text: String {
        switch self {
        case .groups(let groups): Self.text(groups)
        case .ring(let order): "ring " + order.map(String.init).joined(separator: ",")
        case .bridge(let node, let halves): "bridge \(node) between \(Self.text(halves))"
        }
    }

    private static func text(_ groups: [[Int]]) -> String {
        groups.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " | ")
    }
}

/// Why a ring or a bridge does not fit the cluster, in one sentence.
public struct PartitionShapeError: Error, Equatable, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

extension PartitionShape {
    /// Fewer nodes cannot see different majorities, nor hold two halves and a bridge.
    public static let shapeNodeCountMin = 3

    /// A ring over nodes `1...nodeCount` in `order` (nil: by id), which must name every node once.
    public static func ring(order: [Int]?, nodeCount: Int) throws(PartitionShapeError) -> PartitionShape {
        try checkSize(nodeCount, "a ring")
        let order = order ?? Array(1...nodeCount)
        guard order.sorted() == Array(1...nodeCount) else {
            throw PartitionShapeError("a ring lists every node 1–\(nodeCount) exactly once")
        }
        return .ring(order)
    }

    /// A bridge at `node` (nil: the middle id, as Jepsen's bisect puts it) between `halves`; without
    /// halves, the other nodes split in id order, the first half the smaller when they are odd.
    public static func bridge(node: Int?, halves: [[Int]]?, nodeCount: Int)
        throws(PartitionShapeError) -> PartitionShape {
        try checkSize(nodeCount, "a bridge")
        let node = node ?? nodeCount / 2 + 1
        guard (1...nodeCount).contains(node) else {
            throw PartitionShapeError("no node \(node): nodes are 1–\(nodeCount)")
        }
        let others = (1...nodeCount).filter { $0 != node }
        let halves = halves ?? [Array(others.prefix(nodeCount / 2)), Array(others.dropFirst(nodeCount / 2))]
        guard halves.count == 2, halves.allSatisfy({ !$0.isEmpty }) else {
            throw PartitionShapeError("a bridge joins two halves, each with at least one node")
        }
        guard halves.flatMap({ $0 }).sorted() == others else {
            throw PartitionShapeError("the halves list every node but the bridge n\(node) exactly once")
        }
        return .bridge(node: node, halves: halves)
    }

    private static func checkSize(_ nodeCount: Int, _ what: String) throws(PartitionShapeError) {
        guard nodeCount >= shapeNodeCountMin else {
            throw PartitionShapeError("\(what) needs at least \(shapeNodeCountMin) nodes; this cluster has \(nodeCount)")
        }
    }
}

/// One directed link whose rule differs from what the partition shape implies: a one-way cut, or a
/// link that delays, jitters, loses or duplicates.
public struct LinkState: Sendable, Equatable, Codable {
    public var from: Int
    public var to: Int
    public var up: Bool
    public var delayMs: Int
    public var jitterMs: Int
    public var lossPercent: Double
    public var duplicatePercent: Double

    public init(from: Int, to: Int, up: Bool = true, delayMs: Int = 0, jitterMs: Int = 0,
                lossPercent: Double = 0, duplicatePercent: Double = 0) {
        self.from = from
        self.to = to
        self.up = up
        self.delayMs = delayMs
        self.jitterMs = jitterMs
        self.lossPercent = lossPercent
        self.duplicatePercent = duplicatePercent
    }

    /// `1-x->2` for a cut, `1->2 slowed` for a degraded link (the words the digest has always used).
    public var text: String { up ? "\(from)->\(to) slowed" : "\(from)-x->\(to)" }
}

/// What the fabric does to the network, as data: a partition shape and the links that differ from it.
/// The header, `status`, the digest and the journal all start from this.
public struct NetworkSummary: Sendable, Equatable {
    public var partition: PartitionShape?
    /// Directed links whose rule is not what `partition` implies, ordered by sender, then receiver.
    public var links: [LinkState]

    public init(partition: PartitionShape? = nil, links: [LinkState] = []) {
        self.partition = partition
        self.links = links
    }

    /// Every node reaches every other, with nothing slowed.
    public static let none = NetworkSummary()

    public var isNone: Bool { partition == nil && links.isEmpty }

    /// Whether a message from `from` reaches `to` (it may still be delayed or lost on the way).
    public func reaches(from: Int, to: Int) -> Bool {
        if let link = links.first(where: { $0.from == from && $0.to == to }) { return link.up }
        return partition?.connects(from: from, to: to) ?? true
    }

    /// "none", "1,2 | 3,4,5", "ring 1,2,3,4,5", "bridge 3 between 1,2 | 4,5", "1-x->2 2->3 slowed".
    /// The digest prints it, so the words for groups and links stay as they were.
    public var text: String {
        let parts = (partition.map { [$0.text] } ?? []) + links.map(\.text)
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}

// MARK: CustomStringConvertible

extension NetworkSummary: CustomStringConvertible {
    public var description: String { text }
}

// MARK: Codable

extension PartitionShape: Codable {
    private enum CodingKeys: String, CodingKey {
        case groups, ring, bridge, halves
    }

    /// `{"groups":[[1,2],[3]]}`, `{"ring":[1,2,3]}`, `{"bridge":3,"halves":[[1],[2]]}`: readable in
    /// the journal.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .groups(let groups): try container.encode(groups, forKey: .groups)
        case .ring(let order): try container.encode(order, forKey: .ring)
        case .bridge(let node, let halves):
            try container.encode(node, forKey: .bridge)
            try container.encode(halves, forKey: .halves)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let groups = try container.decodeIfPresent([[Int]].self, forKey: .groups) {
            self = .groups(groups)
        } else if let order = try container.decodeIfPresent([Int].self, forKey: .ring) {
            self = .ring(order)
        } else {
            self = .bridge(node: try container.decode(Int.self, forKey: .bridge),
                           halves: try container.decode([[Int]].self, forKey: .halves))
        }
    }
}

extension NetworkSummary: Codable {
    private enum CodingKeys: String, CodingKey {
        case text, partition, links
    }

    /// An object with the text beside the data, so a person reading the journal sees "ring 1,2,3".
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encodeIfPresent(partition, forKey: .partition)
        if !links.isEmpty { try container.encode(links, forKey: .links) }
    }

    /// Also reads the string journals written before the network was data ("1,2 | 3", "1-x->2").
    public init(from decoder: any Decoder) throws {
        if let legacy = try? decoder.singleValueContainer().decode(String.self) {
            self.init(legacyText: legacy)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(partition: try container.decodeIfPresent(PartitionShape.self, forKey: .partition),
                  links: try container.decodeIfPresent([LinkState].self, forKey: .links) ?? [])
    }

    /// The old summary text back as data: "none", groups "1,2 | 3,4,5", or links "1-x->2" and
    /// "1->2 slowed" (how a link was slowed was never written, so it comes back with no settings).
    public init(legacyText text: String) {
        self.init()
        let words = text.split(separator: " ").map(String.init)
        if text.contains("|"), !text.contains("->") {
            partition = .groups(text.split(separator: "|").map { group in
                group.split(separator: ",").compactMap { Int($0.filter { $0 != " " }) }
            })
            return
        }
        for word in words {
            let cut = word.split(separator: "-x->", omittingEmptySubsequences: false)
            if cut.count == 2, let from = Int(cut[0]), let to = Int(cut[1]) {
                links.append(LinkState(from: from, to: to, up: false))
                continue
            }
            let slowed = word.split(separator: "->", omittingEmptySubsequences: false)
            if slowed.count == 2, let from = Int(slowed[0]), let to = Int(slowed[1]) {
                links.append(LinkState(from: from, to: to))
            }
        }
    }
}
