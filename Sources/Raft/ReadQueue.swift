/// The leader's ReadIndex bookkeeping (thesis §6.4): each read joins a round; a round is confirmed when a
/// quorum answers a heartbeat that carries its number, proving this node was still leader.
struct ReadQueue: Sendable {
    private struct Pending: Sendable {
        var id: UInt64
        var index: LogIndex
        var round: Int
    }

    /// The newest round started; heartbeats carry it.
    private(set) var currentRound = 0
    private var pending: [Pending] = []
    /// Reads that arrived before the leader committed an entry of its own term.
    private var waitingForFirstCommit: [UInt64] = []
    private(set) var confirmed: [ReadState] = []
    private(set) var aborted: [UInt64] = []

    var hasOutput: Bool { !confirmed.isEmpty || !aborted.isEmpty }

    /// The `stale-leader-read` bug: answer at once, trusting that this node still leads.
    mutating func confirmWithoutRound(id: UInt64, index: LogIndex) {
        confirmed.append(ReadState(requestID: id, index: index))
    }

    mutating func waitForFirstCommit(id: UInt64) {
        waitingForFirstCommit.append(id)
    }

    mutating func takeWaitingForFirstCommit() -> [UInt64] {
        defer { waitingForFirstCommit = [] }
        return waitingForFirstCommit
    }

    mutating func startRound(ids: [UInt64], index: LogIndex) {
        currentRound += 1
        for id in ids {
            pending.append(Pending(id: id, index: index, round: currentRound))
        }
    }

    /// Releases every read whose round a quorum has confirmed.
    mutating func confirm(throughRound round: Int) {
        let released = pending.prefix { $0.round <= round }
        guard !released.isEmpty else { return }
        confirmed.append(contentsOf: released.map { ReadState(requestID: $0.id, index: $0.index) })
        pending.removeFirst(released.count)
    }

    /// Leadership is lost: no pending read can be confirmed any more.
    mutating func abortAll() {
        aborted.append(contentsOf: waitingForFirstCommit)
        aborted.append(contentsOf: pending.map(\.id))
        waitingForFirstCommit = []
        pending = []
    }

    mutating func handedOut(confirmed confirmedCount: Int, aborted abortedCount: Int) {
        confirmed.removeFirst(min(confirmedCount, confirmed.count))
        aborted.removeFirst(min(abortedCount, aborted.count))
    }
}
