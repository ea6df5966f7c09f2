import Cluster

/// A writer for failover trials: one write at a time, retried until it is acknowledged.
protocol FailoverWriter: Sendable {
    func put(key: String, value: String) async throws
}

/// What a failover trial needs from a system: writers that ride out a leader change, a way to
/// kill the leader, restart it, and tell when the cluster is whole again.
protocol FailoverDriver: Sendable {
    /// A writer that keeps trying (finding the new leader) until its write is acknowledged.
    func writer(_ number: Int) async throws -> (any FailoverWriter, @Sendable () async -> Void)
    /// SIGKILLs the leader; returns which member it was and the time just before the signal.
    func killLeader() async throws -> (member: Int, killedAt: UInt64)
    /// Starts a killed member again on its data.
    func restart(_ member: Int) async throws
    /// Waits until every member runs, all agree on one leader, and all caught up.
    func waitHealthy() async throws
}

/// ClusterDeck's side: kill and restart through the engine's commands, writes through the load API.
struct ClusterDeckFailover: FailoverDriver {
    let cluster: LocalCluster

    func writer(_ number: Int) async throws -> (any FailoverWriter, @Sendable () async -> Void) {
        (NamedWriter(cluster: cluster, name: "failover-\(number)"), {})
    }

    struct NamedWriter: FailoverWriter {
        let cluster: LocalCluster
        let name: String

        func put(key: String, value: String) async throws {
            try await cluster.put(key: key, value: value, as: name)
        }
    }

    func killLeader() async throws -> (member: Int, killedAt: UInt64) {
        guard let leader = await cluster.views().leader?.id else { throw BenchError("no leader") }
        let killedAt = MonotonicTime.nanoseconds()
        let output = await cluster.execute(.kill(.id(leader)))
        guard output.ok else { throw BenchError(output.lines.joined(separator: " ")) }
        return (leader, killedAt)
    }

    func restart(_ member: Int) async throws {
        let output = await cluster.execute(.restart(.id(member)))
        guard output.ok else { throw BenchError(output.lines.joined(separator: " ")) }
    }

