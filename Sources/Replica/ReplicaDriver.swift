import Raft
import Services

/// How a node's loop is set up.
public struct ReplicaSettings: Sendable {
    /// Milliseconds one tick stands for on the service clock.
    public var tickMs: Int
    /// Ticks between a leader's clock entries (while some lease exists).
    public var heartbeatTicks: Int
    /// Applied entries between snapshots of the services.
    public var snapshotEvery: Int
    /// Deliberate mistakes: the services' and the loop's own (`lease-local-clock`,
    /// `session-forgets`); the core's are in its own config.
    public var bugs: Set<BugKnob>
    /// Writes (and lock, election and lease commands) proposed and waiting to apply, at most; a
    /// request beyond it is refused at once (`ReplicaDriver`).
    public var maximumPendingWrites: Int
    /// Linearizable reads waiting for their ReadIndex or for the services to catch up, at most; a
    /// read beyond it is refused at once.
    public var maximumPendingReads: Int

    /// The default for both limits: far more than a console's clients keep in flight (a load run
    /// keeps one request per client), small enough that a flood cannot grow a node without bound.
    public static let defaultMaximumPending = 4096

    public init(tickMs: Int, heartbeatTicks: Int, snapshotEvery: Int, bugs: Set<BugKnob> = [],
                maximumPendingWrites: Int = defaultMaximumPending,
                maximumPendingReads: Int = defaultMaximumPending) {
        precondition(maximumPendingWrites >= 1 && maximumPendingReads >= 1, "bug: a pending limit below 1")
        self.tickMs = tickMs
        self.heartbeatTicks = heartbeatTicks
        self.snapshotEvery = snapshotEvery
        self.bugs = bugs
        self.maximumPendingWrites = maximumPendingWrites
        self.maximumPendingReads = maximumPendingReads
    }
}

/// One node's pure loop around a replication core: it feeds the core ticks, messages and client
/// requests, applies committed entries to the services, answers clients (writes once applied,
/// linearizable reads once their ReadIndex is confirmed and applied), proposes the service clock
/// while it leads, and returns everything else as actions for its host to do in order: persist,
/// send, reply, report. The node process does them with a write-ahead log and a socket, the
/// simulator with a simulated disk and network; both run exactly this code.
///
/// The host calls `tick`, `step` and `receive` as inputs arrive, then `process()` once for all of
/// them (one persist and one flush for a whole socket read: group commit), and does its actions.
///
/// Limits: at most `settings.maximumPendingWrites` writes wait to apply and at most
/// `settings.maximumPendingReads` linearizable reads wait to be answered (default 4096 each). A
/// request beyond a limit is not proposed (nor its ReadIndex asked): it is answered at once with
/// `.failed(reason: "node busy: 4096 writes pending")` (or `reads`) — a definite failure, since
/// nothing entered the log; the client reports it and does not retry (another node could not take
/// it either: only the leader accepts writes and linearizable reads). Stale reads hold nothing.
///
/// Generic over the core; its entry points are also compiled for `RaftNode` (`@_specialize`), so
/// the node process and the simulator, in other modules, call code specialized for the Raft core
/// instead of going through the protocol at run time.
public struct ReplicaDriver<Core: ReplicationCore> {
    private struct PendingWrite: Sendable {
        var requestID: UInt64
        var term: Term
    }

    private struct PendingRead: Sendable {
        var requestID: UInt64
        var key: String
    }

    private struct ConfirmedRead: Sendable {
        var requestID: UInt64
        var key: String
        var index: LogIndex
    }

    /// The replication core (read it freely; only the loop drives it).
    public private(set) var core: Core
    /// The services' state as of `services.appliedIndex`.
    public private(set) var services: ServiceState
    public let settings: ReplicaSettings
    private var clock: ServiceClock
    /// Writes waiting to apply, by log index; at most `settings.maximumPendingWrites`.
    private var pendingWrites: [LogIndex: PendingWrite] = [:]
    /// Reads waiting for ReadIndex confirmation, by read id; with `confirmedReads`, at most
    /// `settings.maximumPendingReads`.
    private var pendingReads: [UInt64: PendingRead] = [:]
    /// Confirmed reads waiting for the services to reach their index, oldest first.
    private var confirmedReads: [ConfirmedRead] = []
    private var nextReadID: UInt64 = 1
    /// The hard state the host made durable last (its term and vote decide the early send).
    private var storedHardState: HardState
    private var lastLeading = false
    private var lastRoleName: String
    private var lastTerm: Term
    private var keys = KeySample()
    /// Why recent entries were refused when applied (a stale fence, a failed cas), by index: the
    /// node's log view marks them. Only the newest `refusalMemory` indices are kept.
    private var refusals: [LogIndex: String] = [:]
    private static var refusalMemory: LogIndex { 64 }
    /// Actions produced between two `process()` calls (refusals, stale reads).
    private var outbox: [ReplicaAction] = []

