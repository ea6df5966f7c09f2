import Foundation
import NIOCore
import Raft
import Services
import Wire

/// The node's driver: tick → step → ready → persist → send → apply → advance, on one event loop.
/// Every method runs on `loop`; the class is reached from other closures through `NIOLoopBound`.
final class NodeServer {
    let options: NodeOptions
    let loop: any EventLoop
    private var raft: RaftNode
    private var kv: KVStore
    private let wal: WriteAheadLog
    private var console: (any Channel)?
    private var frozen = false
    private var timing: Timing
    /// How many times as fast this node's clock runs (`skew`).
    private var skew = 1.0
    private var tickTask: RepeatedTask?
    private var stateDirty = false
    private var stateSendScheduled = false
    /// Writes waiting to apply, by log index: who asked and in which term it was proposed.
    private var pendingWrites: [LogIndex: (requestID: UInt64, term: Term)] = [:]
    /// Reads waiting for ReadIndex confirmation, by read id.
    private var pendingReads: [UInt64: (requestID: UInt64, key: String)] = [:]
    /// Confirmed reads waiting for the state machine to reach their index.
    private var confirmedReads: [(requestID: UInt64, key: String, index: LogIndex)] = []
    private var nextReadID: UInt64 = 1
    private var lastRole: Role = .follower
    /// This node's service clock, in milliseconds of its own (possibly skewed) ticks.
    private var serviceClockMs = 0
    private var serviceClockTicks = 0
    private var lastTerm: Term = 0
    /// The smallest keys, which the state frame shows (see `keySample`); nil: find them again.
    private var sampledKeys: [String]?

    init(options: NodeOptions, loop: any EventLoop, wal: WriteAheadLog, recovered: PersistentState) throws {
        self.options = options
        self.loop = loop
        self.wal = wal
        timing = options.timing
        var seed = SystemRandomNumberGenerator()
        raft = try RaftNode(config: options.raftConfig(seed: seed.next()), restoring: recovered)
        if let snapshot = recovered.snapshot {
            kv = try KVStore(snapshotData: snapshot.data)
        } else {
            kv = KVStore()
        }
        lastTerm = raft.term
    }

    // MARK: Lifecycle

    var hasConsole: Bool { console != nil }

    func attach(console channel: any Channel) {
        console = channel
        event("recovered", "node \(options.id) up: term \(raft.term), log \(raft.firstIndex)…\(raft.lastIndex), "
            + "commit \(raft.commitIndex)")
        markStateDirty()
        processReady()
    }

