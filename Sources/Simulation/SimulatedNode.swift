import Raft
import Replica

/// A simulated machine: the node loop the node process runs (`ReplicaDriver` around a replication
/// core and the services), what it made durable on its "disk", and its own clock.
struct SimulatedNode<Core: ReplicationCore> {
    let id: NodeID
    /// Nil while crashed.
    var replica: ReplicaDriver<Core>?
    /// What survives a crash.
    var disk = PersistentState()
    var flushScheduled = false
    /// Bumped on every crash, so timers and flushes of an earlier life are ignored.
    var incarnation = 0
    /// How fast this node's clock runs against virtual time (1.01: 1 % fast).
    let clockRate: Double
    /// The fraction of a millisecond the tick schedule owes, so ticks keep the clock's rate.
    private var tickRemainderMs = 0.0

    init(id: NodeID, clockRate: Double) {
        self.id = id
        self.clockRate = clockRate
    }

    var isRunning: Bool { replica != nil }

    /// Runs `body` on the live loop in place (reading through the optional would copy the whole
    /// node, arrays and all, at every step); nil while crashed.
    mutating func withReplica<Result>(_ body: (inout ReplicaDriver<Core>) -> Result) -> Result? {
        guard replica != nil else { return nil }
        return body(&replica!)
    }

    /// Starts (or restarts) `core`, restored from what is on disk.
    mutating func boot(core: Core, settings: ReplicaSettings) {
        precondition(replica == nil, "bug: booting node \(id) while it runs")
        do {
            replica = try ReplicaDriver(core: core, restoring: disk, settings: settings)
        } catch {
            preconditionFailure("bug: simulation built an invalid node: \(error)")
        }
        flushScheduled = false
    }

    /// Loses everything not yet durable.
    mutating func crash() {
        replica = nil
        incarnation += 1
        flushScheduled = false
    }

    /// Virtual milliseconds until this node's next tick of `tickMs` on its own clock.
    mutating func nextTickDelayMs(tickMs: Int) -> Int {
        let due = Double(tickMs) / clockRate + tickRemainderMs
        let whole = max(1, Int(due))
        tickRemainderMs = due - Double(whole)
        return whole
    }

    /// Makes a batch durable, as the node runtime's WAL does.
    mutating func persist(_ batch: Ready) {
        if let snapshot = batch.snapshot {
            disk.snapshot = snapshot
            disk.entries = []
        }
        if let hardState = batch.hardState {
            disk.hardState = hardState
        }
        if let first = batch.entries.first {
            disk.entries.removeAll { $0.index >= first.index }
            disk.entries.append(contentsOf: batch.entries)
        }
    }

    /// Stores the node's own snapshot and drops the entries it covers, as the WAL's compaction does.
    mutating func store(_ snapshot: Snapshot) {
        disk.snapshot = snapshot
        disk.entries.removeAll { $0.index <= snapshot.position.index }
    }
}

/// Which directed links are cut. A plain matrix: iteration order never depends on hashing.
struct LinkTable {
    private let nodeCount: Int
    private var cut: [Bool]

    init(nodeCount: Int) {
        self.nodeCount = nodeCount
        cut = Array(repeating: false, count: nodeCount * nodeCount)
    }

    func isCut(from: NodeID, to: NodeID) -> Bool {
        cut[(from - 1) * nodeCount + (to - 1)]
    }

    mutating func healAll() {
        cut = Array(repeating: false, count: nodeCount * nodeCount)
    }

    /// Splits the nodes into two groups that cannot reach each other; returns "1,2 | 3,4,5".
    mutating func split(using random: inout SeededRandom) -> String {
        healAll()
        let ids = Array(1...nodeCount)
        let sideA = ids.filter { _ in Bool.random(using: &random) }
        let inA = ids.map { sideA.contains($0) }
        for from in ids {
            for to in ids where inA[from - 1] != inA[to - 1] {
                cut[(from - 1) * nodeCount + (to - 1)] = true
            }
        }
        let sideB = ids.filter { !inA[$0 - 1] }
        let names = [sideA, sideB].map { $0.map(String.init).joined(separator: ",") }
        return names.joined(separator: " | ")
    }

    /// Cuts one direction of one link (on top of whatever is cut already); returns "2->4".
    mutating func cutOneWay(using random: inout SeededRandom) -> String {
        let from = Int.random(in: 1...nodeCount, using: &random)
        var to = Int.random(in: 1...nodeCount, using: &random)
        if to == from { to = from % nodeCount + 1 }
        cut[(from - 1) * nodeCount + (to - 1)] = true
        return "\(from)->\(to)"
    }
}
