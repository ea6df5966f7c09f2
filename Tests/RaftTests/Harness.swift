@testable import Raft

// MARK: Building nodes

/// A config for node `id` in a cluster of `1...count`, with a per-node seed so elections are deterministic.
func makeConfig(id: NodeID, count: Int, preVote: Bool = true, checkQuorum: Bool = true,
                electionTicks: Int = 10, heartbeatTicks: Int = 1, bugs: Set<BugKnob> = [],
                configure: (inout Config) -> Void = { _ in }) -> Config {
    var config = Config(id: id, members: Array(1...count))
    config.preVote = preVote
    config.checkQuorum = checkQuorum
    config.electionTicks = electionTicks
    config.heartbeatTicks = heartbeatTicks
    config.randomSeed = UInt64(id) &* 7919
    config.bugs = bugs
    configure(&config)
    return config
}

/// Creates one node, failing the test (by trapping) if the config is invalid.
func makeNode(_ config: Config, restoring state: PersistentState = PersistentState()) -> RaftNode {
    do {
        return try RaftNode(config: config, restoring: state)
    } catch {
        fatalError("invalid test config: \(error)")
    }
}

/// Creates nodes `1...count` with the same options.
func makeNodes(_ count: Int, preVote: Bool = true, checkQuorum: Bool = true, bugs: Set<BugKnob> = [],
               configure: (inout Config) -> Void = { _ in }) -> [RaftNode] {
    (1...count).map {
        makeNode(makeConfig(id: $0, count: count, preVote: preVote, checkQuorum: checkQuorum, bugs: bugs,
                            configure: configure))
    }
}

/// Entries with the given terms at indexes 1, 2, 3...
func log(terms: [Term]) -> [Entry] {
    terms.enumerated().map { Entry(term: $1, index: $0 + 1, kind: .command, data: [UInt8($0 + 1)]) }
}

// MARK: Driving a single node

extension RaftNode {
    /// Takes the pending work, "does" it and advances; returns what was handed out.
    @discardableResult
    mutating func drain() -> Ready {
        let batch = ready()
        advance(batch)
        return batch
    }

    /// Takes and advances just the pending messages.
    mutating func drainMessages() -> [Message] {
        drain().messages
    }
}

func message(from: NodeID, to: NodeID, term: Term, _ body: MessageBody) -> Message {
    Message(from: from, to: to, term: term, body: body)
}

/// Makes node 1 of a `count`-node cluster (pre-vote off) leader of `term + 1` with `entries` in its log by
/// stepping granted votes. The vote requests are drained; so is the leader's first output (the no-op and
/// its appends) unless `drainOutput` is false.
func makeLeader(count: Int = 3, term: Term = 0, entries: [Entry] = [], bugs: Set<BugKnob> = [],
                checkQuorum: Bool = true, drainOutput: Bool = true,
                configure: (inout Config) -> Void = { _ in }) -> RaftNode {
    var node = makeNode(
        makeConfig(id: 1, count: count, preVote: false, checkQuorum: checkQuorum, bugs: bugs,
                   configure: configure),
        restoring: PersistentState(hardState: HardState(term: term), entries: entries))
    node.campaignNow()
    node.drain()
    for voter in 2...count where node.role != .leader {
        node.step(message(from: voter, to: 1, term: term + 1, .voteResponse(.granted)))
    }
    precondition(node.role == .leader, "test setup: node 1 did not win")
    if drainOutput { node.drain() }
    return node
}

// MARK: A deterministic network

/// Nodes plus their "disks" and "state machines", with a network that delivers every message unless the
/// filter drops it. Everything runs in node-id order, so a test replays exactly.
struct Network {
    private(set) var configs: [NodeID: Config] = [:]
    var nodes: [NodeID: RaftNode] = [:]
    /// What each node made durable (its Ready's snapshot, hard state and entries).
    private(set) var storage: [NodeID: PersistentState] = [:]
    /// Entries each node's state machine applied, in order, since its last snapshot restore.
    private(set) var applied: [NodeID: [Entry]] = [:]
    /// Snapshots each node's state machine restored from.
    private(set) var restoredSnapshots: [NodeID: [Snapshot]] = [:]
    private(set) var readStates: [NodeID: [ReadState]] = [:]
    private(set) var abortedReads: [NodeID: [UInt64]] = [:]
    /// Every message delivered, in order.
    private(set) var delivered: [Message] = []
    /// Every hard state made durable per node, in order.
    private(set) var hardStates: [NodeID: [HardState]] = [:]
    /// Return false to drop a message.
    var filter: (Message) -> Bool = { _ in true }
    /// Nodes cut off from everyone (messages to and from them are dropped).
    var isolated: Set<NodeID> = []

    init(_ count: Int, preVote: Bool = true, checkQuorum: Bool = true, bugs: Set<BugKnob> = [],
         configure: (inout Config) -> Void = { _ in }) {
        for id in 1...count {
            let config = makeConfig(id: id, count: count, preVote: preVote, checkQuorum: checkQuorum,
                                    bugs: bugs, configure: configure)
            configs[id] = config
            nodes[id] = makeNode(config)
            storage[id] = PersistentState()
        }
    }