    /// Starts the loop on `core`, which was restored from `state` (the host's durable storage).
    /// - Throws: when the stored snapshot's services state is unreadable.
    @_specialize(exported: true, where Core == RaftNode)
    public init(core: Core, restoring state: PersistentState, settings: ReplicaSettings) throws {
        self.core = core
        self.settings = settings
        services = try state.snapshot.map { try ServiceState(snapshotData: $0.data) } ?? ServiceState()
        services.forgetsRetries = settings.bugs.contains(.sessionForgets)
        clock = ServiceClock(tickMs: settings.tickMs, heartbeatTicks: settings.heartbeatTicks,
                             followsOwnClock: settings.bugs.contains(.leaseLocalClock))
        storedHardState = state.hardState
        lastRoleName = core.roleName
        lastTerm = core.term
    }

    /// True when `process()` has something to hand out.
    public var hasWork: Bool { core.hasReady || !outbox.isEmpty }

    /// This node's service clock (milliseconds of its own ticks), for displays and tests.
    public var serviceClockMs: Int { clock.nowMs }

    /// Why the entry at `index` left the store as it was when applied, if it did (and is recent).
    public func refusal(at index: LogIndex) -> String? { refusals[index] }

    /// The first keys of the store with their values, for the node's state display.
    public mutating func keySample() -> [String: String] { keys.current(in: services) }

    // MARK: Inputs

    /// One tick of this node's clock: the core's timers, and the service clock.
    @_specialize(exported: true, where Core == RaftNode)
    public mutating func tick() {
        core.tick()
        let due = clock.tick(leading: core.isLeader)
        if due && services.hasLeases { proposeClock() }
    }

    /// Changes how many milliseconds a tick stands for (the console's `pace`).
    public mutating func setTickMs(_ tickMs: Int) {
        clock.tickMs = max(1, tickMs)
    }

    /// A message from a peer.
    @_specialize(exported: true, where Core == RaftNode)
    public mutating func step(_ message: Message) {
        core.step(message)
    }

    /// A client's request: proposed, read through ReadIndex, answered from local state, or
    /// refused (`notLeader`, or `failed` when the node is busy: the limits above) — the answer
    /// comes out of a later `process()`.
    @_specialize(exported: true, where Core == RaftNode)
    public mutating func receive(_ request: ClientRequest) {
        switch request.operation {
        case .write(let operation):
            propose(ServiceCommand(session: request.session, operation: .kv(operation)), for: request.requestID)
        case .read(let key):
            requestRead(of: key, for: request.requestID)
        case .staleRead(let key):
            reply(request.requestID, .ok(value: services.value(of: key), index: services.appliedIndex))
        case .service(let operation):
            // Service time only moves while leases exist: bring it up to date before a lease starts,
            // or the new lease would be measured from a stale clock and expire at the next tick.
            if core.isLeader, clock.isAhead(of: services.nowMs) { proposeClock() }
            propose(ServiceCommand(session: request.session, operation: operation), for: request.requestID)
        }
    }

    private mutating func propose(_ command: ServiceCommand, for requestID: UInt64) {
        guard pendingWrites.count < settings.maximumPendingWrites else {
            return reply(requestID, .failed(reason: "node busy: \(pendingWrites.count) writes pending"))
        }
        switch core.propose(command.encoded()) {
        case .success(let position):
            pendingWrites[position.index] = PendingWrite(requestID: requestID, term: position.term)
        case .failure(.notLeader(let hint)):
            reply(requestID, .notLeader(leaderHint: hint))
        }
    }

    private mutating func requestRead(of key: String, for requestID: UInt64) {
        let waiting = pendingReads.count + confirmedReads.count
        guard waiting < settings.maximumPendingReads else {
            return reply(requestID, .failed(reason: "node busy: \(waiting) reads pending"))
        }
        let readID = nextReadID
        nextReadID += 1
        switch core.requestRead(id: readID) {
        case .success:
            pendingReads[readID] = PendingRead(requestID: requestID, key: key)
        case .failure(.notLeader(let hint)):
            reply(requestID, .notLeader(leaderHint: hint))
        }
    }

