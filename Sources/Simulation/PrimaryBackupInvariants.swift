import Raft
import Replica
import Services

/// What primary/backup replication does promise, checked as a seed runs: at most one primary per
/// epoch (each needs a quorum of monitors' votes in it), and a replica applies only its epoch's
/// primary's stream, in order (a prefix of it). It promises nothing about acknowledged writes:
/// those that a failover left behind are counted, as the figure the design pays.
struct PrimaryBackupInvariants: ProtocolInvariants {
    private var primaryOf: [Term: NodeID] = [:]
    /// What each epoch's primary held or streamed, by offset: its stream when promoted, then every
    /// entry it wrote or sent.
    private var streams: [Term: [LogIndex: Entry]] = [:]
    /// Offsets an epoch's primary had already compacted when promoted (unknown, so not checked).
    private var compactedAtPromotion: [Term: LogIndex] = [:]
    /// Where each epoch's stream continues an older one: the promoted primary's last entry before
    /// its epoch began.
    private var inherited: [Term: LogPosition] = [:]
    /// Write requests seen, so their answers count as acknowledged writes.
    private var writeRequests: Set<UInt64> = []
    /// Every acknowledged write: where the primary that answered put it.
    private var acknowledged: [LogPosition] = []
    private(set) var highestCommitted: LogIndex = 0
    /// Each node's epoch as last seen, and the epochs it passed through since it last applied: a
    /// replica commits what it receives in the epoch it follows then, and applies it in its next
    /// round, by which time it may follow a newer one.
    private var epochOf: [NodeID: Term] = [:]
    private var epochsSinceApplied: [NodeID: [Term]] = [:]

    init(options: SimulationOptions) {}

    static func makeCore(id: NodeID, options: SimulationOptions, seed: UInt64, restoring disk: PersistentState)
        throws -> PrimaryBackup {
        var config = PrimaryBackupConfig(id: id, members: Array(1...options.nodeCount))
        config.heartbeatTicks = options.heartbeatTicks
        config.downTicks = options.electionTicks
        config.acknowledgement = options.primaryBackup ?? .async
        config.maxEntriesPerAppend = options.maxEntriesPerAppend
        config.randomSeed = seed
        config.bugs = options.bugs
        return try PrimaryBackup(config: config, restoring: disk)
    }

    static var checksClientHistory: Bool { false }

    mutating func booted(_ id: NodeID, disk: PersistentState) {
        epochOf[id] = disk.entries.last?.term ?? disk.snapshot?.position.term ?? 0
        epochsSinceApplied[id] = []
    }

    /// At most one primary per epoch; a new primary's stream so far is its epoch's start.
    mutating func roleChanged(_ id: NodeID, core: PrimaryBackup) -> Breach? {
        if let before = epochOf[id] { epochsSinceApplied[id, default: []].append(before) }
        epochOf[id] = core.epoch
        guard core.role == .primary else { return nil }
        let epoch = core.epoch
        if let other = primaryOf[epoch], other != id {
            return (.onePrimaryPerEpoch, "n\(other) and n\(id) are both primary in epoch \(epoch)")
        }
        primaryOf[epoch] = id
        var stream: [LogIndex: Entry] = [:]
        for entry in core.entries(from: core.firstIndex, through: core.lastIndex) { stream[entry.index] = entry }
        streams[epoch] = stream
        compactedAtPromotion[epoch] = core.snapshotPosition.index
        let before = core.lastIndex - 1
        inherited[epoch] = LogPosition(term: core.epoch(at: before) ?? 0, index: before)
        return nil
    }

    /// A primary's stream message records what it streamed.
    mutating func sent(_ message: Message) {
        guard case .append(let request) = message.body, primaryOf[message.term] == message.from else { return }
        for entry in request.entries { streams[message.term, default: [:]][entry.index] = entry }
    }

    /// A primary's own writes are its stream, even those it never got to send.
    mutating func persisted(_ entries: [Entry], by id: NodeID, disk: PersistentState) -> Breach? {
        for entry in entries where primaryOf[entry.term] == id {
            streams[entry.term, default: [:]][entry.index] = entry
        }
        return nil
    }

    /// A replica applies what the primary of an epoch it followed since its last round streamed,
    /// offset by offset. A deposed primary may still apply its own writes, committed before it heard
    /// of the newer epoch.
    mutating func applied(snapshot: Snapshot?, entries: [Entry], by id: NodeID, term: Term, leading: Bool) -> Breach? {
        highestCommitted = max(highestCommitted, entries.last?.index ?? snapshot?.position.index ?? 0)
        let epochs = (epochsSinceApplied.removeValue(forKey: id) ?? []) + [term]
        guard !leading, let primary = primaryOf[term] else { return nil }
        for entry in entries where primaryOf[entry.term] != id {
            guard let problem = notStreamed(entry, in: epochs) else { continue }
            return (.streamPrefix, "n\(id) in epoch \(term) applied offset \(entry.index) of epoch \(entry.term), "
                + problem + " (epoch \(term)'s primary: n\(primary))")
        }
        return nil
    }

    /// Why `entry` is in none of these epochs' primaries' streams; nil when it is in one (or when
    /// none of them is known: no primary yet, or compacted before its promotion).
    private func notStreamed(_ entry: Entry, in epochs: [Term]) -> String? {
        var problem: String?
        for epoch in epochs {
            guard primaryOf[epoch] != nil, let stream = streams[epoch] else { return nil }
            if let streamed = stream[entry.index] {
                if streamed == entry { return nil }
                problem = "where epoch \(epoch)'s primary streamed one of epoch \(streamed.term)"
            } else if entry.index <= compactedAtPromotion[epoch] ?? 0 {
                return nil
            } else {
                problem = problem ?? "which epoch \(epoch)'s primary never streamed"
            }
        }
        return problem
    }

    /// Replicas at one offset may hold different state here (a deposed primary's writes), so
    /// snapshots are not compared.
    mutating func snapshotTaken(_ snapshot: Snapshot, by id: NodeID) -> Breach? { nil }

    mutating func asked(_ request: ClientRequest) {
        if case .write = request.operation { writeRequests.insert(request.requestID) }
    }

    /// A primary's reads are answered from its own state: nothing to check.
    mutating func readConfirmed(_ requestID: UInt64, at index: LogIndex, on id: NodeID) -> Breach? { nil }

    mutating func answered(_ reply: ClientReply, by id: NodeID, term: Term) {
        guard case .ok(_, let index) = reply.outcome, writeRequests.remove(reply.requestID) != nil else { return }
        acknowledged.append(LogPosition(term: term, index: index))
    }

    /// Acknowledged writes the latest epoch's stream does not hold: walking back from the newest
    /// primary, each epoch holds its own entries up to where the next one took over.
    func lostWrites() -> (lost: Int, acknowledged: Int)? {
        guard let newest = primaryOf.keys.max() else { return (0, acknowledged.count) }
        var kept: [Term: LogIndex] = [newest: LogIndex.max]
        var epoch = newest
        while let start = inherited[epoch], start.term > 0 {
            kept[start.term] = min(kept[start.term] ?? LogIndex.max, start.index)
            guard start.term < epoch else { break }
            epoch = start.term
        }
        let lost = acknowledged.filter { position in
            guard let limit = kept[position.term] else { return true }
            return position.index > limit
        }
        return (lost.count, acknowledged.count)
    }
}
