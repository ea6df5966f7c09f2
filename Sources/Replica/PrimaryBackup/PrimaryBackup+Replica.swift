import Raft

// The replica's side: follow the newest primary heard, apply its stream in order, ask for a resync
// when the stream does not continue what this node holds.
extension PrimaryBackup {
    /// A primary's stream message (entries, heartbeat or full copy).
    mutating func handleStream(_ message: Message) {
        guard acceptsStream(message) else { return }
        heardFromPrimary()
        switch message.body {
        case .append(let request): receiveEntries(message, request)
        case .heartbeat(let offset, _): receiveHeartbeat(message, offset: offset)
        case .installSnapshot(let copy): receiveFullCopy(message, copy)
        case .preVote, .preVoteResponse, .vote, .voteResponse, .appendResponse, .heartbeatResponse:
            preconditionFailure("bug: \(message.body.name) is not a stream message")
        }
    }

    /// Follows the sender when its epoch is at least ours; tells an older primary it was replaced.
    private mutating func acceptsStream(_ message: Message) -> Bool {
        if message.term < epoch {
            // The `accept-stale-epoch` knob: a replica takes the old primary's stream anyway.
            if config.bugs.contains(.acceptStaleEpoch) && role != .primary {
                primary = message.from
                return true
            }
            send(.appendResponse(.rejected(rejectedIndex: 0, hintIndex: log.lastIndex, hintTerm: log.lastEpoch)),
                 to: message.from)
            return false
        }
        if message.term == epoch && role == .primary {
            // Two primaries in one epoch cannot happen: each needs a quorum of votes in it.
            return false
        }
        if message.term > epoch || role != .replica || primary != message.from {
            follow(message.from, epoch: message.term)
        }
        return true
    }

    private mutating func receiveEntries(_ message: Message, _ request: AppendRequest) {
        let previous = LogPosition(term: request.prevLogTerm, index: request.prevLogIndex)
        guard log.holds(previous) else { return askForResync(message) }
        for entry in request.entries {
            if let held = log.epoch(at: entry.index) {
                if held == entry.term { continue }
                // A different write at an offset this node already applied cannot be undone: only a
                // full copy brings it back in line. One not applied yet is simply replaced.
                guard entry.index > commitIndex else { return askForResync(message) }
                log.truncate(after: entry.index - 1)
            }
            guard entry.index == log.lastIndex + 1 else { break }
            appendToLog(entry)
        }
        let offset = request.prevLogIndex + request.entries.count
        synced = true
        // A replica applies what it holds in sync with its primary at once: there is nothing to wait for.
        commit(through: offset)
        send(.appendResponse(.accepted(matchIndex: offset)), to: message.from, epoch: message.term)
    }

    private mutating func receiveHeartbeat(_ message: Message, offset: LogIndex) {
        guard synced, log.lastIndex >= offset else { return askForResync(message) }
        send(.heartbeatResponse(readRound: 0), to: message.from, epoch: message.term)
    }

    private mutating func receiveFullCopy(_ message: Message, _ copy: Snapshot) {
        install(copy)
        synced = true
        send(.appendResponse(.accepted(matchIndex: copy.position.index)), to: message.from, epoch: message.term)
    }

    /// Where this node's stream ends, so the primary continues it or sends a full copy.
    private mutating func askForResync(_ message: Message) {
        synced = false
        let rejected = message.body.appendRequest?.prevLogIndex ?? 0
        send(.appendResponse(.rejected(rejectedIndex: rejected, hintIndex: log.lastIndex, hintTerm: log.lastEpoch)),
             to: message.from, epoch: message.term)
    }
}

extension MessageBody {
    /// The stream request an `append` carries.
    var appendRequest: AppendRequest? {
        if case .append(let request) = self { return request }
        return nil
    }
}