    private mutating func proposeClock() {
        _ = core.propose(ServiceCommand(session: nil, operation: .clock(nowMs: clock.nowMs)).encoded())
    }

    private mutating func reply(_ requestID: UInt64, _ outcome: ClientReply.Outcome) {
        outbox.append(.reply(ClientReply(requestID: requestID, outcome: outcome)))
    }

    // MARK: The Ready loop

    /// Takes every batch the core has ready and returns what to do, in order: for each batch,
    /// persist then send (a leader's appends may go first: `ReadyRules`), then the answers and
    /// events of applying it. The core is advanced as if the host had done each batch; the host
    /// must do the actions before it steps this node again.
    @_specialize(exported: true, where Core == RaftNode)
    public mutating func process() -> ReplicaEffects {
        var effects = ReplicaEffects()
        swap(&effects.actions, &outbox)
        noteRoleChange(&effects)
        noteCoreNotices(&effects)
        while core.hasReady {
            let batch = core.ready()
            schedule(batch, &effects)
            apply(batch, &effects)
            core.advance(batch)
            answerReads(batch, &effects)
            compactIfDue(&effects)
            noteRoleChange(&effects)
            noteCoreNotices(&effects)
            effects.stateChanged = true
        }
        return effects
    }

    private mutating func noteCoreNotices(_ effects: inout ReplicaEffects) {
        for text in core.takeNotices() {
            effects.actions.append(.event(ReplicaEvent(kind: .role, text: text)))
            effects.stateChanged = true
        }
    }

    /// Persist before send, with the two exceptions `ReadyRules` names.
    private mutating func schedule(_ batch: Ready, _ effects: inout ReplicaEffects) {
        let early = ReadyRules.sendsBeforePersisting(batch, isLeader: core.isLeader, stored: storedHardState)
        if early { effects.actions.append(.sendEarly(batch.messages)) }
        if ReadyRules.isDurable(batch) {
            effects.actions.append(.persist(batch, sync: ReadyRules.mustSync(batch, stored: storedHardState)))
            if let hardState = batch.hardState { storedHardState = hardState }
        }
        if !early && !batch.messages.isEmpty { effects.actions.append(.send(batch.messages)) }
    }

    private mutating func apply(_ batch: Ready, _ effects: inout ReplicaEffects) {
        if let snapshot = batch.snapshot {
            do {
                services = try ServiceState(snapshotData: snapshot.data)
            } catch {
                preconditionFailure("bug: the leader sent an unreadable snapshot through "
                    + "\(snapshot.position.index): \(error)")
            }
            services.forgetsRetries = settings.bugs.contains(.sessionForgets)
            keys.forget()
            effects.actions.append(.event(ReplicaEvent(
                // A primary/backup full copy of a primary that never compacted starts from nothing:
                // "snapshot through 0" would read as if nothing had been copied.
                kind: .snapshot, text: snapshot.position.index == 0
                    ? "started again from an empty copy: the stream follows from the first entry"
                    : "installed snapshot through \(snapshot.position.index)",
                index: snapshot.position.index)))
        }
        for entry in batch.committedEntries {
            answerWrite(at: entry, result: applyEntry(entry), &effects)
        }
        guard batch.snapshot != nil || !batch.committedEntries.isEmpty else { return }
        effects.actions.append(.applied(snapshot: batch.snapshot, entries: batch.committedEntries))
        if let last = batch.committedEntries.last {
            effects.actions.append(.event(ReplicaEvent(kind: .commit, text: "applied through \(last.index)",
                                                       index: last.index)))
        }
    }

    /// Applies one committed entry; nil for entries that carry no command (leader no-ops).
    private mutating func applyEntry(_ entry: Entry) -> CommandResult? {
        guard entry.kind == .command, let command = ServiceCommand(encoded: entry.data) else {
            return services.apply(entry)
        }
        let result = services.apply(command, at: entry.index)
        keys.note(command, result: result)
        noteRefusal(result.refusal, at: entry.index)
        return result
    }

    private mutating func noteRefusal(_ refusal: String?, at index: LogIndex) {
        guard let refusal else { return }
        refusals[index] = refusal
        if refusals.count > Int(Self.refusalMemory) {
            refusals = refusals.filter { $0.key > index - Self.refusalMemory }
        }
    }