    var ids: [NodeID] { nodes.keys.sorted() }

    subscript(id: NodeID) -> RaftNode { nodes[id]! }

    var leaders: [NodeID] { ids.filter { nodes[$0]!.role == .leader } }

    private func allows(_ message: Message) -> Bool {
        !isolated.contains(message.from) && !isolated.contains(message.to) && filter(message)
    }

    /// Hands out every node's Ready (persist, then send, then apply, then advance) and delivers the
    /// messages, until nothing is left. Returns the number of rounds it took.
    @discardableResult
    mutating func stabilize(maxRounds: Int = 1_000) -> Int {
        for round in 0..<maxRounds {
            var outgoing: [Message] = []
            for id in ids where nodes[id]!.hasReady {
                let batch = nodes[id]!.ready()
                persist(batch, on: id)
                outgoing.append(contentsOf: batch.messages)
                apply(batch, on: id)
                nodes[id]!.advance(batch)
            }
            if outgoing.isEmpty { return round }
            for message in outgoing where allows(message) && nodes[message.to] != nil {
                delivered.append(message)
                nodes[message.to]!.step(message)
            }
        }
        preconditionFailure("network did not settle in \(maxRounds) rounds")
    }

    private mutating func persist(_ batch: Ready, on id: NodeID) {
        var disk = storage[id]!
        if let snapshot = batch.snapshot {
            // A snapshot from the leader replaces the whole log.
            disk.snapshot = snapshot
            disk.entries = []
        }
        if let hardState = batch.hardState {
            disk.hardState = hardState
            hardStates[id, default: []].append(hardState)
        }
        if let first = batch.entries.first {
            disk.entries.removeAll { $0.index >= first.index }
            disk.entries.append(contentsOf: batch.entries)
        }
        storage[id] = disk
    }

    private mutating func apply(_ batch: Ready, on id: NodeID) {
        if let snapshot = batch.snapshot {
            restoredSnapshots[id, default: []].append(snapshot)
            applied[id] = []
        }
        applied[id, default: []].append(contentsOf: batch.committedEntries)
        readStates[id, default: []].append(contentsOf: batch.readStates)
        abortedReads[id, default: []].append(contentsOf: batch.abortedReads)
    }

    /// Ticks every node once (in id order), settling the network after each tick.
    mutating func tick(_ times: Int = 1, only: Set<NodeID>? = nil) {
        for _ in 0..<times {
            for id in ids where only?.contains(id) ?? true {
                nodes[id]!.tick()
            }
            stabilize()
        }
    }

    /// Fires node `id`'s election timer and settles.
    mutating func campaign(_ id: NodeID) {
        nodes[id]!.campaignNow()
        stabilize()
    }

    mutating func propose(_ data: [UInt8], at id: NodeID) -> Result<LogPosition, ProposalError> {
        let result = nodes[id]!.propose(data)
        stabilize()
        return result
    }

    /// The application snapshots node `id` through `index` and stores the snapshot itself.
    mutating func compact(_ id: NodeID, through index: LogIndex) {
        nodes[id]!.compact(through: index, snapshotData: [UInt8(truncatingIfNeeded: index)])
        guard let snapshot = nodes[id]!.snapshot, snapshot.position.index == index else { return }
        storage[id]!.snapshot = snapshot
        storage[id]!.entries.removeAll { $0.index <= index }
    }

    /// Crashes node `id` and starts it again from what it made durable.
    mutating func restart(_ id: NodeID) {
        nodes[id] = makeNode(configs[id]!, restoring: storage[id]!)
        applied[id] = []
    }

    /// The messages delivered since `start` that match `predicate`.
    func deliveredMessages(since start: Int = 0, where predicate: (Message) -> Bool) -> [Message] {
        delivered[start...].filter(predicate)
    }
}

// MARK: Reading messages

extension MessageBody {
    var appendRequest: AppendRequest? {
        if case .append(let request) = self { return request }
        return nil
    }

    var appendResponse: AppendResponse? {
        if case .appendResponse(let response) = self { return response }
        return nil
    }

    /// Whether a vote response granted, nil for any other message.
    var voteGranted: Bool? {
        if case .voteResponse(let answer) = self { return answer.isGranted }
        return nil
    }

    /// Whether a pre-vote response granted, nil for any other message.
    var preVoteGranted: Bool? {
        if case .preVoteResponse(let answer) = self { return answer.isGranted }
        return nil
    }

    /// The read round a heartbeat carries, nil for any other message.
    var heartbeatReadRound: Int? {
        if case .heartbeat(_, let round) = self { return round }
        return nil
    }

    var isSnapshot: Bool {
        if case .installSnapshot = self { return true }
        return false
    }
}

extension Array where Element == Message {
    /// The appends among these messages addressed to `peer`.
    func appends(to peer: NodeID) -> [AppendRequest] {
        filter { $0.to == peer }.compactMap(\.body.appendRequest)
    }
}
