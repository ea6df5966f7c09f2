/// A node named by its id, or whichever node is the leader when the command runs.
public enum NodeRef: Equatable, Sendable {
    /// Node `N`, counted from 1.
    case id(Int)
    /// The node that is leader at the moment the command runs.
    case leader
}

/// How fast timers run.
public enum Pace: Equatable, Sendable {
    /// Slow enough to follow by eye: heartbeat 500 ms, election timeout 1.5–3 s.
    case teach
    /// The Raft paper's timings: heartbeat 50 ms, election timeout 150–300 ms.
    case real
    /// A multiplier of `real`'s timer durations: 2 makes every timeout twice as long (slower),
    /// 0.5 half as long; `teach` is about 10.
    case factor(Double)
}

/// Settings for one directed link; `nil` leaves a setting as it is.
public struct LinkSettings: Equatable, Sendable {
    /// Fixed delay added to every message, in milliseconds.
    public var delayMs: Int?
    /// Random extra delay, up to this many milliseconds.
    public var jitterMs: Int?
    /// Share of messages dropped, 0 to 100.
    public var lossPercent: Double?
    /// Share of messages delivered twice, 0 to 100.
    public var duplicatePercent: Double?

    /// Creates settings; every setting left out stays unchanged on the link.
    public init(
        delayMs: Int? = nil,
        jitterMs: Int? = nil,
        lossPercent: Double? = nil,
        duplicatePercent: Double? = nil
    ) {
        self.delayMs = delayMs
        self.jitterMs = jitterMs
        self.lossPercent = lossPercent
        self.duplicatePercent = duplicatePercent
    }

    /// True when no setting is given.
    public var isEmpty: Bool {
        delayMs == nil && jitterMs == nil && lossPercent == nil && duplicatePercent == nil
    }
}

/// One parsed line of the command language, shared by the shell, `ctl`, the TUI and scenario files.
///
/// Node ids have already been checked against the cluster size given to the parser, durations are
/// whole milliseconds, and percentages are within 0...100.
public indirect enum Command: Equatable, Sendable {
    /// `start N [--frozen]`: start a fresh cluster of 1 to 9 nodes, frozen (to step its first
    /// election) when asked.
    case start(nodes: Int, frozen: Bool = false)
    /// `kill N|leader`: SIGKILL a node; its data directory is kept.
    case kill(NodeRef)
    /// `pause N|leader`: SIGSTOP a node.
    case pause(NodeRef)
    /// `resume N`: SIGCONT a paused node (always an id).
    case resume(NodeRef)
    /// `restart N`: start a node again on its existing data directory (always an id).
    case restart(NodeRef)
    /// `wipe N`: restart a node with an empty data directory (always an id). Disk loss is outside
    /// Raft's fault model.
    case wipe(NodeRef)
    /// `partition 1,2 | 3,4,5`: groups that can talk within but not across.
    case partition([[Int]])
    /// `partition ring [A,B,C,…]`: Jepsen's ring of overlapping majorities, nodes in the order given
    /// (nil: by id). Each node hears itself and its nearest ring neighbours, a bare majority in all.
    case partitionRing(order: [Int]?)
    /// `partition bridge [N|leader] [between A,B | C,D]`: two halves that cannot talk to each other,
    /// and node N in both (nil: the middle id). Without halves, the other nodes split in id order.
    case partitionBridge(node: NodeRef?, halves: [[Int]]?)
    /// `isolate N|leader`: cut a node off from every other node, both ways.
    case isolate(NodeRef)
    /// `transfer N`: the leader hands leadership to node N (etcd's move-leader).
    case transfer(to: Int)
    /// `member add|promote N|remove N|list`: change or list the cluster's membership (etcd).
    case member(MemberChange)
    /// `cut A->B`: drop every message from A to B (one way).
    case cut(from: Int, to: Int)
    /// `link A->B delay 20ms …`: degrade the directed link from A to B.
    case link(from: Int, to: Int, LinkSettings)
    /// `heal`: remove every partition, cut and link setting.
    case heal
    /// `freeze`: stop clocks and hold every message between nodes.
    case freeze
    /// `step [K]`: while frozen, deliver the next K held messages.
    case step(count: Int)
    /// `thaw`: end a freeze.
    case thaw
    /// `pace teach|real|FACTOR`: set the timer speed.
    case pace(Pace)
    /// `put K V`: write a value through the leader.
    case put(key: String, value: String)
    /// `get K [--stale --node N]`: a linearizable read, or a stale read from node N's local state.
    case get(key: String, staleNode: Int?)
    /// `del K`: delete a key through the leader.
    case del(key: String)
    /// `cas K OLD NEW`: compare-and-set through the leader.
    case cas(key: String, old: String, new: String)
    /// `status`: show every node and the current faults.
    case status
    /// `log N|leader`: show a node's log.
    case log(NodeRef)
    /// `wait leader [within D]`: wait until a leader is known, giving up after D when given.
    case waitLeader(withinMs: Int?)
    /// `sleep D`: wait before the next command.
    case sleep(ms: Int)
    /// `help [NAME]`: the command list, or one command's help.
    case help(topic: String?)
    /// `quit`: leave, stopping every node.
    case quit
    /// `timeout N|leader`: fire a node's election timer now (forces an election, or a split vote).
    case timeout(NodeRef)
    /// `skew N FACTOR`: node N's clock runs FACTOR times as fast (1 = normal).
    case skew(node: Int, factor: Double)
    /// `set prevote|checkquorum|fsync on|off`: switch a Raft feature while the cluster runs.
    case set(Setting, Bool)
    /// `COMMAND as NAME`: a client command issued by the named client (its own session).
    case asClient(String, Command)
    /// `client pause|resume NAME`: stall a client (renewals included) or wake it; `clients` lists them.
    case clientPause(String, Bool)
    case clients
    /// `put K V --fence TOKEN`: a write the store refuses if a higher token already wrote K.
    case fencedPut(key: String, value: String, token: Int)
    /// `lock NAME [ttl D]`: acquire (waiting in line); `unlock NAME`; `locks`: list them.
    case lock(name: String, ttlMs: Int?)
    case unlock(name: String)
    case locks
    /// `campaign NAME VALUE [ttl D]`: join an election; `resign NAME`; `leader NAME`: who leads it.
    case campaign(name: String, value: String, ttlMs: Int?)
    case resign(name: String)
    case electionLeader(name: String)
    /// `wait elected NAME [within D]`: wait until this command's client leads election NAME.
    case waitElected(name: String, withinMs: Int?)
    /// `check`: check the session's client history so far for linearizability.
    case check
    /// `back [N]`: the simulated cluster goes back N delivered messages (time travel).
    case back(messages: Int)
    /// `seek T|+D|-D|end|next|prev`: the simulated cluster goes to another moment of its run.
    case seek(SeekTarget)
    /// `show heartbeats` / `hide heartbeats`: whether the console's message timeline shows heartbeats
    /// (Heartbeat and HeartbeatResp, this Raft's empty appends). Only the timeline changes: the
    /// nodes go on sending them.
    case heartbeats(shown: Bool)

    /// Commands a named client issues (they accept `as NAME`).
    /// `wait …`: a lesson fails when one does not get what it waits for.
    public var isWait: Bool {
        switch self {
        case .waitLeader, .waitElected, .asClient(_, .waitElected): true
        default: false
        }
    }

    public var takesClient: Bool {
        switch self {
        case .put, .get, .del, .cas, .fencedPut, .lock, .unlock, .campaign, .resign, .waitElected: true
        default: false
        }
    }
}

