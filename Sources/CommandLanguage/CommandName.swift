/// Every command word of the language. Adding a case makes the compiler ask for its help text
/// (`spec`) and its parser (`CommandParser.parseArguments`).
enum CommandName: String, CaseIterable, Sendable {
    case start, kill, pause, resume, restart, wipe
    case partition, isolate, cut, link, heal
    case freeze, step, thaw, pace
    case put, get, del, cas
    case status, log
    case wait, sleep
    case help, quit
    case timeout, skew, set, transfer, member
    case client, clients
    case lock, unlock, locks, campaign, resign, leader
    case check
    case show, hide
    case back, seek

    /// What `help NAME` shows, and the usage line errors carry.
    struct Spec: Sendable {
        /// The usage line, like `kill N|leader`.
        var usage: String
        /// One line for the overview.
        var summary: String
        /// One paragraph.
        var description: String
        /// A line that parses.
        var example: String
    }

    /// This command's help.
    var spec: Spec {
        switch self {
        case .start: .start
        case .kill: .kill
        case .pause: .pause
        case .resume: .resume
        case .restart: .restart
        case .wipe: .wipe
        case .partition: .partition
        case .isolate: .isolate
        case .cut: .cut
        case .link: .link
        case .heal: .heal
        case .freeze: .freeze
        case .step: .step
        case .thaw: .thaw
        case .pace: .pace
        case .put: .put
        case .get: .get
        case .del: .del
        case .cas: .cas
        case .status: .status
        case .log: .log
        case .wait: .wait
        case .sleep: .sleep
        case .help: .help
        case .quit: .quit
        case .timeout: .timeout
        case .transfer: .transfer
        case .member: .member
        case .skew: .skew
        case .set: .set
        case .client: .client
        case .clients: .clients
        case .lock: .lock
        case .unlock: .unlock
        case .locks: .locks
        case .campaign: .campaign
        case .resign: .resign
        case .leader: .leader
        case .check: .check
        case .show: .show
        case .hide: .hide
        case .back: .back
        case .seek: .seek
        }
    }
}

// MARK: Help texts