    private mutating func answerWrite(at entry: Entry, result: CommandResult?, _ effects: inout ReplicaEffects) {
        guard let pending = pendingWrites.removeValue(forKey: entry.index) else { return }
        let outcome: ClientReply.Outcome
        if pending.term != entry.term {
            // Another leader's entry took this index: our write is gone, but a retry may still land.
            outcome = .unknown(reason: "entry \(entry.index) was overwritten")
        } else {
            outcome = Self.outcome(of: result, at: entry.index)
        }
        effects.actions.append(.reply(ClientReply(requestID: pending.requestID, outcome: outcome)))
    }

    private static func outcome(of result: CommandResult?, at index: LogIndex) -> ClientReply.Outcome {
        switch result {
        case .applied(let previous)?: .ok(value: previous, index: index)
        case .compareFailed(let current)?: .compareFailed(current: current)
        // A newer write of the session applied first; this one may have applied before it.
        case .staleSequence?: .unknown(reason: "stale sequence number: the write may have applied")
        case .malformed?, nil: .failed(reason: "malformed command")
        case .fenced?, .tooMany?, .invalid?: .failed(reason: result?.description ?? "")
        case .some(let serviceResult): .serviceResult(serviceResult, index: index)
        }
    }

    private mutating func answerReads(_ batch: Ready, _ effects: inout ReplicaEffects) {
        for aborted in batch.abortedReads {
            guard let read = pendingReads.removeValue(forKey: aborted) else { continue }
            effects.actions.append(.reply(ClientReply(requestID: read.requestID,
                                                      outcome: .notLeader(leaderHint: core.leader))))
        }
        for state in batch.readStates {
            guard let read = pendingReads.removeValue(forKey: state.requestID) else { continue }
            confirmedReads.append(ConfirmedRead(requestID: read.requestID, key: read.key, index: state.index))
            effects.actions.append(.readConfirmed(requestID: read.requestID, index: state.index))
        }
        let applied = services.appliedIndex
        guard confirmedReads.contains(where: { $0.index <= applied }) else { return }
        for read in confirmedReads where read.index <= applied {
            effects.actions.append(.reply(ClientReply(
                requestID: read.requestID, outcome: .ok(value: services.value(of: read.key), index: applied))))
        }
        confirmedReads.removeAll { $0.index <= applied }
    }

    private mutating func compactIfDue(_ effects: inout ReplicaEffects) {
        let applied = services.appliedIndex
        guard applied - core.snapshotPosition.index >= settings.snapshotEvery else { return }
        core.compact(through: applied, snapshotData: services.snapshotData())
        guard let snapshot = core.snapshot, snapshot.position.index == applied else { return }
        effects.actions.append(.storeSnapshot(snapshot))
    }

    /// Reports role and term changes; a deposed leader's waiting writes become `unknown`.
    private mutating func noteRoleChange(_ effects: inout ReplicaEffects) {
        let leading = core.isLeader
        guard core.roleName != lastRoleName || core.term != lastTerm else { return }
        if leading && !lastLeading {
            clock.becameLeader(replicatedMs: services.nowMs)
        }
        if lastLeading && !leading {
            for index in pendingWrites.keys.sorted() {
                guard let pending = pendingWrites[index] else { continue }
                effects.actions.append(.reply(ClientReply(requestID: pending.requestID,
                                                          outcome: .unknown(reason: "lost leadership"))))
            }
            pendingWrites = [:]
        }
        effects.actions.append(.event(ReplicaEvent(kind: .role,
                                                   text: "became \(core.roleName) in \(core.termWord) \(core.term)")))
        lastLeading = leading
        lastRoleName = core.roleName
        lastTerm = core.term
        effects.stateChanged = true
    }
}

extension ReplicaDriver: Sendable where Core: Sendable {}

// MARK: - Controls of a Raft node

extension ReplicaDriver where Core == RaftNode {
    /// Fires the election timer now (the console's `timeout N`).
    public mutating func campaignNow() {
        core.campaignNow()
    }

    /// Switches pre-vote and check-quorum (the console's `set prevote|checkquorum`).
    public mutating func setFeatures(preVote: Bool, checkQuorum: Bool) {
        core.setFeatures(preVote: preVote, checkQuorum: checkQuorum)
    }
}

// MARK: - Controls of a primary/backup node

extension ReplicaDriver where Core == PrimaryBackup {
    /// Fires the monitor's down timer now: this node asks to be promoted.
    public mutating func campaignNow() {
        core.campaignNow()
    }
}
