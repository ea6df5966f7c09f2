import Raft

/// One thing that happened in a simulation, kept for the readable trace.
public enum TraceEvent: Sendable {
    case deliver(Message)
    case drop(Message, reason: String)
    case roleChange(node: NodeID, role: String, term: Term)
    case commit(node: NodeID, index: LogIndex)
    /// `during`: what the node was doing when killed (nil: between steps).
    case crash(node: NodeID, during: String?)
    case restart(node: NodeID)
    case partition(String)
    case heal
    case propose(node: NodeID, index: LogIndex)
    case snapshotInstalled(node: NodeID, index: LogIndex)
    case phase(String)
    /// A client's operation ended, or a client paused.
    case client(String)
}

/// A bounded ring of recent events plus a running hash of every event, so two runs of one seed can be
/// compared cheaply and a failure can show its last steps.
public struct Trace: Sendable {
    public let capacity: Int
    private var ring: [(timeMs: Int, event: TraceEvent)] = []
    private var nextSlot = 0
    /// A multiply-xorshift hash over every recorded event's essentials.
    public private(set) var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    public private(set) var count = 0

    public init(capacity: Int = 60) {
        self.capacity = capacity
    }

    mutating func record(_ event: TraceEvent, atMs timeMs: Int) {
        mix(timeMs)
        mixEssentials(of: event)
        count += 1
        if ring.count < capacity {
            ring.append((timeMs, event))
        } else {
            ring[nextSlot] = (timeMs, event)
        }
        nextSlot = (nextSlot + 1) % capacity
    }

    /// The recorded events, oldest first, as readable lines.
    public func tail() -> [String] {
        let ordered = ring.count < capacity ? ring : Array(ring[nextSlot...] + ring[..<nextSlot])
        return ordered.map { Self.format($0.event, atMs: $0.timeMs) }
    }

    private mutating func mix(_ value: Int) {
        hash = (hash ^ UInt64(bitPattern: Int64(value))) &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 29
    }

    private mutating func mixEssentials(of event: TraceEvent) {
        switch event {
        case .deliver(let message):
            mix(1); mix(message.from); mix(message.to); mix(message.term); mix(message.body.entryCount)
        case .drop(let message, _):
            mix(2); mix(message.from); mix(message.to); mix(message.term)
        case .roleChange(let node, let role, let term):
            mix(3); mix(node); for byte in role.utf8 { mix(Int(byte)) }; mix(term)
        case .commit(let node, let index):
            mix(4); mix(node); mix(index)
        case .crash(let node, let during): mix(5); mix(node); mix(during?.utf8.count ?? 0)
        case .restart(let node): mix(6); mix(node)
        case .partition(let text): mix(7); mix(text.utf8.count)
        case .heal: mix(8)
        case .propose(let node, let index): mix(9); mix(node); mix(index)
        case .snapshotInstalled(let node, let index): mix(10); mix(node); mix(index)
        case .phase(let text): mix(11); mix(text.utf8.count)
        case .client(let text): mix(12); mix(text.utf8.count)
        }
    }

    static func format(_ event: TraceEvent, atMs timeMs: Int) -> String {
        return formatTime(ms: timeMs) + "  " + describe(event)
    }

    static func describe(_ event: TraceEvent) -> String {
        switch event {
        case .deliver(let message): "n\(message.from) → n\(message.to)  \(describe(message))"
        case .drop(let message, let reason):
            "n\(message.from) ✗ n\(message.to)  \(describe(message)) (\(reason))"
        case .roleChange(let node, let role, let term): "n\(node) becomes \(role) in term \(term)"
        case .commit(let node, let index): "n\(node) commits through \(index)"
        case .crash(let node, let during): "n\(node) crashes" + (during.map { " during \($0)" } ?? "")
        case .restart(let node): "n\(node) restarts from disk"
        case .partition(let text): "partition \(text)"
        case .heal: "network healed"
        case .propose(let node, let index): "client proposes to n\(node), placed at \(index)"
        case .snapshotInstalled(let node, let index): "n\(node) installs snapshot through \(index)"
        case .phase(let text): "— \(text) —"
        case .client(let text): text
        }
    }

    static func describe(_ message: Message) -> String {
        let head = "\(message.body.name) t\(message.term)"
        switch message.body {
        case .preVote(let request), .vote(let request):
            return head + " last=\(request.lastLogIndex)@t\(request.lastLogTerm)"
        case .preVoteResponse(.granted), .voteResponse(.granted):
            return head + " granted"
        case .preVoteResponse(.refused(let reason)), .voteResponse(.refused(let reason)):
            return head + " refused: \(reason.label)"
        case .append(let request):
            return head + " prev=\(request.prevLogIndex)@t\(request.prevLogTerm) "
                + "entries=\(request.entries.count) commit=\(request.leaderCommit)"
        case .appendResponse(.accepted(let match)):
            return head + " ok match=\(match)"
        case .appendResponse(.rejected(let index, let hintIndex, let hintTerm)):
            return head + " reject \(index) hint=\(hintIndex)@t\(hintTerm)"
        case .heartbeat(let commit, let round):
            return head + " commit=\(commit) round=\(round)"
        case .heartbeatResponse(let round):
            return head + " round=\(round)"
        case .installSnapshot(let snapshot):
            return head + " through \(snapshot.position.index)@t\(snapshot.position.term)"
        }
    }
}

/// "12.045s", right-aligned, without Foundation.
func formatTime(ms: Int) -> String {
    let milliseconds = String(ms % 1000)
    let text = "\(ms / 1000)." + String(repeating: "0", count: 3 - milliseconds.count) + milliseconds + "s"
    return String(repeating: " ", count: max(0, 9 - text.count)) + text
}