extension CommandName.Spec {
    static let start = Self(
        usage: "start N [--frozen]",
        summary: "start a fresh cluster of N nodes (1 to 9)",
        description: "Starts a new local cluster of N nodes (1 to 9), each its own process with "
            + "its own data directory; in the console the running cluster is stopped first. Odd "
            + "sizes get the most out of each node: 3 nodes survive 1 failure, 5 survive 2. With "
            + "`--frozen` the clocks start stopped and every message is held, so the first "
            + "election can be stepped one message at a time (`step`, or n in the console).",
        example: "start 3 --frozen")
    static let kill = Self(
        usage: "kill N|leader",
        summary: "kill a node (SIGKILL); its data is kept",
        description: "Kills node N, or the current leader, with SIGKILL: no goodbye and nothing "
            + "written beyond what it had already made durable. Its data directory is kept, so "
            + "`restart N` brings it back with its term, vote and log.",
        example: "kill leader")
    static let pause = Self(
        usage: "pause N|leader",
        summary: "freeze a node's process (SIGSTOP)",
        description: "Stops node N, or the current leader, with SIGSTOP. A paused node keeps its "
            + "state but neither sends nor answers; when resumed it may still believe it leads, "
            + "which is how stale leaders are born. Continue it with `resume N`.",
        example: "pause leader")
    static let resume = Self(
        usage: "resume N",
        summary: "continue a paused node (SIGCONT)",
        description: "Continues paused node N with SIGCONT. It takes a node id, not `leader`: "
            + "once a node is paused, the cluster elects another leader, so the paused node "
            + "must be named.",
        example: "resume 2")
    static let restart = Self(
        usage: "restart N",
        summary: "start a killed node again on its own data",
        description: "Starts node N again on its existing data directory: it replays its "
            + "write-ahead log and rejoins with its persisted term, vote and log, then catches "
            + "up from the leader.",
        example: "restart 3")
    static let wipe = Self(
        usage: "wipe N",
        summary: "restart a node with an empty disk (unsafe)",
        description: "Restarts node N with an empty data directory, as if its disk were lost. "
            + "Disk loss is outside Raft's fault model and may break safety: the node forgets "
            + "its vote and log, and can help elect a leader that lacks committed entries. "
            + "Drills never use it; it is here to show why.",
        example: "wipe 3")
    static let partition = Self(
        usage: "partition A,B | C,D or ring or bridge N",
        summary: "cut the network: groups, ring, bridge",
        description: "Splits the cluster into groups: nodes talk within a group but not across. "
            + "Groups are separated by `|`, ids within a group by commas; when the cluster size "
            + "is known every node must be listed exactly once. `partition ring [A,B,C,…]` is "
            + "Jepsen's ring of overlapping majorities: in ring order (by id unless given), each "
            + "node hears itself and its nearest neighbours, a bare majority, and no two nodes "
            + "hear the same one (with 3, 6 or 7 nodes the farthest links work one way). "
            + "`partition bridge [N|leader] [between A,B | C,D]` is Jepsen's bridge: two halves "
            + "that cannot talk, and node N (the middle id unless given) in both, talking to "
            + "everyone. Both need 3 nodes or more. Clients still reach every live node. Undo "
            + "with `heal`.",
        example: "partition 1,2 | 3,4,5")
    static let isolate = Self(
        usage: "isolate N|leader",
        summary: "cut a node off from every other node",
        description: "Cuts node N, or the current leader, off from every other node in both "
            + "directions; clients can still reach it. Undo with `heal`.",
        example: "isolate leader")
    static let cut = Self(
        usage: "cut A->B",
        summary: "drop every message from A to B (one way)",
        description: "Drops every message from node A to node B, in that direction only: B can "
            + "still reach A. One-way failures are what pre-vote and check-quorum exist for. "
            + "Spaces around -> are allowed. Undo with `heal`.",
        example: "cut 1->2")
    static let link = Self(
        usage: "link A->B [delay D] [jitter D] [loss P%] [dup P%]",
        summary: "degrade the link from A to B",
        description: "Degrades the one-way link from node A to node B: a fixed delay plus a "
            + "random jitter (each up to 1m), a percentage of messages lost, a percentage "
            + "delivered twice. Give at least one setting, each at most once; settings left "
            + "out stay as they are. Undo with `heal`.",
        example: "link 1->2 delay 20ms jitter 5ms loss 10%")
    static let heal = Self(
        usage: "heal",
        summary: "remove every partition, cut and link setting",
        description: "Removes every partition, cut, isolation and link setting, so all nodes "
            + "reach each other again. It does not resume paused nodes or restart killed ones.",
        example: "heal")
    static let freeze = Self(
        usage: "freeze",
        summary: "stop the clocks and hold every message",
        description: "Stops every node's clock and holds every message between nodes, so "
            + "nothing happens until you `step`. The timeline shows the held messages. `thaw` "
            + "lets time run again.",
        example: "freeze")
    static let step = Self(
        usage: "step [K]",
        summary: "while frozen, deliver the next K held messages",
        description: "While frozen, delivers the next K held messages (default 1, at most "
            + "10000) in order, so an election or a replication round can be watched one "
            + "message at a time.",
        example: "step 3")
    static let thaw = Self(
        usage: "thaw",
        summary: "end a freeze",
        description: "Ends a freeze: clocks run again and held messages are delivered.",
        example: "thaw")
    static let pace = Self(
        usage: "pace teach|real|FACTOR",
        summary: "set the timer speed",
        description: "Sets how fast timers run. `teach` (heartbeat 500ms, election timeout "
            + "1.5s to 3s) is slow enough to follow by eye; `real` uses the Raft paper's 50ms "
            + "and 150ms to 300ms. A FACTOR (0.1 to 100) multiplies real's timer durations: 2 "
            + "makes every timeout twice as long, 0.5 half as long; teach is about 10.",
        example: "pace 2")
    static let put = Self(
        usage: "put K V",
        summary: "write value V under key K",
        description: "Writes V under key K through the leader; it is acknowledged once a "
            + "majority has it. A retried write keeps its sequence number, so it applies once. "
            + "Keys and values are bare words or double-quoted strings, in which \\\" and \\\\ "
            + "are the only escapes.",
        example: "put color \"deep blue\"")
    static let get = Self(
        usage: "get K [--stale --node N]",
        summary: "read key K (linearizable, or stale from node N)",
        description: "Reads key K linearizably: the leader confirms it still leads (ReadIndex) "
            + "before answering. With `--stale --node N` it reads node N's local copy instead, "
            + "with no check, to show how far a replica lags; the two options go together.",
        example: "get color --stale --node 3")
    static let del = Self(
        usage: "del K",
        summary: "delete key K",
        description: "Deletes key K through the leader, acknowledged like a write.",
        example: "del color")
    static let cas = Self(
        usage: "cas K OLD NEW",
        summary: "set K to NEW only if it is OLD",
        description: "Compare-and-set through the leader: writes NEW under K only if its "
            + "current value is OLD, in one step, and reports whether it did.",
        example: "cas color blue green")
    static let status = Self(
        usage: "status",
        summary: "show every node and the current faults",
        description: "Shows each node's role, term, last log index and commit index, and the "
            + "faults in force: partitions, cuts, link settings, paused and killed nodes.",
        example: "status")
    static let log = Self(
        usage: "log N|leader",
        summary: "show a node's log",
        description: "Shows the log of node N, or of the current leader: index, term and "
            + "command of each entry, with the commit point marked.",
        example: "log leader")
    static let wait = Self(
        usage: "wait leader|elected NAME [within D]",
        summary: "wait for a leader, or to lead an election",
        description: "`wait leader` waits until the cluster has a leader; `wait elected NAME as C` "
            + "waits until client C leads election NAME. With `within D` (up to 60m) it gives up "
            + "after D and fails, so a scenario fails instead of hanging; without it the console "
            + "applies its own default limit.",
        example: "wait leader within 5s")
    static let sleep = Self(
        usage: "sleep D",
        summary: "wait for a duration",
        description: "Waits for D before the next command. Durations are written 500ms, 2s, "
            + "1.5s or 1m (whole milliseconds, up to 60m).",
        example: "sleep 2s")
    static let help = Self(
        usage: "help [NAME]",
        summary: "list the commands, or explain one",
        description: "Without a name, lists every command with a one-line summary; with a "
            + "name, shows that command's usage, a description and an example.",
        example: "help partition")
    static let quit = Self(
        usage: "quit",
        summary: "leave, stopping every node",
        description: "Leaves ClusterDeck and stops every node it started.",
        example: "quit")
    static let transfer = Self(
        usage: "transfer N",
        summary: "the leader hands leadership to node N (etcd)",
        description: "Asks the leader to hand leadership to node N at once: etcd's move-leader "
            + "(`/v3/maintenance/transfer-leadership`), which catches N up and tells it to campaign. "
            + "On etcd only; on ClusterDeck's nodes `timeout N` makes node N campaign.",
        example: "transfer 2")
    static let member = Self(
        usage: "member add|promote N|remove N|leader|list",
        summary: "add, promote or remove an etcd member",
        description: "`member add` asks etcd to add a learner and starts it through the console's launcher and "
            + "proxy as the next node; a learner copies the log but does not vote until `member promote N` "
            + "(etcd promotes only a learner that has caught up). `member remove N|leader` takes N out of "
            + "the cluster for good and stops it; `member list` shows etcd's member list. Up to 9 nodes over a "
            + "console's life: a removed node's number is reused by the next add. On etcd only.",
        example: "member add")
    static let timeout = Self(
        usage: "timeout N|leader",
        summary: "fire a node's election timer now",
        description: "Makes the node start an election at once, as if its election timeout had "
            + "elapsed: force an election, or two at once for a split vote. It answers with what "
            + "the node will do under the current settings: while pre-vote or check-quorum is on, "
            + "nodes that hear from a leader refuse the campaign, and the vote replies on the "
            + "timeline say why (`set prevote off` and `set checkquorum off` to see it run). A "
            + "leader does nothing.",
        example: "timeout 3")
    static let skew = Self(
        usage: "skew N FACTOR",
        summary: "make a node's clock run fast or slow",
        description: "Node N's clock runs FACTOR times as fast (0.1 to 10; 1 is normal): its heartbeats "
            + "and election timeouts shorten or stretch, and while it leads, lock leases measured by "
            + "its clock expire sooner or later.",
        example: "skew 2 3")
    static let set = Self(
        usage: "set prevote|checkquorum|fsync on|off",
        summary: "switch a Raft feature on or off",
        description: "Switches pre-vote, check-quorum or the write-ahead log's fsync on every node, now "
            + "and after restarts. Turning pre-vote off shows how a rejoining node disrupts the "
            + "cluster; fsync off is faster but a crash may lose acknowledged writes. The header "
            + "shows what is off.",
        example: "set prevote off")
    static let client = Self(
        usage: "client pause|resume NAME",
        summary: "stall a named client, or wake it",
        description: "A paused client does nothing, lease renewals included, like a process stalled by "
            + "garbage collection or a VM pause; resumed, it still believes what it believed before. "
            + "Name a client on any client command with `as NAME` (e.g. `put x 1 as alice`).",
        example: "client pause alice")
    static let clients = Self(
        usage: "clients",
        summary: "list the named clients",
        description: "Lists the clients that have issued commands, their next sequence number and "
            + "whether they are paused.",
        example: "clients")
    static let lock = Self(
        usage: "lock NAME [ttl D]",
        summary: "acquire a lock (wait in line), get a fencing token",
        description: "Acquires lock NAME for the client (`as C`), waiting first-come first-served "
            + "behind its holder, and returns a fencing token that strictly increases with every "
            + "grant. The client renews its lease (default ttl 10s) until it unlocks or is paused; "
            + "time comes from clock entries the Raft leader proposes.",
        example: "lock L ttl 5s as alice")
    static let unlock = Self(
        usage: "unlock NAME",
        summary: "release a lock (or leave its queue)",
        description: "Releases lock NAME held by the client; the next waiter gets it with a larger "
            + "token. A waiting client leaves the queue.",
        example: "unlock L as alice")
    static let locks = Self(
        usage: "locks",
        summary: "list locks: holder, token, lease left, waiters",
        description: "Shows every lock as the leader's replica sees it: holder, fencing token, "
            + "how long its lease still runs, and the waiters in order.",
        example: "locks")
    static let campaign = Self(
        usage: "campaign NAME VALUE [ttl D]",
        summary: "run for leader of an election (returns at once)",
        description: "Enters the client into election NAME with VALUE (etcd's Campaign) and returns "
            + "at once; the first live candidate leads. Leadership passes on when the leader "
            + "resigns or its client's lease expires. Use `wait elected NAME as C` to wait.",
        example: "campaign primary db-1 as alice")
    static let resign = Self(
        usage: "resign NAME",
        summary: "give up leading an election (or leave it)",
        description: "The client resigns election NAME; the next candidate leads with a new revision.",
        example: "resign primary as alice")
    static let leader = Self(
        usage: "leader NAME",
        summary: "show who leads an election, its value and revision",
        description: "Shows the leader of election NAME (etcd's Observe, once): client, value and "
            + "revision (the log index that made it leader), and the candidates in line.",
        example: "leader primary")
    static let back = Self(
        usage: "back [N]",
        summary: "go back N delivered messages (simulated cluster)",
        description: "On the simulated cluster (`--simulate SEED`), goes back to the moment before "
            + "the last N messages were delivered (default 1): the panes, timeline, events and history "
            + "are what they were then, recomputed from the seed and the commands recorded. Time then "
            + "runs on through the recorded future; any command given there forks: the recorded "
            + "future is dropped. Key: b.",
        example: "back 20")
    static let seek = Self(
        usage: "seek T|+D|-D|end|next|prev",
        summary: "go to another moment of the run (simulated cluster)",
        description: "On the simulated cluster, goes to instant T of the run (`seek 12.5s`, `seek 0`), "
            + "forward or back by D (`seek +3s`, `seek -3s`), to the end of the recorded future "
            + "(`seek end`), or to the next or previous moment that matters — a role change, a fault, "
            + "a command (`seek next`, `seek prev`). Keys: ← → (1 s), [ ] (moments).",
        example: "seek -3s")
    static let check = Self(
        usage: "check",
        summary: "check the client history for linearizability",
        description: "Checks every client operation of this session so far against the key-value "
            + "store (one register per key) and the lock service (one holder at a time, increasing "
            + "fencing tokens), and prints `linearizable: yes` or the operations no order explains, "
            + "as a timeline with one sentence. Unknown writes may or may not have applied; stale "
            + "reads are skipped. docs/HISTORY.md says exactly what is checked.",
        example: "check")
    static let show = Self(
        usage: "show heartbeats",
        summary: "show heartbeats on the console's timeline",
        description: "Shows heartbeats (Heartbeat and HeartbeatResp, this Raft's empty appends) on "
            + "the console's message timeline again after `hide heartbeats`.",
        example: "show heartbeats")
    static let hide = Self(
        usage: "hide heartbeats",
        summary: "hide heartbeats on the console's timeline",
        description: "Leaves heartbeats and their answers off the console's message timeline, so "
            + "votes and appends that carry entries stand out; the timeline's title says so. The "
            + "nodes go on sending them (the m key toggles this too). `show heartbeats` undoes it.",
        example: "hide heartbeats")
}
