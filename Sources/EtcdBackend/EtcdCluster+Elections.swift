import ClusterAPI
import EtcdClient

/// Elections on etcd through its election API. etcd's Campaign blocks until the candidate leads,
/// so `campaign` starts it on a connection of its own and answers at once (elected, or candidate);
/// the campaign goes on in the background and `wait elected` waits for it. Each campaign is one
/// history record, completed when etcd answers.
extension EtcdCluster {
    /// How long a campaign stands before the console withdraws it: a minute, or three leases.
    static func campaignWaitMs(ttlMs: Int) -> Int { max(60_000, 3 * ttlMs) }

    /// `campaign NAME VALUE [ttl D]`.
    func campaign(_ name: String, value: String, ttlMs: Int?, client: String, announcing: Bool) async -> CommandOutput {
        let ttlMs = ttlMs ?? Self.defaultLeaseMs
        var record = HistoryRecord(process: client, f: "campaign", key: name, value: value, invoke: now,
                                   complete: nil, outcome: .unknown, ttlMs: ttlMs)
        if let held = sessions.session(client).leaderships[name] {
            return CommandOutput(lines: ["\(client) already leads \(name) (revision \(held.revision))"])
        }
        let lease: Int64
        switch await ensureLease(for: client, ttlMs: ttlMs) {
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: false, node: nil, announcing: announcing)
        case .success(let granted): lease = granted.id
        }
        sessions.campaigned(in: name)
        let invoked = record
        let task = Task { [self] in
            var record = invoked
            let request = EtcdCampaignRequest(name: EtcdBytes(name), lease: lease, value: EtcdBytes(value))
            let (ending, node) = await call(request, as: Self.waitConnection(of: client, on: name), isWrite: true,
                                            withinMs: Self.campaignWaitMs(ttlMs: ttlMs))
            switch ending {
            case .failure(let failure):
                _ = remember(&record, failed: failure, isWrite: true, node: node, announcing: announcing)
            case .success(let answer):
                sessions.update(client) { $0.leaderships[name] = answer.leader }
                record.result = "elected"
                record.new = "elected, revision \(answer.leader.revision)"
                _ = remember(&record, outcome: .ok, node: node, announcing: announcing,
                             output: CommandOutput(lines: []))
            }
        }
        background.withLock { $0.append(task) }
        // Most campaigns with nobody ahead are answered within a round trip: say so then.
        if let elected = await leadership(of: client, in: name, withinMs: 500) {
            return CommandOutput(lines: ["elected: \(name) = \(value) (revision \(elected.revision))"])
        }
        return CommandOutput(lines: ["candidate for \(name): etcd's Campaign waits until the leader resigns or "
            + "its lease expires (`wait elected \(name) as \(client)`)"])
    }

    /// `resign NAME`: gives up the leadership, or withdraws a campaign still waiting.
    func resign(_ name: String, client: String, announcing: Bool) async -> CommandOutput {
        guard let leadership = sessions.session(client).leaderships[name] else {
            // Closing the waiting campaign's connection cancels it; etcd deletes its candidate key.
            await pool.discardAll(client: Self.waitConnection(of: client, on: name))
            return CommandOutput(lines: ["\(client) does not lead \(name): its campaign, if any, is withdrawn"])
        }
        var record = HistoryRecord(process: client, f: "resign", key: name, invoke: now, complete: nil,
                                   outcome: .unknown)
        let (ending, node) = await call(EtcdResignRequest(leader: leadership), as: client, isWrite: true)
        switch ending {
        case .failure(let failure):
            return remember(&record, failed: failure, isWrite: true, node: node, announcing: announcing)
        case .success:
            sessions.update(client) { _ = $0.leaderships.removeValue(forKey: name) }
            record.result = "resigned"
            record.new = "resigned"
            return remember(&record, outcome: .ok, node: node, announcing: announcing,
                            output: CommandOutput(lines: ["resigned \(name) (revision \(leadership.revision))"]))
        }
    }

    /// `leader NAME`: who leads, as etcd's election API says.
    func electionLeader(_ name: String) async -> CommandOutput {
        let (ending, _) = await call(EtcdElectionLeaderRequest(name: EtcdBytes(name)),
            as: "views", isWrite: false)
        switch ending {
        case .success(let answer):
            guard let leader = answer.keyValue else { return CommandOutput(lines: ["\(name): no leader"]) }
            let client = sessions.namesByLease[UInt64(bitPattern: leader.lease)]
                ?? "lease \(Self.hex(leader.lease))"
            return CommandOutput(lines: ["\(name): \(leader.value) (leader \(client), "
                + "revision \(leader.createRevision))"])
        case .failure(.ambiguous(let why)) where why.contains("election: no leader"):
            return CommandOutput(lines: ["\(name): no leader"])
        case .failure(.ambiguous(let why)), .failure(.notSent(let why)):
            return .error(why)
        }
    }

    /// `wait elected NAME [within D]`: until the client's campaign wins.
    func waitElected(_ name: String, withinMs: Int?, client: String) async -> CommandOutput {
        let limit = withinMs ?? 5_000
        guard let elected = await leadership(of: client, in: name, withinMs: limit) else {
            return .error("not elected to \(name) within \(limit) ms")
        }
        return CommandOutput(lines: ["elected: \(name) (revision \(elected.revision))"])
    }

    /// The client's leadership of `name`, once it has one, waited for up to `withinMs`.
    private func leadership(of client: String, in name: String, withinMs: Int) async -> EtcdLeaderKey? {
        let found = await poll(forMs: withinMs) { () async -> EtcdLeaderKey? in
            self.sessions.session(client).leaderships[name]
        }
        return found
    }
}
