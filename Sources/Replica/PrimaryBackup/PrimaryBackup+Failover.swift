import Raft

// Failover inside the nodes: a monitor that has not heard the primary for a down timeout asks the
// others to promote it in the next epoch; a monitor agrees when it too no longer hears the primary,
// has not promoted another in that epoch, and does not hold a longer stream. A quorum of agreements
// makes it primary. Nothing here touches the stream: that is the difference from Raft.
extension PrimaryBackup {
    mutating func campaign() {
        role = .candidate
        primary = nil
        voteEpoch = max(voteEpoch, epoch) + 1
        votedFor = config.id
        votesGranted = [config.id]
        resetDownTimer()
        if votesGranted.count >= config.quorum { return becomePrimary() }
        let request = VoteRequest(lastLogIndex: log.lastIndex, lastLogTerm: log.lastEpoch)
        for id in others { send(.vote(request), to: id, epoch: voteEpoch) }
    }

    /// A candidate asks to be promoted in epoch `message.term`.
    mutating func handlePromotionRequest(_ message: Message, _ request: VoteRequest) {
        let answer = promotionAnswer(message, request)
        if answer.isGranted {
            votedFor = message.from
            primary = nil
            // Give the one being promoted time to take over before asking for ourselves.
            heardFromPrimary()
        }
        send(.voteResponse(answer), to: message.from, epoch: max(message.term, voteEpoch))
    }

    private mutating func promotionAnswer(_ message: Message, _ request: VoteRequest) -> VoteAnswer {
        let asked = message.term
        // A primary never votes itself out, and a monitor that still hears its primary disagrees
        // that it is down (Sentinel's subjective-down check): neither even learns the new epoch.
        if role == .primary { return .refused(.hasLeader(config.id)) }
        if hearsPrimary, let primary { return .refused(.hasLeader(primary)) }
        if asked < voteEpoch { return .refused(.staleTerm) }
        if asked > voteEpoch {
            voteEpoch = asked
            votedFor = nil
            if role == .candidate { role = .replica }
            votesGranted = []
        }
        if let votedFor, votedFor != message.from { return .refused(.alreadyVoted(for: votedFor)) }
        // The replica with the highest offset is promoted: a longer stream refuses a shorter one.
        if request.lastLogIndex < log.lastIndex { return .refused(.logBehind) }
        return .granted
    }

    mutating func handlePromotionAnswer(_ message: Message, _ answer: VoteAnswer) {
        if message.term > voteEpoch {
            voteEpoch = message.term
            votedFor = nil
            if role == .candidate {
                role = .replica
                votesGranted = []
            }
            return
        }
        guard role == .candidate, message.term == voteEpoch, answer.isGranted,
              !votesGranted.contains(message.from) else { return }
        votesGranted.append(message.from)
        if votesGranted.count >= config.quorum { becomePrimary() }
    }
}
