import Raft
import Services

/// Primary/backup replication as a pure state machine, the second core `ReplicaDriver` runs: one
/// primary applies writes and streams them to replicas by offset; replicas apply what arrives, in
/// order; a quorum of the nodes' monitors promotes the replica with the highest offset when the
/// primary stops being heard, under a new epoch. There is no consensus on the stream: a write is
/// answered once the primary has it (`async`) or once K replicas have it (`semiSync`), so a failover
/// can promote a replica that lacks acknowledged writes, and a replica (or deposed primary) whose
/// stream the new primary lacks is wiped and copied afresh — that is how acknowledged writes vanish.
///
/// It speaks Raft's `Message` (docs/PROTOCOL.md, "Primary/backup frames"): `append` is the stream
/// (previous offset and epoch, entries), `appendResponse` acknowledges an offset or asks for a
/// resync, `heartbeat`/`heartbeatResponse` keep the monitors quiet, `installSnapshot` is a full copy,
/// and `vote`/`voteResponse` are the monitors' promotion. No clock, disk, network or global
/// randomness is touched.
///
/// Epochs: `epoch` is the epoch of the primary this node follows or is (every entry carries its
/// writer's epoch, so a restart finds it at the end of the stream); `voteEpoch` and `votedFor` are
/// the latest promotion it took part in, made durable as the hard state's term and vote before any
/// answer leaves (one vote per epoch: at most one primary per epoch). A failed promotion attempt
/// moves only `voteEpoch`, so a node that was cut off cannot depose a live primary when it returns.
public struct PrimaryBackup: Sendable {
    /// The parts a node plays.
    public enum Role: String, Sendable, Equatable {
        case primary
        case replica
        /// A replica whose monitor declared the primary down and asks the others to promote it.
        case candidate
    }

    public let config: PrimaryBackupConfig
    public internal(set) var role: Role = .replica
    public internal(set) var epoch: Term
    public internal(set) var voteEpoch: Term
    public internal(set) var votedFor: NodeID?
    /// The primary this node follows (itself while primary).
    public internal(set) var primary: NodeID?
    var log: StreamLog
    /// Offsets through here may be applied: everything a replica holds in sync with its primary; on a
    /// primary, what its acknowledgement mode allows.
    public internal(set) var commitIndex: LogIndex
    public internal(set) var appliedIndex: LogIndex
    /// A primary's replicas.
    public internal(set) var replicas: [NodeID: ReplicaProgress] = [:]
    /// True while a semi-sync primary, after waiting in vain, answers writes as async.
    public internal(set) var fellBackToAsync = false
    /// Who granted this node's promotion so far, itself first.
    public internal(set) var votesGranted: [NodeID] = []
    /// A replica's stream is known to continue its primary's (an append matched in this epoch).
    var synced = false
    var heardTicks = 0
    var downTimeout: Int
    var heartbeatElapsed = 0
    var semiSyncWaitTicks = 0
    private var random: SeededRandom
    var pending = Ready()
    private var persistedHardState: HardState
    private var notices: [String] = []

    /// Creates a node, restoring what was durable before a restart: it comes back as a replica with
    /// its services as of its snapshot. The entries after it are applied again only once the
    /// primary's stream is found to continue them; those it does not continue are simply dropped
    /// (they are not applied, so no full copy is needed).
    public init(config: PrimaryBackupConfig, restoring state: PersistentState = PersistentState()) throws(ConfigError) {
        try config.validate()
        self.config = config
        log = StreamLog(restoring: state)
        epoch = log.lastEpoch
        voteEpoch = max(state.hardState.term, log.lastEpoch)
        votedFor = voteEpoch == state.hardState.term ? state.hardState.votedFor : nil
        appliedIndex = log.snapshotPosition.index
        commitIndex = appliedIndex
        persistedHardState = state.hardState
        random = SeededRandom(seed: config.randomSeed)
        downTimeout = config.downTicks
        resetDownTimer()
    }

    // MARK: Read-only views

    public var lastIndex: LogIndex { log.lastIndex }
    public var lastEpoch: Term { log.lastEpoch }
    public var firstIndex: LogIndex { log.firstIndex }
    public var hardState: HardState { HardState(term: voteEpoch, votedFor: votedFor, commit: commitIndex) }
    /// The epoch of the entry at `offset`; nil when compacted away or not present.
    public func epoch(at offset: LogIndex) -> Term? { log.epoch(at: offset) }
    /// Entries held from `start` through `end` (for displays and checkers).
    public func entries(from start: LogIndex, through end: LogIndex) -> [Entry] {
        log.entries(from: start, through: end)
    }

    var others: [NodeID] { config.members.filter { $0 != config.id } }

    // MARK: Inputs

    /// Advances logical time by one tick: a primary's heartbeat and semi-sync wait, a monitor's
    /// down timer.
    public mutating func tick() {
        switch role {
        case .primary: tickPrimary()
        case .replica, .candidate: tickMonitor()
        }
    }

    /// Starts a promotion attempt now, as if the primary had been declared down.
    public mutating func campaignNow() {
        guard role != .primary else { return }
        campaign()
    }

    /// Places a write in the stream; only the primary accepts.
    public mutating func propose(_ data: [UInt8]) -> Result<LogPosition, ProposalError> {
        guard role == .primary else { return .failure(.notLeader(leaderHint: primary)) }
        let entry = Entry(term: epoch, index: log.lastIndex + 1, kind: .command, data: data)
        appendAsPrimary(entry)
        return .success(LogPosition(term: entry.term, index: entry.index))
    }

