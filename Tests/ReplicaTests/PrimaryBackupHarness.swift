import Raft
@testable import Replica
import Services

/// A few primary/backup nodes wired together in memory: every message is delivered at once unless
/// its link is cut, and each node runs the real loop (`ReplicaDriver`) with the services.
struct PrimaryBackupHarness {
    var nodes: [ReplicaDriver<PrimaryBackup>]
    /// Directed links that drop messages.
    var cut: Set<[NodeID]> = []
    var replies: [UInt64: ClientReply.Outcome] = [:]
    var events: [String] = []
    private var nextRequest: UInt64 = 1
    private var inFlight: [Message] = []

    init(count: Int, acknowledgement: Acknowledgement = .async, bugs: Set<BugKnob> = []) throws {
        let members = Array(1...count)
        nodes = try members.map { id in
            var config = PrimaryBackupConfig(id: id, members: members)
            config.heartbeatTicks = 1
            config.downTicks = 5
            config.acknowledgement = acknowledgement
            config.randomSeed = UInt64(id) * 7919
            config.bugs = bugs
            let settings = ReplicaSettings(tickMs: 10, heartbeatTicks: 1, snapshotEvery: 1_000, bugs: bugs)
            return try ReplicaDriver(core: PrimaryBackup(config: config), restoring: PersistentState(),
                                     settings: settings)
        }
    }

    func core(_ id: NodeID) -> PrimaryBackup { nodes[id - 1].core }
    var primaries: [NodeID] { nodes.filter { $0.core.role == .primary }.map(\.core.config.id) }

    /// Ticks node `id` only (the others' clocks stand still), then delivers everything.
    mutating func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times {
            nodes[id - 1].tick()
            settle()
        }
    }

    /// Ticks every node `times` times, delivering after each round.
    mutating func tickAll(_ times: Int) {
        for _ in 0..<times {
            for index in nodes.indices { nodes[index].tick() }
            settle()
        }
    }

    /// Makes `id` primary: its down timer fires first while the others' stand still.
    mutating func elect(_ id: NodeID) {
        nodes[id - 1].campaignNow()
        settle()
    }

    mutating func isolate(_ id: NodeID) {
        for other in 1...nodes.count where other != id {
            cut.insert([id, other])
            cut.insert([other, id])
        }
    }

    mutating func heal() { cut = [] }

    /// Sends a put to `node`; returns the request id (its answer lands in `replies`).
    @discardableResult
    mutating func put(_ key: String, _ value: String, on node: NodeID) -> UInt64 {
        let id = nextRequest
        nextRequest += 1
        nodes[node - 1].receive(ClientRequest(requestID: id, session: nil,
                                              operation: .write(.put(key: key, value: value))))
        settle()
        return id
    }

    func value(_ key: String, on node: NodeID) -> String? {
        nodes[node - 1].services.value(of: key)
    }

    /// Runs every node's loop and delivers messages until nothing moves.
    mutating func settle() {
        for _ in 0..<1_000 {
            var moved = false
            for index in nodes.indices where nodes[index].hasWork {
                moved = true
                collect(nodes[index].process())
            }
            let messages = inFlight
            inFlight = []
            for message in messages where !cut.contains([message.from, message.to]) {
                moved = true
                nodes[message.to - 1].step(message)
            }
            if !moved { return }
        }
        preconditionFailure("test harness: the cluster never settled")
    }

    private mutating func collect(_ effects: ReplicaEffects) {
        for action in effects.actions {
            switch action {
            case .sendEarly(let messages), .send(let messages): inFlight += messages
            case .reply(let reply): replies[reply.requestID] = reply.outcome
            case .event(let event): events.append(event.text)
            case .persist, .storeSnapshot, .applied, .readConfirmed: break
            }
        }
    }
}

