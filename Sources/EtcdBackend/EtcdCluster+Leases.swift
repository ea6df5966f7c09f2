import ClusterAPI
import EtcdClient

/// Named clients' leases on etcd: granted on a client's first lock or campaign, renewed every third
/// of their TTL on a connection of their own (so a lock waiting on the client's other connection
/// holds up no renewal), and not renewed while the client is paused, so the lease expires on etcd's
/// clock and its keys go with it.
extension EtcdCluster {
    /// The lease a lock or campaign asks for when its command names none.
    static let defaultLeaseMs = 10_000

    /// The pool's name for a client's keep-alive connection.
    static func leaseConnection(of client: String) -> String { "\(client)·lease" }

    /// A lease for `client`: its live one, renewed now (so a lock asked for after this call's
    /// start is held for at least the TTL), or a new one of `ttlMs` when it has none.
    /// - Returns: the lease id and the TTL etcd gave it, or why etcd gave none.
    func ensureLease(for client: String, ttlMs: Int)
        async -> Result<(id: Int64, ttlSeconds: Int64), EtcdAttemptFailure> {
        let session = sessions.session(client)
        if let lease = session.leaseID, case .success(let answer) = await renew(lease, of: client), answer.isAlive {
            return .success((lease, answer.result.ttlSeconds))
        }
        // Granting twice is harmless (an unused lease just expires), so a grant may go to another
        // member after an unanswered attempt.
        let ttlSeconds = Int64(max(1, (ttlMs + 999) / 1_000))
        let (granted, _) = await call(EtcdLeaseGrantRequest(ttlSeconds: ttlSeconds),
            as: Self.leaseConnection(of: client), isWrite: false)
        switch granted {
        case .failure(let failure):
            return .failure(failure)
        case .success(let answer):
            sessions.update(client) { session in
                session.leaseID = answer.id
                session.ttlSeconds = answer.ttlSeconds
                session.locks = [:]
                session.leaderships = [:]
            }
            hub.publish(.action("etcd granted \(client) lease \(Self.hex(answer.id)) (ttl \(answer.ttlSeconds) s)"))
            startRenewals(of: client)
            return .success((answer.id, answer.ttlSeconds))
        }
    }

    /// One keep-alive for `lease`.
    private func renew(_ lease: Int64, of client: String)
        async -> Result<EtcdLeaseKeepAliveResponse, EtcdAttemptFailure> {
        await call(EtcdLeaseKeepAliveRequest(id: lease),
            as: Self.leaseConnection(of: client), isWrite: false).0
    }

    /// Starts the renewal loop of `client` unless one runs: every third of the TTL, a keep-alive
    /// unless the client is paused; the loop ends when etcd says the lease is gone.
    private func startRenewals(of client: String) {
        let starting = sessions.update(client) { session -> Bool in
            defer { session.renewing = true }
            return !session.renewing
        }
        guard starting else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let session = self.sessions.session(client)
                guard let lease = session.leaseID else { break }
                try? await Task.sleep(for: .milliseconds(max(100, Int(session.ttlSeconds) * 1_000 / 3)))
                guard !Task.isCancelled, !self.sessions.session(client).paused else { continue }
                if case .success(let answer) = await self.renew(lease, of: client), !answer.isAlive {
                    self.leaseExpired(lease, of: client)
                    break
                }
            }
            self?.sessions.update(client) { $0.renewing = false }
        }
        background.withLock { $0.append(task) }
    }

    /// etcd says the lease is gone: the client holds nothing any more; the next lock or campaign
    /// asks for a new lease.
    private func leaseExpired(_ lease: Int64, of client: String) {
        let current = sessions.update(client) { session -> Bool in
            guard session.leaseID == lease else { return false }
            session.leaseID = nil
            session.locks = [:]
            session.leaderships = [:]
            return true
        }
        if current {
            hub.publish(.action("etcd: \(client)'s lease \(Self.hex(lease)) expired; "
                + "its lock and election keys are gone"))
        }
    }

    /// `client pause|resume NAME`. A resumed client first asks etcd whether its lease outlived
    /// the pause: a client wakes up believing it still holds what it held, etcd knows better.
    func setClient(_ client: String, paused: Bool) async -> CommandOutput {
        let known = sessions.all.map(\.name)
        guard known.contains(client) else {
            let names = known.isEmpty ? "none yet" : known.joined(separator: ", ")
            return .error("no client \"\(client)\" (known: \(names))")
        }
        let (session, resumed) = sessions.setPaused(client, paused)
        var text: String
        if let lease = session.leaseID {
            let named = "lease \(Self.hex(lease)) (ttl \(session.ttlSeconds) s)"
            if paused {
                text = "client \(client) paused: no keep-alives, so \(named) runs out on etcd's clock"
            } else if case .success(let answer) = await timeToLive(lease), !answer.isAlive {
                leaseExpired(lease, of: client)
                text = "client \(client) resumed: etcd expired its \(named) during the pause"
            } else {
                text = "client \(client) resumed: keep-alives go on for \(named)"
            }
        } else {
            text = "client \(client) \(paused ? "paused" : "resumed") (it holds no lease)"
        }
        if resumed > 0 { text += resumed == 1 ? "; 1 parked command goes on" : "; \(resumed) parked commands go on" }
        hub.publish(.action(text))
        return CommandOutput(lines: [text])
    }

    /// `clients`: each named client with a session, its lease as etcd's timetolive says, and what
    /// it holds.
    func clientLines() async -> CommandOutput {
        let all = sessions.all
        guard !all.isEmpty else { return CommandOutput(lines: ["no clients with a lease yet"]) }
        var lines: [String] = []
        for (name, session) in all {
            var line = name.padded(10)
            if let lease = session.leaseID {
                line += "lease \(Self.hex(lease))  " + (await timeToLiveText(lease))
            } else {
                line += "no lease"
            }
            if session.paused { line += "  PAUSED" }
            let locks = session.locks.sorted { $0.key < $1.key }.map { "\($0.key) (token \($0.value.token))" }
            if !locks.isEmpty { line += "  locks " + locks.joined(separator: ", ") }
            let leads = session.leaderships.keys.sorted()
            if !leads.isEmpty { line += "  leads " + leads.joined(separator: ", ") }
            lines.append(line)
        }
        return CommandOutput(lines: lines)
    }

    /// "ttl 7 s of 10 s" from etcd's timetolive, or why it did not say.
    private func timeToLiveText(_ lease: Int64) async -> String {
        switch await timeToLive(lease) {
        case .success(let answer) where answer.isAlive:
            return "ttl \(answer.ttlSeconds) s of \(answer.grantedTTLSeconds) s"
        case .success: return "expired"
        case .failure(let failure): return "ttl unknown (\(failure))"
        }
    }

    /// etcd's timetolive for `lease`, asked on the views' connections (it never blocks).
    func timeToLive(_ lease: Int64) async -> Result<EtcdLeaseTimeToLiveResponse, EtcdAttemptFailure> {
        await call(EtcdLeaseTimeToLiveRequest(id: lease), as: "views", isWrite: false).0
    }

    /// A lease id as etcdctl prints it (hex).
    static func hex(_ lease: Int64) -> String {
        EtcdStatusMapping.hex(UInt64(bitPattern: lease))
    }
}