    /// A read on the primary is answered from its own state at once: nothing confirms it still is
    /// the primary (there is no quorum to ask), so a deposed primary serves stale reads.
    public mutating func requestRead(id: UInt64) -> Result<Void, ProposalError> {
        guard role == .primary else { return .failure(.notLeader(leaderHint: primary)) }
        pending.readStates.append(ReadState(requestID: id, index: commitIndex))
        return .success(())
    }

    /// Processes a message from another node.
    public mutating func step(_ message: Message) {
        guard message.to == config.id, message.from != config.id, config.members.contains(message.from) else {
            return
        }
        switch message.body {
        case .vote(let request): handlePromotionRequest(message, request)
        case .voteResponse(let answer): handlePromotionAnswer(message, answer)
        case .append, .heartbeat, .installSnapshot: handleStream(message)
        case .appendResponse(let response): handleStreamAnswer(message, response)
        case .heartbeatResponse: handleHeartbeatAnswer(message)
        case .preVote, .preVoteResponse: break
        }
    }

    // MARK: Ready

    /// True when `ready()` has work to hand out.
    public var hasReady: Bool {
        !pending.isEmpty || commitIndex > appliedIndex || hardState != persistedHardState || !notices.isEmpty
    }

    /// The pending work: persist (snapshot, hard state, entries), send, then apply.
    public func ready() -> Ready {
        var batch = pending
        if hardState != persistedHardState { batch.hardState = hardState }
        if commitIndex > appliedIndex {
            batch.committedEntries = log.entries(from: appliedIndex + 1, through: commitIndex)
        }
        return batch
    }

    /// Confirms that `batch` (the last `ready()`) was done.
    public mutating func advance(_ batch: Ready) {
        pending = Ready()
        if let hardState = batch.hardState { persistedHardState = hardState }
        if let last = batch.committedEntries.last { appliedIndex = max(appliedIndex, last.index) }
    }

    public var snapshotPosition: LogPosition { log.snapshotPosition }
    public var snapshot: Snapshot? { log.snapshot }

    /// Replaces the stream through `index` (applied and persisted) with the services' state.
    public mutating func compact(through index: LogIndex, snapshotData data: [UInt8]) {
        guard index <= appliedIndex else { return }
        log.compact(through: index, data: data)
    }

    /// State changes worth an event line that are not role or epoch changes, taken once.
    public mutating func takeNotices() -> [String] {
        defer { notices = [] }
        return notices
    }

    // MARK: Shared helpers

    mutating func send(_ body: MessageBody, to peer: NodeID, epoch messageEpoch: Term? = nil) {
        pending.messages.append(Message(from: config.id, to: peer, term: messageEpoch ?? epoch, body: body))
    }

    /// Adds `entry` to the entries to persist (replacing any pending from its offset on).
    mutating func persist(_ entry: Entry) {
        if let first = pending.entries.first, entry.index <= pending.entries.last?.index ?? 0 {
            pending.entries.removeLast(pending.entries.count - max(0, entry.index - first.index))
        }
        pending.entries.append(entry)
    }

    /// Replaces the whole stream with a full copy.
    mutating func install(_ snapshot: Snapshot) {
        log.restore(snapshot)
        pending.snapshot = snapshot
        pending.entries = []
        appliedIndex = snapshot.position.index
        commitIndex = snapshot.position.index
    }

    mutating func note(_ text: String) {
        notices.append(text)
    }

    mutating func resetDownTimer() {
        heardTicks = 0
        downTimeout = config.downTicks + Int(random.next() % UInt64(config.downTicks))
    }

    /// The monitor heard its primary (or granted a promotion): the down timer starts over.
    mutating func heardFromPrimary() {
        heardTicks = 0
    }

    /// True while this node's monitor still hears its primary: it refuses to promote another.
    var hearsPrimary: Bool { primary != nil && heardTicks < config.downTicks }

    private mutating func tickMonitor() {
        heardTicks += 1
        if heardTicks >= downTimeout { campaign() }
    }

    /// Follows `leader`, the primary of `newEpoch` (which is at least this node's epoch).
    mutating func follow(_ leader: NodeID, epoch newEpoch: Term) {
        if role == .primary {
            note("stepped down: n\(leader) is primary in epoch \(newEpoch); resyncing from it")
        }
        role = .replica
        epoch = newEpoch
        primary = leader
        synced = false
        replicas = [:]
        votesGranted = []
        fellBackToAsync = false
        // Hearing the primary of an epoch counts as this node's vote for it there: a late candidate
        // asking for the same epoch is refused.
        if voteEpoch < newEpoch {
            voteEpoch = newEpoch
            votedFor = leader
        } else if voteEpoch == newEpoch && votedFor == nil {
            votedFor = leader
        }
    }

    /// A newer epoch exists than the one this node follows, its primary unknown: wait to hear it.
    mutating func learnNewerEpoch(_ newEpoch: Term) {
        if role == .primary { note("stepped down: a replica follows epoch \(newEpoch)") }
        role = .replica
        epoch = newEpoch
        primary = nil
        synced = false
        replicas = [:]
        votesGranted = []
        fellBackToAsync = false
        voteEpoch = max(voteEpoch, newEpoch)
        resetDownTimer()
    }

    mutating func appendToLog(_ entry: Entry) {
        log.append(entry)
        persist(entry)
    }

    /// Moves the apply point forward, never past the stream's end.
    mutating func commit(through index: LogIndex) {
        commitIndex = max(commitIndex, min(index, log.lastIndex))
    }

    mutating func updateReplica(_ id: NodeID, _ change: (inout ReplicaProgress) -> Void) {
        guard var progress = replicas[id] else { return }
        change(&progress)
        replicas[id] = progress
    }
}