    func waitHealthy() async throws {
        let start = MonotonicTime.nanoseconds()
        var target: Int?
        while MonotonicTime.seconds(since: start) < 15 {
            let views = await cluster.views()
            let states = views.compactMap { $0.status == .up ? $0.state : nil }
            if states.count == views.count, let leader = views.leader?.state,
               states.allSatisfy({ $0.leader == leader.id && $0.term == leader.term }) {
                if target == nil { target = leader.commitIndex }
                if let target, states.allSatisfy({ $0.appliedIndex >= target }) { return }
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw BenchError("the ClusterDeck cluster did not settle within 15 s")
    }
}

/// etcd's side: SIGKILL the member `maintenance/status` names as leader, writers that move to the
/// next endpoint when one fails.
struct EtcdFailover: FailoverDriver {
    let etcd: LocalEtcdCluster

    func writer(_ number: Int) async throws -> (any FailoverWriter, @Sendable () async -> Void) {
        let writer = EtcdRetryingWriter(endpoints: etcd.members.indices.map(etcd.endpoint),
                                        startAt: number, on: etcd.loop)
        return (writer, { await writer.close() })
    }

    func killLeader() async throws -> (member: Int, killedAt: UInt64) {
        guard let leader = await etcd.leader() else { throw BenchError("etcd has no leader") }
        let killedAt = MonotonicTime.nanoseconds()
        await etcd.killMember(leader)
        return (leader, killedAt)
    }

    func restart(_ member: Int) async throws {
        try await etcd.spawn(member)
    }

    func waitHealthy() async throws {
        try await etcd.waitHealthy(timeoutSeconds: 15)
    }
}

/// `bench failover`'s result.
public struct FailoverReport: Codable, Sendable {
    public var bench = "failover"
    public var target: BenchTarget
    public var system: String
    public var nodes: Int
    public var trials: Int
    public var failedTrials: Int
    /// SIGKILL of the leader → the first write started after it is acknowledged.
    public var failover: LatencySummary

    enum CodingKeys: String, CodingKey {
        case bench, target, system, nodes, trials, failedTrials = "failed_trials", failover
    }
}

/// How long writes stop when the leader dies: trials of SIGKILL → next acknowledged write.
public enum FailoverBenchmark {
    /// Kills the leader `trials` times; starts its own system (etcd too: it kills members).
    public static func measure(_ target: BenchTarget, nodes: Int, trials: Int,
                               systems: BenchSystems) async throws -> FailoverReport {
        var systems = systems
        systems.etcd.endpoints = nil
        Progress.note("failover: starting \(target.rawValue) (\(nodes) nodes)")
        let system = try await RunningSystem.start(target, nodes: nodes, systems: systems)
        let driver: any FailoverDriver = if let cluster = system.cluster {
            ClusterDeckFailover(cluster: cluster)
        } else {
            EtcdFailover(etcd: system.etcd!)
        }
        var histogram = makeLatencyHistogram()
        var failed = 0
        for number in 1...trials {
            do {
                let microseconds = try await trial(driver, number: number)
                _ = histogram.record(microseconds)
                Progress.note("failover \(system.label) trial \(number)/\(trials): "
                    + "\(BenchOutput.number(Double(microseconds) / 1_000, decimals: 1)) ms")
            } catch {
                failed += 1
                Progress.note("failover \(system.label) trial \(number)/\(trials) failed: \(error)")
            }
        }
        await system.stop()
        return FailoverReport(target: target, system: system.label, nodes: nodes, trials: trials,
                              failedTrials: failed, failover: LatencySummary(histogram))
    }

    /// One kill; returns microseconds from the SIGKILL to the first acknowledged write begun after it.
    private static func trial(_ driver: any FailoverDriver, number: Int) async throws -> UInt64 {
        try await driver.waitHealthy()
        let (background, closeBackground) = try await driver.writer(1_000 * number)
        let value = LoadGenerator.value(client: number, size: 100)
        let load = Task {
            var sequence = 0
            while !Task.isCancelled {
                try? await background.put(key: "load-\(sequence % 100)", value: value)
                sequence += 1
            }
        }
        defer { load.cancel() }
        // Let the writer reach a steady state before the kill.
        try await Task.sleep(nanoseconds: 200_000_000)
        let (member, killedAt) = try await driver.killLeader()
        let elapsed = try await firstAcknowledged(driver, trial: number, value: value,
                                                  after: killedAt)
        load.cancel()
        await closeBackground()
        _ = await load.value
        try await driver.restart(member)
        guard let elapsed else { throw BenchError("no write was acknowledged within 15 s") }
        return elapsed
    }

    /// What a probe or the probe clock reports.
    private enum ProbeEvent: Sendable {
        case acknowledged(atNanoseconds: UInt64)
        case failed
        case tick
    }

    /// Starts a probe — a fresh client writing once, with its own retries — at once and every
    /// 20 ms after, so a request stuck on a dead or leaderless member (etcd holds one for its
    /// 5 s request timeout) does not decide the figure; the same for both systems. Returns
    /// microseconds from `killedAt` to the first acknowledgement, nil after 15 s.
    private static func firstAcknowledged(_ driver: any FailoverDriver, trial: Int, value: String,
                                          after killedAt: UInt64) async throws -> UInt64? {
        var closers: [@Sendable () async -> Void] = []
        return try await withThrowingTaskGroup(of: ProbeEvent.self) { group in
            var launched = 0
            var acknowledged: UInt64?
            while acknowledged == nil, MonotonicTime.seconds(since: killedAt) < 15 {
                if launched < 200 {
                    launched += 1
                    let (probe, close) = try await driver.writer(1_000 * trial + launched)
                    closers.append(close)
                    let key = "probe-\(launched)"
                    group.addTask {
                        do {
                            try await probe.put(key: key, value: value)
                            return .acknowledged(atNanoseconds: MonotonicTime.nanoseconds())
                        } catch {
                            return .failed
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: 20_000_000)
                    return .tick
                }
                // Wait for the next tick; note any acknowledgement that comes first.
                while let event = try await group.next() {
                    if case .acknowledged(let time) = event { acknowledged = time }
                    if case .tick = event { break }
                    if acknowledged != nil { break }
                }
            }
            // Stuck probes end when their connections close (etcd) or within the client
            // deadline (ClusterDeck); the group waits for them.
            for close in closers { await close() }
            group.cancelAll()
            return acknowledged.map { ($0 - killedAt) / 1_000 }
        }
    }

}

extension FailoverReport {
    /// The table `bench failover` prints.
    public func tableLines() -> [String] {
        let heading = "bench failover: \(system), \(nodes) nodes, \(trials) trials "
            + "(\(failedTrials) failed): SIGKILL of the leader → next acknowledged write"
        return [heading] + BenchOutput.tableLines([
            ["p50 ms", "p90 ms", "p99 ms", "max ms"],
            [failover.p50Ms, failover.p90Ms, failover.p99Ms, failover.maxMs].map {
                BenchOutput.number($0, decimals: 1)
            },
        ])
    }
}
