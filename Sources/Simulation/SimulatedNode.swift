import Raft

/// A simulated machine: the Raft core in memory, what it made durable on its "disk", and its replica.
struct SimulatedNode {
    let id: NodeID
    /// Nil while crashed.
    var raft: RaftNode?
    /// What survives a crash.
    var disk = PersistentState()
    var replica = ReplicaState()
    var flushScheduled = false
    /// Bumped on every crash, so timers and flushes of an earlier life are ignored.
    var incarnation = 0
    /// Highest commit index already reported to the checker in this life.
    var checkedCommit = 0

    init(id: NodeID) {
        self.id = id
    }

    /// Starts (or restarts) from what is on disk.
    mutating func boot(config: Config) {
        precondition(raft == nil, "bug: booting node \(id) while it runs")
        do {
            raft = try RaftNode(config: config, restoring: disk)
        } catch {
            preconditionFailure("bug: simulation built an invalid config: \(error)")
        }
        replica = disk.snapshot.flatMap { ReplicaState(snapshotData: $0.data) } ?? ReplicaState()
        flushScheduled = false
        checkedCommit = disk.snapshot?.position.index ?? 0
    }

    /// Loses everything not yet durable.
    mutating func crash() {
        raft = nil
        incarnation += 1
        flushScheduled = false
    }

    /// Makes a batch durable, as the node runtime's WAL will.
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

    /// Takes a snapshot of the replica and compacts the log once enough entries were applied since the last.
    mutating func compactIfDue(every interval: Int) {
        guard let snapshotIndex = raft?.snapshotPosition.index else { return }
        let applied = replica.appliedIndex
        guard applied - snapshotIndex >= interval else { return }
        raft!.compact(through: applied, snapshotData: replica.snapshotData)
        guard let snapshot = raft!.snapshot, snapshot.position.index == applied else { return }
        disk.snapshot = snapshot
        disk.entries.removeAll { $0.index <= applied }
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