    func startTicking() {
        tickTask?.cancel()
        let bound = NIOLoopBound(self, eventLoop: loop)
        let interval = TimeAmount.microseconds(Int64(max(100, Double(timing.tickMs) * 1_000 / skew)))
        tickTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.tick()
        }
    }

    private func tick() {
        guard !frozen else { return }
        raft.tick()
        serviceClockMs += timing.tickMs
        proposeClockIfLeading()
        processReady()
    }

    /// Time enters the services only through entries the leader proposes, so applying stays
    /// deterministic. This node's clock counts its own ticks (a skewed node ticks faster, a frozen one
    /// not at all); proposed only while some lease exists, so an idle log stays quiet.
    private func proposeClockIfLeading() {
        guard raft.role == .leader else { return }
        serviceClockTicks += 1
        guard serviceClockTicks % timing.heartbeatTicks == 0, kv.hasLeases else { return }
        let clock = ServiceCommand(session: nil, operation: .clock(nowMs: serviceClockMs))
        _ = raft.propose(clock.encoded())
    }

    // MARK: Frames from the console

    /// Steps the core with one frame. The ready loop runs once the whole read is processed
    /// (`NodeConnectionHandler.channelReadComplete`), so every frame that arrived together shares
    /// one write-ahead-log fsync and one flush: group commit, without weakening the rule that what
    /// is acknowledged was made durable first.
    func receive(_ frame: Frame, from channel: any Channel) {
        switch frame {
        case .peer(let message):
            guard message.to == options.id else {
                return refuse("peer message for node \(message.to) sent to node \(options.id)", on: channel)
            }
            raft.step(message)
            // A vote answer may change a campaign's tally without producing any output.
            if message.body.voteAnswer != nil { markStateDirty() }
        case .clientRequest(let request):
            handleClient(request)
        case .control(let control):
            handleControl(control)
        case .clientResponse, .state, .event, .error:
            return refuse("a node does not accept \(frame.kind) frames", on: channel)
        }
    }

    func refuse(_ reason: String, on channel: any Channel) {
        let frame = Frame.error(ErrorFrame(message: reason))
        write(frame, to: channel)
        channel.flush()
    }

    private func handleControl(_ control: ControlFrame) {
        switch control {
        case .pace(let tickMs):
            timing.tickMs = max(1, tickMs)
            startTicking()
        case .freeze:
            frozen = true
        case .thaw:
            frozen = false
        case .campaign:
            raft.campaignNow()
        case .settings(let preVote, let checkQuorum, let fsync):
            raft.setFeatures(preVote: preVote, checkQuorum: checkQuorum)
            wal.fsyncEnabled = fsync
        case .skew(let factor):
            skew = min(10, max(0.1, factor))
            startTicking()
        case .shutdown:
            exit(0)
        }
        markStateDirty()
    }

    // MARK: Clients

    private func handleClient(_ request: ClientRequestFrame) {
        switch request.operation {
        case .write(let operation):
            let command = ServiceCommand(session: request.session, operation: operation)
            switch raft.propose(FastFrames.encodedCommand(command) ?? command.encoded()) {
            case .success(let position):
                pendingWrites[position.index] = (request.requestID, position.term)
            case .failure(.notLeader(let hint)):
                respond(request.requestID, .notLeader(leaderHint: hint))
            }
        case .read(let key):
            let readID = nextReadID
            nextReadID += 1
            switch raft.requestRead(id: readID) {
            case .success:
                pendingReads[readID] = (request.requestID, key)
            case .failure(.notLeader(let hint)):
                respond(request.requestID, .notLeader(leaderHint: hint))
            }
        case .staleRead(let key):
            respond(request.requestID, .ok(value: kv.value(of: key), index: kv.appliedIndex))
        case .service(let operation):
            // Service time only moves while leases exist: bring it up to date before a lease starts,
            // or the new lease would be measured from a stale clock and expire at the next tick.
            if raft.role == .leader, serviceClockMs > kv.nowMs + timing.heartbeatMs {
                _ = raft.propose(ServiceCommand(session: nil, operation: .clock(nowMs: serviceClockMs)).encoded())
            }
            let command = ServiceCommand(session: request.session, operation: operation)
            switch raft.propose(command.encoded()) {
            case .success(let position):
                pendingWrites[position.index] = (request.requestID, position.term)
            case .failure(.notLeader(let hint)):
                respond(request.requestID, .notLeader(leaderHint: hint))
            }
        }
    }

    private func respond(_ requestID: UInt64, _ outcome: ClientResponseFrame.Outcome) {
        guard let console else { return }
        if case .ok(let value, let index) = outcome,
           let payload = FastFrames.okResponse(requestID: requestID, value: value, index: index) {
            return write(payload, to: console)
        }
        write(.clientResponse(ClientResponseFrame(requestID: requestID, outcome: outcome)), to: console)
    }

    // MARK: The ready loop

    /// Persist, then send, then apply, then advance — until the core has nothing more to hand out.
    /// (A leader's replication goes out before its own fsync: see `sendsBeforePersisting`.)
    func processReady() {
        noteRoleChange()
        while raft.hasReady {
            let batch = raft.ready()
            let early = sendsBeforePersisting(batch)
            if early {
                sendPeerMessages(batch.messages)
                console?.flush()
            }
            do {
                try wal.persist(batch)
            } catch {
                fatal("write-ahead log: \(error)")
            }
            if !early { sendPeerMessages(batch.messages) }
            apply(batch)
            raft.advance(batch)
            answerReads(batch)
            compactIfDue()
            noteRoleChange()
            markStateDirty()
        }
        console?.flush()
    }

    /// True when `batch` may go to the followers while this node is still writing it: a leader
    /// writes its log in parallel with replicating it (Raft thesis §10.2.1), so the follower's
    /// fsync overlaps the leader's instead of following it.
    ///
    /// Still safe, and still acknowledged only once a majority has it on disk: appends and
    /// heartbeats promise nothing about the leader's own disk, and the leader counts its own copy
    /// toward a commit only when it steps a follower's acknowledgement — which happens on this
    /// thread after `persist` below has returned. Votes, acknowledgements, and anything sent
    /// while the term or vote is changing still wait for the fsync.
    private func sendsBeforePersisting(_ batch: Ready) -> Bool {
        guard raft.role == .leader, batch.snapshot == nil, !batch.messages.isEmpty else {
            return false
        }
        if let hardState = batch.hardState {
            let stored = wal.storedHardState
            guard hardState.term == stored.term, hardState.votedFor == stored.votedFor else {
                return false
            }
        }
        return batch.messages.allSatisfy { message in
            switch message.body {
            case .append, .heartbeat: true
            case .preVote, .preVoteResponse, .vote, .voteResponse, .appendResponse,
                 .heartbeatResponse, .installSnapshot: false
            }
        }
    }

    private func sendPeerMessages(_ messages: [Message]) {
        guard let console else { return }
        for message in messages {
            write(.peer(message), to: console)
            if let explanation = NodeEventFrame.explaining(message) { write(.event(explanation), to: console) }
        }
    }

    private func apply(_ batch: Ready) {
        if let snapshot = batch.snapshot {
            do {
                kv = try KVStore(snapshotData: snapshot.data)
                sampledKeys = nil
            } catch {
                fatal("snapshot through \(snapshot.position.index) is unreadable: \(error)")
            }
            event("snapshot", "installed snapshot through \(snapshot.position.index)", index: snapshot.position.index)
        }
        for entry in batch.committedEntries {
            let result = applyEntry(entry)
            answerWrite(at: entry, result: result)
        }
        if let last = batch.committedEntries.last {
            event("commit", "applied through \(last.index)", index: last.index)
        }
    }

    /// Applies one committed entry; a plain put skips Foundation's JSON decoder (same result).
    private func applyEntry(_ entry: Entry) -> CommandResult? {
        if entry.kind == .command, let command = FastFrames.command(entry.data) {
            let result = kv.apply(command, at: entry.index)
            if case .applied = result, case .kv(.put(let key, _, _)) = command.operation {
                notePut(key)
            }
            return result
        }
        // Anything else may delete or add keys in ways not tracked here.
        if entry.kind == .command { sampledKeys = nil }
        return kv.apply(entry)
    }

    /// Keeps the sample of smallest keys current as a put lands, without sorting every key.
    private func notePut(_ key: String) {
        guard var keys = sampledKeys, !keys.contains(key) else { return }
        guard keys.count < Self.sampleSize || key < keys[keys.count - 1] else { return }
        keys.insert(key, at: keys.firstIndex { key < $0 } ?? keys.count)
        if keys.count > Self.sampleSize { keys.removeLast() }
        sampledKeys = keys
    }

    private static let sampleSize = 8

    private func answerWrite(at entry: Entry, result: CommandResult?) {
        guard let pending = pendingWrites.removeValue(forKey: entry.index) else { return }
        guard pending.term == entry.term else {
            // Another leader's entry took this index: our write is gone, but a retry may still land.
            return respond(pending.requestID, .unknown(reason: "entry \(entry.index) was overwritten"))
        }
        switch result {
        case .applied(let previous)?: respond(pending.requestID, .ok(value: previous, index: entry.index))
        case .compareFailed(let current)?: respond(pending.requestID, .compareFailed(current: current))
        case .staleSequence?:
            // A newer write of the session applied first; this one may have applied before it.
            respond(pending.requestID, .unknown(reason: "stale sequence number: the write may have applied"))
        case .malformed?, nil: respond(pending.requestID, .failed(reason: "malformed command"))
        case .fenced?, .tooMany?, .invalid?:
            respond(pending.requestID, .failed(reason: result?.description ?? ""))
        case .some(let serviceResult):
            respond(pending.requestID, .serviceResult(serviceResult, index: entry.index))
        }
    }

    private func answerReads(_ batch: Ready) {
        for aborted in batch.abortedReads {
            guard let read = pendingReads.removeValue(forKey: aborted) else { continue }
            respond(read.requestID, .notLeader(leaderHint: raft.leader))
        }
        for state in batch.readStates {
            guard let read = pendingReads.removeValue(forKey: state.requestID) else { continue }
            confirmedReads.append((read.requestID, read.key, state.index))
        }
        confirmedReads.removeAll { read in
            guard kv.appliedIndex >= read.index else { return false }
            respond(read.requestID, .ok(value: kv.value(of: read.key), index: kv.appliedIndex))
            return true
        }
    }

    private func compactIfDue() {
        let applied = kv.appliedIndex
        guard applied - raft.snapshotPosition.index >= options.snapshotEvery else { return }
        raft.compact(through: applied, snapshotData: kv.snapshotData())
        guard let snapshot = raft.snapshot, snapshot.position.index == applied else { return }
        do {
            try wal.compact(to: snapshot)
        } catch {
            fatal("write-ahead log compaction: \(error)")
        }
    }

    /// Reports role and term changes; a deposed leader's waiting writes become `unknown`.
    private func noteRoleChange() {
        guard raft.role != lastRole || raft.term != lastTerm else { return }
        if raft.role == .leader && lastRole != .leader {
            // A new leader never moves service time backwards.
            serviceClockMs = max(serviceClockMs, kv.nowMs)
        }
        if lastRole == .leader && raft.role != .leader {
            for (_, pending) in pendingWrites {
                respond(pending.requestID, .unknown(reason: "node \(options.id) lost leadership"))
            }
            pendingWrites = [:]
        }
        let text = raft.role == .leader ? "became leader" : "became \(raft.role.rawValue)"
        event("role", "\(text) in term \(raft.term)")
        lastRole = raft.role
        lastTerm = raft.term
    }

    // MARK: State and events

    private func event(_ kind: String, _ text: String, index: LogIndex? = nil) {
        guard let console else { return }
        write(.event(NodeEventFrame(kind: kind, text: text, term: raft.term, index: index)), to: console)
    }

    /// State frames are coalesced to at most 20 a second.
    private func markStateDirty() {
        stateDirty = true
        guard !stateSendScheduled else { return }
        stateSendScheduled = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: .milliseconds(50)) { bound.value.sendState() }
    }

    private func sendState() {
        stateSendScheduled = false
        guard stateDirty, let console else { return }
        stateDirty = false
        write(.state(currentState()), to: console)
        console.flush()
    }

    func currentState() -> NodeStateFrame {
        let tail = raft.entries(from: max(raft.firstIndex, raft.lastIndex - 7), through: raft.lastIndex)
        let followers = raft.progress.keys.sorted().compactMap { id -> NodeStateFrame.FollowerProgress? in
            guard let progress = raft.progress[id] else { return nil }
            return NodeStateFrame.FollowerProgress(node: id, match: progress.match, next: progress.next,
                                                   mode: progress.modeName)
        }
        let sample = keySample()
        let locks = kv.locks()
        let elections = kv.elections()
        return NodeStateFrame(
            id: options.id, role: raft.role.rawValue, term: raft.term, votedFor: raft.votedFor,
            leader: raft.leader, commitIndex: raft.commitIndex, appliedIndex: raft.appliedIndex,
            firstIndex: raft.firstIndex, lastIndex: raft.lastIndex, snapshotIndex: raft.snapshotPosition.index,
            logTail: tail.map { NodeStateFrame.EntrySummary(index: $0.index, term: $0.term, text: $0.summary) },
            keyCount: kv.count, sample: sample, followers: followers,
            pace: skew == 1 ? "\(timing.tickMs)ms/tick" : "\(timing.tickMs)ms/tick skew \(skew)", frozen: frozen,
            locks: locks.isEmpty ? nil : locks, elections: elections.isEmpty ? nil : elections,
            votes: raft.votesGranted.isEmpty ? nil : raft.votesGranted)
    }

    /// The first keys in order with their current values, for the console's pane. Finding them
    /// sorts every key, which at 20 state frames a second would cost more than the writes
    /// themselves once the store holds thousands of keys: the sample is kept up to date as puts
    /// apply (`notePut`) and found again only after something else changed the store.
    private func keySample() -> [String: String] {
        let keys = sampledKeys ?? kv.pairs(limit: Self.sampleSize).map(\.key)
        sampledKeys = keys
        var sample: [String: String] = [:]
        for key in keys {
            if let value = kv.value(of: key) { sample[key] = value }
        }
        return sample
    }

    private func write(_ frame: Frame, to channel: any Channel) {
        write(frame.encoded(), to: channel)
    }

    /// Writes one encoded payload (kind byte and body); the framing handler adds the length.
    private func write(_ payload: [UInt8], to channel: any Channel) {
        var buffer = channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        channel.write(buffer, promise: nil)
    }

    private func fatal(_ message: String) -> Never {
        FileHandle.standardError.write(Data("node \(options.id): fatal: \(message)\n".utf8))
        exit(2)
    }
}

extension ReplicationProgress {
    var modeName: String {
        switch mode {
        case .probe: "probe"
        case .replicate: "replicate"
        case .snapshot: "snapshot"
        }
    }
}

extension Entry {
    /// A short rendering for the console's log view.
    var summary: String {
        guard kind == .command else { return "noop" }
        return ServiceCommand(encoded: data)?.summary ?? "?"
    }
}
