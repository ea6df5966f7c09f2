/// One Raft participant as a pure state machine: `tick()`, `step(_:)`, `propose(_:)` and
/// `requestRead(id:)` change it; `ready()` hands out the resulting work and `advance(_:)` confirms it
/// was done. No clock, disk, network or global randomness is touched.
public struct RaftNode: Sendable {
    public private(set) var config: Config
    public private(set) var role: Role = .follower
    public private(set) var term: Term = 0
    public private(set) var votedFor: NodeID?
    /// Who this node believes leads in `term`.
    public private(set) var leader: NodeID?
    var log: RaftLog
    /// Per-follower replication state, for a leader only.
    public private(set) var progress: [NodeID: ReplicationProgress] = [:]
    /// Answers received in the current (pre-)campaign.
    private var votes = VoteTally()
    private var electionElapsed = 0
    private var heartbeatElapsed = 0
    private var randomizedElectionTicks: Int
    private var random: SeededRandom
    private var outbox: [Message] = []
    private var persistedHardState: HardState
    private var reads = ReadQueue()

    /// Creates a node, restoring whatever was durable before a restart.
    public init(config: Config, restoring state: PersistentState = PersistentState()) throws(ConfigError) {
        try config.validate()
        self.config = config
        log = RaftLog(restoring: state)
        term = state.hardState.term
        votedFor = state.hardState.votedFor
        persistedHardState = state.hardState
        random = SeededRandom(seed: config.randomSeed)
        randomizedElectionTicks = config.electionTicks
        resetElectionTimer()
    }

    // MARK: Read-only views

    public var commitIndex: LogIndex { log.committed }
    public var appliedIndex: LogIndex { log.applied }
    public var lastIndex: LogIndex { log.lastIndex }
    public var lastTerm: Term { log.lastTerm }
    public var firstIndex: LogIndex { log.firstIndex }
    public var snapshotPosition: LogPosition { log.snapshotPosition }
    public var hardState: HardState { HardState(term: term, votedFor: votedFor, commit: log.committed) }
    /// Who granted this node's current (pre-)campaign, itself first, then in the order they answered;
    /// empty unless it is a (pre-)candidate.
    public var votesGranted: [NodeID] { votes.granted }

