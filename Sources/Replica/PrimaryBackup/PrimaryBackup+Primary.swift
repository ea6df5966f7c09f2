import Raft
import Services

// The primary's side: stream writes to every replica by offset, answer them by the acknowledgement
// mode, resync a replica that asks (from an offset when it can, a full copy when it cannot).
extension PrimaryBackup {
    /// Ticks a stream message waits for its answer before it is sent again (it was lost).
    var resendTicks: Int { 2 * config.heartbeatTicks }

    mutating func tickPrimary() {
        for id in others {
            updateReplica(id) { progress in
                if let waited = progress.waitingTicks { progress.waitingTicks = waited + 1 }
            }
        }
        tickSemiSync()
        heartbeatElapsed += 1
        guard heartbeatElapsed >= config.heartbeatTicks else { return }
        heartbeatElapsed = 0
        for id in others { replicate(to: id, heartbeat: true) }
    }

    /// Won the promotion: the new epoch starts with an empty entry, which marks in every copy of the
    /// stream where this primary's history begins (and makes the epoch survive a restart).
    mutating func becomePrimary() {
        role = .primary
        epoch = voteEpoch
        primary = config.id
        votesGranted = []
        fellBackToAsync = false
        semiSyncWaitTicks = 0
        var progress: [NodeID: ReplicaProgress] = [:]
        for id in others { progress[id] = ReplicaProgress(next: log.lastIndex + 1) }
        replicas = progress
        appendAsPrimary(Entry(term: epoch, index: log.lastIndex + 1, kind: .noop))
        for id in others { replicate(to: id, heartbeat: true) }
    }

    mutating func appendAsPrimary(_ entry: Entry) {
        appendToLog(entry)
        if acknowledgesAtOnce { commit(through: log.lastIndex) }
        for id in others { replicate(to: id, heartbeat: false) }
    }

    /// True when writes are answered as soon as the primary has them.
    var acknowledgesAtOnce: Bool {
        switch config.acknowledgement {
        case .async: true
        case .semiSync: fellBackToAsync
        }
    }

    /// Sends a replica what it lacks: a probe until its offset is known, then the entries after it
    /// (one message in flight), or a heartbeat when it has everything (`heartbeat` asks for one).
    mutating func replicate(to id: NodeID, heartbeat: Bool) {
        guard var progress = replicas[id] else { return }
        if let waited = progress.waitingTicks, waited >= resendTicks {
            // Lost on the way (or the replica was away): start again from what it is known to hold.
            progress.waitingTicks = nil
            progress.copying = false
            progress.next = progress.match + 1
        }
        let idle = progress.waitingTicks == nil
        if idle && (!progress.confirmed || progress.next <= log.lastIndex) {
            sendEntries(to: id, &progress)
        } else if heartbeat {
            send(.heartbeat(commit: min(progress.match, log.lastIndex), readRound: 0), to: id)
        }
        replicas[id] = progress
    }

    private mutating func sendEntries(to id: NodeID, _ progress: inout ReplicaProgress) {
        let previous = progress.next - 1
        guard let previousEpoch = log.epoch(at: previous) else { return sendFullCopy(to: id, &progress) }
        let entries = log.entries(from: progress.next, through: log.lastIndex, limit: config.maxEntriesPerAppend)
        send(.append(AppendRequest(prevLogIndex: previous, prevLogTerm: previousEpoch, entries: entries,
                                   leaderCommit: commitIndex)), to: id)
        progress.next = previous + entries.count + 1
        progress.waitingTicks = 0
    }

    /// The primary's state as of its snapshot, then the entries after it: a replica whose stream is
    /// not a prefix of ours starts over from this.
    private mutating func sendFullCopy(to id: NodeID, _ progress: inout ReplicaProgress) {
        let copy = log.snapshot ?? Snapshot(position: LogPosition(term: 0, index: 0),
                                            data: ServiceState().snapshotData())
        send(.installSnapshot(copy), to: id)
        progress.copying = true
        progress.next = copy.position.index + 1
        progress.waitingTicks = 0
    }

    /// A replica's answer to the stream: an offset it holds, or where its stream ends when ours does
    /// not continue it.
    mutating func handleStreamAnswer(_ message: Message, _ response: AppendResponse) {
        guard acceptsAnswer(message), var progress = replicas[message.from] else { return }
        switch response {
        case .accepted(let offset):
            progress.match = max(progress.match, offset)
            progress.next = max(progress.next, offset + 1)
            progress.confirmed = true
            progress.copying = false
            progress.waitingTicks = nil
        case .rejected(_, let hintIndex, let hintTerm):
            progress.waitingTicks = nil
            progress.copying = false
            if hintIndex >= log.snapshotPosition.index && log.holds(LogPosition(term: hintTerm, index: hintIndex)) {
                // Its stream is a prefix of ours: go on from its end (a partial resync).
                progress.match = hintIndex
                progress.next = hintIndex + 1
                progress.confirmed = true
            } else {
                // It holds what we do not (or what we compacted): only a full copy resyncs it.
                progress.confirmed = false
                sendFullCopy(to: message.from, &progress)
            }
        }
        replicas[message.from] = progress
        advanceSemiSync()
        replicate(to: message.from, heartbeat: false)
    }

    mutating func handleHeartbeatAnswer(_ message: Message) {
        _ = acceptsAnswer(message)
    }

    /// A replica answering from a newer epoch means this primary was replaced: it steps down.
    private mutating func acceptsAnswer(_ message: Message) -> Bool {
        if message.term > epoch {
            learnNewerEpoch(message.term)
            return false
        }
        return role == .primary && message.term == epoch
    }

    // MARK: Semi-sync

    /// Commits what enough replicas hold; switches back from async once they have caught up.
    mutating func advanceSemiSync() {
        guard case .semiSync(let needed, _) = config.acknowledgement else { return }
        let matches = others.map { replicas[$0]?.match ?? 0 }.sorted(by: >)
        let held = matches.count >= needed ? matches[needed - 1] : 0
        if fellBackToAsync {
            guard held >= log.lastIndex else { return }
            fellBackToAsync = false
            note("semi-sync on again: \(needed) replica\(needed == 1 ? "" : "s") caught up")
            return
        }
        if held > commitIndex { semiSyncWaitTicks = 0 }
        commit(through: held)
    }

    private mutating func tickSemiSync() {
        guard case .semiSync(let needed, let fallback) = config.acknowledgement, !fellBackToAsync,
              commitIndex < log.lastIndex else {
            semiSyncWaitTicks = 0
            return
        }
        semiSyncWaitTicks += 1
        guard let fallback, semiSyncWaitTicks >= fallback else { return }
        fellBackToAsync = true
        semiSyncWaitTicks = 0
        commit(through: log.lastIndex)
        note("semi-sync timed out: no acknowledgement from \(needed) replica\(needed == 1 ? "" : "s") "
            + "after \(fallback) ticks; answering writes as async")
    }
}