/// A feature `set` switches on or off.
public enum Setting: String, Equatable, Sendable, CaseIterable {
    case prevote, checkquorum, fsync
}

/// Why a line could not be parsed: a one-line message, where, and how the command is used.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, in words, without the column or usage.
    public var message: String
    /// 1-based column (in characters) of the offending input; one past the end for missing input.
    public var column: Int
    /// The usage line of the command, when the command is known.
    public var usage: String?

    /// Creates an error.
    public init(message: String, column: Int, usage: String? = nil) {
        self.message = message
        self.column = column
        self.usage = usage
    }

    /// One line: `column C: MESSAGE (usage: USAGE)`; the usage part only when known.
    public var description: String {
        guard let usage else { return "column \(column): \(message)" }
        return "column \(column): \(message) (usage: \(usage))"
    }
}

/// Where `seek` goes on the simulated cluster's time line.
public enum SeekTarget: Equatable, Sendable {
    /// An instant of the run, in milliseconds since it began (`seek 12.5s`, `seek 0`).
    case at(ms: Int)
    /// Forward or back by a duration (`seek +3s`, `seek -3s`).
    case by(ms: Int)
    /// The end of the recorded future (`seek end`).
    case end
    /// The next or previous recorded moment that matters: a role change, a fault, a command
    /// (`seek next`, `seek prev`).
    case event(forward: Bool)
}

/// What `member` does to the cluster's membership (etcd's member API).
public enum MemberChange: Equatable, Sendable {
    /// `member add`: a new member joins as a learner (it copies the log but does not vote).
    case add
    /// `member promote N`: learner N becomes a voting member.
    case promote(Int)
    /// `member remove N|leader`: the member leaves the cluster for good.
    case remove(NodeRef)
    /// `member list`: the members as etcd lists them.
    case list
}