    /// The term of the entry at `index`; nil when compacted away or not present.
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }

    /// Entries held in memory from `start` through `end` (for displays and checkers).
    public func entries(from start: LogIndex, through end: LogIndex) -> [Entry] {
        log.entries(from: start, through: end, limit: Int.max / 2)
    }

    var others: [NodeID] { config.members.filter { $0 != config.id } }

    // MARK: Inputs

    /// Advances logical time by one tick.
    public mutating func tick() {
        switch role {
        case .leader: tickLeader()
        case .follower, .preCandidate, .candidate: tickElection()
        }
    }

    /// Switches pre-vote and check-quorum while running (the console's `set prevote|checkquorum`).
    public mutating func setFeatures(preVote: Bool, checkQuorum: Bool) {
        config.preVote = preVote
        config.checkQuorum = checkQuorum
    }

    /// Fires the election timer now (the console's `timeout N`).
    public mutating func campaignNow() {
        guard role != .leader else { return }
        campaign()
    }

    /// Proposes a command; only a leader accepts. Returns where the entry was placed.
    public mutating func propose(_ data: [UInt8]) -> Result<LogPosition, ProposalError> {
        guard role == .leader else { return .failure(.notLeader(leaderHint: leader)) }
        let entry = Entry(term: term, index: log.lastIndex + 1, kind: .command, data: data)
        appendAsLeader(entry)
        return .success(LogPosition(term: entry.term, index: entry.index))
    }

    /// Asks for a linearizable read point (ReadIndex, thesis §6.4); the answer arrives in
    /// `Ready.readStates` (or `abortedReads` if leadership is lost first).
    public mutating func requestRead(id: UInt64) -> Result<Void, ProposalError> {
        guard role == .leader else { return .failure(.notLeader(leaderHint: leader)) }
        if config.bugs.contains(.staleLeaderRead) {
            reads.confirmWithoutRound(id: id, index: log.committed)
            return .success(())
        }
        guard hasCommittedInCurrentTerm else {
            reads.waitForFirstCommit(id: id)
            return .success(())
        }
        startReadRound(ids: [id])
        return .success(())
    }

    /// Processes a message from another node.
    public mutating func step(_ message: Message) {
        guard message.to == config.id, config.members.contains(message.from) else { return }
        guard acceptTerm(of: message) else { return }
        switch message.body {
        case .preVote(let request): handleVoteRequest(message, request, preVote: true)
        case .vote(let request): handleVoteRequest(message, request, preVote: false)
        case .preVoteResponse(let answer): handleVoteResponse(from: message.from, answer, preVote: true)
        case .voteResponse(let answer): handleVoteResponse(from: message.from, answer, preVote: false)
        case .append(let request): handleAppend(from: message.from, request)
        case .appendResponse(let response): handleAppendResponse(from: message.from, response)
        case .heartbeat(let commit, let round): handleHeartbeat(from: message.from, commit, round)
        case .heartbeatResponse(let round): handleHeartbeatResponse(from: message.from, round)
        case .installSnapshot(let snapshot): handleSnapshot(from: message.from, snapshot)
        }
    }

    /// Replaces entries through `index` with `data`, a snapshot the application took of its state with
    /// `index` applied. Ignored unless `index` is applied and persisted. The application stores the
    /// snapshot itself (it is not handed out again in `Ready`); the node keeps it to send to followers
    /// that need compacted entries.
    public mutating func compact(through index: LogIndex, snapshotData data: [UInt8]) {
        guard index <= log.applied, index < log.unstableFrom else { return }
        log.compact(through: index, data: data)
    }

    /// The latest snapshot this node holds.
    public var snapshot: Snapshot? { log.snapshot }

    // MARK: Output

    /// True when `ready()` has work to hand out.
    public var hasReady: Bool {
        !outbox.isEmpty || hardState != persistedHardState || log.unstableFrom <= log.lastIndex
            || log.pendingSnapshot != nil || log.committed > log.applied || reads.hasOutput
    }

    /// The pending work; see `Ready` for the order in which it must be done.
    public func ready() -> Ready {
        var batch = Ready()
        var durable = hardState
        if config.bugs.contains(.forgetVoteOnRestart) { durable.votedFor = nil }
        if hardState != persistedHardState { batch.hardState = durable }
        batch.snapshot = log.pendingSnapshot
        batch.entries = log.unstableEntries
        batch.messages = outbox
        batch.committedEntries = log.entriesToApply
        batch.readStates = reads.confirmed
        batch.abortedReads = reads.aborted
        return batch
    }

    /// Confirms that everything in `batch` was done.
    public mutating func advance(_ batch: Ready) {
        if batch.hardState != nil { persistedHardState = hardState }
        log.markHandedOut(persistedThrough: batch.entries.last?.index,
                          appliedThrough: batch.committedEntries.last?.index,
                          snapshot: batch.snapshot != nil)
        outbox.removeFirst(min(batch.messages.count, outbox.count))
        reads.handedOut(confirmed: batch.readStates.count, aborted: batch.abortedReads.count)
    }

    // MARK: Terms (one check for every message)

    /// Applies the term rules shared by all messages; false when the message must be dropped.
    private mutating func acceptTerm(of message: Message) -> Bool {
        if message.term > term {
            return acceptHigherTerm(of: message)
        }
        if message.term < term {
            answerStaleTerm(message)
            return false
        }
        return true
    }

    private mutating func acceptHigherTerm(of message: Message) -> Bool {
        switch message.body {
        case .preVote, .vote:
            // A node that heard from a leader recently ignores disruptive campaigns (thesis §4.2.3): it
            // keeps its term and says why, in its own term, which a candidate already past it drops.
            if let leader = leaseHolder {
                answerVoteRequest(message, .refused(.leaderLease(leader)), replyTerm: term)
                return false
            }
            if case .preVote = message.body { return true }
            becomeFollower(term: message.term, leader: nil)
        case .preVoteResponse(.granted):
            // Granted pre-votes carry the term we would campaign in, not the voter's term.
            return true
        case .append, .heartbeat, .installSnapshot:
            becomeFollower(term: message.term, leader: message.from)
        case .preVoteResponse, .voteResponse, .appendResponse, .heartbeatResponse:
            becomeFollower(term: message.term, leader: nil)
        }
        return true
    }

    private mutating func answerStaleTerm(_ message: Message) {
        switch message.body {
        case .append, .heartbeat:
            // Tells a deposed leader (cut off while pre-vote or check-quorum kept our term from being
            // bumped by its campaigns) that a newer term exists.
            if config.preVote || config.checkQuorum {
                let newerTerm = AppendResponse.rejected(rejectedIndex: 0, hintIndex: 0, hintTerm: 0)
                send(to: message.from, .appendResponse(newerTerm))
            }
        case .preVote, .vote:
            // Answered in our newer term, so the stale (pre-)candidate catches up (§5.1).
            answerVoteRequest(message, .refused(.staleTerm), replyTerm: term)
        default:
            break
        }
    }

    /// The leader heard from (or this node, leading) within the last election timeout.
    private var recentLeader: NodeID? {
        guard let leader, electionElapsed < config.electionTicks else { return nil }
        return leader
    }

    /// The leader whose lease keeps this node from answering campaigns: check-quorum's lease.
    private var leaseHolder: NodeID? { config.checkQuorum ? recentLeader : nil }

    // MARK: Elections

    private mutating func tickElection() {
        electionElapsed += 1
        if electionElapsed >= randomizedElectionTicks {
            campaign()
        }
    }

    private mutating func campaign() {
        if config.preVote {
            becomePreCandidate()
        } else {
            becomeCandidate()
        }
    }

    private mutating func becomePreCandidate() {
        role = .preCandidate
        leader = nil
        votes = VoteTally(campaigner: config.id)
        resetElectionTimer()
        if votes.outcome(quorum: config.quorum) == .won { return becomeCandidate() }
        requestVotes(.preVote(lastLogRequest), term: term + 1)
    }

    private mutating func becomeCandidate() {
        role = .candidate
        term += 1
        votedFor = config.id
        leader = nil
        votes = VoteTally(campaigner: config.id)
        resetElectionTimer()
        if votes.outcome(quorum: config.quorum) == .won { return becomeLeader() }
        requestVotes(.vote(lastLogRequest), term: term)
    }

    private var lastLogRequest: VoteRequest {
        VoteRequest(lastLogIndex: log.lastIndex, lastLogTerm: log.lastTerm)
    }

    private mutating func requestVotes(_ body: MessageBody, term campaignTerm: Term) {
        for peer in others {
            outbox.append(Message(from: config.id, to: peer, term: campaignTerm, body: body))
        }
    }

    private mutating func handleVoteRequest(_ message: Message, _ request: VoteRequest, preVote: Bool) {
        let answer = answer(to: message, request, preVote: preVote)
        if preVote {
            // A granted pre-vote answers in the asked term; a refusal in ours, so a stale asker catches up.
            return answerVoteRequest(message, answer, replyTerm: answer.isGranted ? message.term : term)
        }
        if answer.isGranted {
            votedFor = message.from
            electionElapsed = 0
        }
        answerVoteRequest(message, answer, replyTerm: term)
    }

    /// The election rules in the order they are checked; the first that refuses is the reason given.
    private func answer(to message: Message, _ request: VoteRequest, preVote: Bool) -> VoteAnswer {
        if let refusal = refusalToVote(for: message, preVote: preVote) { return .refused(refusal) }
        let candidateLast = LogPosition(term: request.lastLogTerm, index: request.lastLogIndex)
        guard config.bugs.contains(.skipLogCheck) || log.isUpToDate(candidateLast) else {
            return .refused(.logBehind)
        }
        return .granted
    }

    /// Why this node may not vote for the sender in the message's term, whatever their logs; nil if it may.
    private func refusalToVote(for message: Message, preVote: Bool) -> VoteRefusal? {
        if preVote && message.term > term {
            // Pre-votes change nothing here, so any number may be granted, but none while a leader is
            // heard from (thesis §9.6): that is what keeps a rejoining node from disrupting the cluster.
            return recentLeader.map(VoteRefusal.leaderLease)
        }
        if votedFor == message.from || config.bugs.contains(.voteTwice) { return nil }
        if let votedFor { return .alreadyVoted(for: votedFor) }
        if let leader { return .hasLeader(leader) }
        return nil
    }

    /// Sends a vote or pre-vote response, matching the request's kind.
    private mutating func answerVoteRequest(_ request: Message, _ answer: VoteAnswer, replyTerm: Term) {
        let body: MessageBody
        switch request.body {
        case .preVote: body = .preVoteResponse(answer)
        case .vote: body = .voteResponse(answer)
        default: preconditionFailure("bug: answering a \(request.body.name) as a vote request")
        }
        outbox.append(Message(from: config.id, to: request.from, term: replyTerm, body: body))
    }

    private mutating func handleVoteResponse(from voter: NodeID, _ answer: VoteAnswer, preVote: Bool) {
        guard (preVote && role == .preCandidate) || (!preVote && role == .candidate) else { return }
        votes.record(voter, granted: answer.isGranted)
        switch votes.outcome(quorum: config.quorum) {
        case .won: preVote ? becomeCandidate() : becomeLeader()
        case .lost: becomeFollower(term: term, leader: nil)
        case .pending: break
        }
    }

    private mutating func becomeFollower(term newTerm: Term, leader newLeader: NodeID?) {
        if newTerm > term {
            term = newTerm
            votedFor = nil
        }
        if role == .leader { reads.abortAll() }
        role = .follower
        leader = newLeader
        progress = [:]
        votes = VoteTally()
        resetElectionTimer()
    }

    private mutating func becomeLeader() {
        role = .leader
        leader = config.id
        votes = VoteTally()
        heartbeatElapsed = 0
        electionElapsed = 0
        progress = [:]
        for peer in others {
            progress[peer] = ReplicationProgress(next: log.lastIndex + 1)
        }
        appendAsLeader(Entry(term: term, index: log.lastIndex + 1, kind: .noop))
    }

    private mutating func resetElectionTimer() {
        electionElapsed = 0
        randomizedElectionTicks = config.electionTicks
            + Int.random(in: 0..<config.electionTicks, using: &random)
    }

    // MARK: Leader

    private mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTicks {
            electionElapsed = 0
            if config.checkQuorum && !heardFromQuorum() {
                return becomeFollower(term: term, leader: nil)
            }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    /// Counts the followers heard from since the last check, then starts a new check.
    private mutating func heardFromQuorum() -> Bool {
        var active = 1
        for peer in others where progress[peer]?.recentlyActive == true {
            active += 1
            progress[peer]?.recentlyActive = false
        }
        return active >= config.quorum
    }

    private mutating func appendAsLeader(_ entry: Entry) {
        log.append(entry)
        _ = maybeCommit()
        broadcastAppend()
    }

    private mutating func broadcastAppend() {
        for peer in others { sendAppend(to: peer) }
    }

    private mutating func broadcastHeartbeat() {
        for peer in others {
            let match = progress[peer]?.match ?? 0
            send(to: peer, .heartbeat(commit: min(match, log.committed), readRound: reads.currentRound))
        }
    }

    /// Sends the follower what it lacks: entries, or the snapshot when they are compacted away. An empty
    /// append still carries the commit index and finds a lost message's gap, so it is sent unless
    /// `sendIfEmpty` is false.
    private mutating func sendAppend(to peer: NodeID, sendIfEmpty: Bool = true) {
        guard var follower = progress[peer], !follower.isPaused(maxInflight: config.maxInflightAppends)
        else { return }
        defer { progress[peer] = follower }
        let previous = follower.next - 1
        guard let previousTerm = log.term(at: previous) else {
            return sendSnapshot(to: peer, &follower)
        }
        let entries = log.entries(from: follower.next, through: log.lastIndex,
                                  limit: config.maxEntriesPerAppend)
        if entries.isEmpty && !sendIfEmpty { return }
        send(to: peer, .append(AppendRequest(prevLogIndex: previous, prevLogTerm: previousTerm,
                                             entries: entries, leaderCommit: log.committed)))
        switch follower.mode {
        case .replicate:
            if let last = entries.last {
                follower.next = last.index + 1
                follower.inflight.append(last.index)
            }
        case .probe, .snapshot:
            follower.waitingForReply = true
        }
    }

    private mutating func sendSnapshot(to peer: NodeID, _ follower: inout ReplicationProgress) {
        guard let snapshot = log.snapshot else {
            preconditionFailure("bug: entry \(follower.next - 1) is compacted but there is no snapshot")
        }
        send(to: peer, .installSnapshot(snapshot))
        follower.mode = .snapshot(index: snapshot.position.index)
        follower.inflight = []
        follower.waitingForReply = true
    }

    private mutating func handleAppendResponse(from peer: NodeID, _ response: AppendResponse) {
        guard role == .leader, var follower = progress[peer] else { return }
        follower.recentlyActive = true
        switch response {
        case .accepted(let matchIndex):
            // A follower cannot hold more of this leader's log than the leader has; one that claims to
            // (its committed entries outrun ours: possible only with a bug knob on) is believed no further.
            let learned = follower.acknowledge(through: min(matchIndex, log.lastIndex))
            progress[peer] = follower
            guard learned else { return }
            if maybeCommit() {
                broadcastAppend()
            } else {
                sendAppend(to: peer, sendIfEmpty: false)
            }
        case .rejected(let rejectedIndex, let hintIndex, let hintTerm):
            let target = nextIndexAfterRejection(hintIndex: hintIndex, hintTerm: hintTerm)
            let shortLog = hintTerm == 0 && rejectedIndex > 0 ? hintIndex - 1 : nil
            let backedOff = follower.backOff(rejected: rejectedIndex, to: target, followerLastIndex: shortLog)
            progress[peer] = follower
            if backedOff { sendAppend(to: peer) }
        }
    }

    /// Fast back-off (§5.3): when the leader holds the follower's conflicting term, resume after its
    /// last entry of that term; otherwise skip the follower's whole term. `ReplicationProgress` clamps the result.
    private func nextIndexAfterRejection(hintIndex: LogIndex, hintTerm: Term) -> LogIndex {
        guard hintTerm > 0, let lastOfTerm = log.lastIndex(ofTerm: hintTerm) else { return hintIndex }
        return lastOfTerm + 1
    }

    /// Moves the commit point to the highest index a quorum holds, if it is from the current term.
    private mutating func maybeCommit() -> Bool {
        var matches = others.map { progress[$0]?.match ?? 0 }
        matches.append(log.lastIndex)
        matches.sort(by: >)
        let quorumIndex = matches[config.quorum - 1]
        guard quorumIndex > log.committed else { return false }
        let countsOlderTerms = config.bugs.contains(.commitOldTerm)
        guard countsOlderTerms || log.term(at: quorumIndex) == term else { return false }
        let wasCommittedInTerm = hasCommittedInCurrentTerm
        _ = log.commit(to: quorumIndex)
        if !wasCommittedInTerm && hasCommittedInCurrentTerm {
            startReadRound(ids: reads.takeWaitingForFirstCommit())
        }
        return true
    }

    private var hasCommittedInCurrentTerm: Bool {
        log.term(at: log.committed) == term
    }

    private mutating func handleHeartbeatResponse(from peer: NodeID, _ round: Int) {
        guard role == .leader, var follower = progress[peer] else { return }
        follower.recentlyActive = true
        follower.readRoundAcknowledged = max(follower.readRoundAcknowledged, round)
        follower.waitingForReply = false
        if follower.mode == .replicate && follower.isPaused(maxInflight: config.maxInflightAppends) {
            // An append may have been lost: free a slot so the next one exposes the gap.
            follower.inflight.removeFirst()
        }
        progress[peer] = follower
        if follower.match < log.lastIndex { sendAppend(to: peer) }
        reads.confirm(throughRound: roundConfirmedByQuorum())
    }

    // MARK: Reads

    private mutating func startReadRound(ids: [UInt64]) {
        guard !ids.isEmpty else { return }
        reads.startRound(ids: ids, index: log.committed)
        broadcastHeartbeat()
        reads.confirm(throughRound: roundConfirmedByQuorum())
    }

    private func roundConfirmedByQuorum() -> Int {
        var rounds = others.map { progress[$0]?.readRoundAcknowledged ?? 0 }
        rounds.append(reads.currentRound)
        rounds.sort(by: >)
        return rounds[config.quorum - 1]
    }

    // MARK: Follower

    private mutating func handleAppend(from sender: NodeID, _ request: AppendRequest) {
        guard follow(sender) else { return }
        if request.prevLogIndex < log.committed {
            return send(to: sender, .appendResponse(.accepted(matchIndex: log.committed)))
        }
        guard log.matches(index: request.prevLogIndex, term: request.prevLogTerm) else {
            return send(to: sender, .appendResponse(rejection(of: request.prevLogIndex)))
        }
        log.merge(request.entries)
        let lastNew = request.prevLogIndex + request.entries.count
        _ = log.commit(to: min(request.leaderCommit, lastNew))
        send(to: sender, .appendResponse(.accepted(matchIndex: lastNew)))
    }

    /// Accepts `sender` as the leader of the current term; a (pre-)candidate gives up its campaign.
    /// False for a leader: two leaders in one term is impossible unless a bug knob is on.
    private mutating func follow(_ sender: NodeID) -> Bool {
        switch role {
        case .leader:
            return false
        case .preCandidate, .candidate:
            becomeFollower(term: term, leader: sender)
        case .follower:
            leader = sender
            electionElapsed = 0
        }
        return true
    }

    private func rejection(of index: LogIndex) -> AppendResponse {
        guard let conflictTerm = log.term(at: index) else {
            return .rejected(rejectedIndex: index, hintIndex: log.lastIndex + 1, hintTerm: 0)
        }
        return .rejected(rejectedIndex: index, hintIndex: log.firstIndex(ofTermAt: index),
                         hintTerm: conflictTerm)
    }

    private mutating func handleHeartbeat(from sender: NodeID, _ commit: LogIndex, _ round: Int) {
        guard follow(sender) else { return }
        _ = log.commit(to: commit)
        send(to: sender, .heartbeatResponse(readRound: round))
        if commit > log.lastIndex {
            // The leader believes we hold entries we do not (our disk was wiped): say so.
            send(to: sender, .appendResponse(rejection(of: commit)))
        }
    }

    private mutating func handleSnapshot(from sender: NodeID, _ snapshot: Snapshot) {
        guard follow(sender) else { return }
        let position = snapshot.position
        if position.index <= log.committed {
            return send(to: sender, .appendResponse(.accepted(matchIndex: log.committed)))
        }
        if log.matches(index: position.index, term: position.term) {
            // We already hold everything the snapshot covers: just learn that it is committed.
            _ = log.commit(to: position.index)
            return send(to: sender, .appendResponse(.accepted(matchIndex: position.index)))
        }
        log.restore(snapshot)
        send(to: sender, .appendResponse(.accepted(matchIndex: position.index)))
    }

    private mutating func send(to peer: NodeID, _ body: MessageBody) {
        outbox.append(Message(from: config.id, to: peer, term: term, body: body))
    }
}
