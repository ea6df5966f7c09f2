import Checker
import CommandLanguage
import Foundation
import Raft
import Synchronization

/// What a drill does: how long, how many clients, which faults, from which seed.
public struct DrillOptions: Sendable {
    public var durationSeconds: Double = 30
    public var clients = 8
    public var faults: [FaultKind] = FaultKind.allCases
    public var seed: UInt64 = 1
    /// Keys the clients share (few, so operations contend).
    public var keys = 5
    /// Locks the clients share, each held briefly (0: a back end without locks; clients read instead).
    public var locks = 2
    /// The lease clients ask for.
    public var lockTTLMs = 2_000
    /// Check the history at the end (a soak only watches memory and keeps the history on disk).
    public var checksHistory = true
    /// The system whose lock service is under test, when it is not ours (`etcd`): a lock holder
    /// also writes a fenced put with its token, and the report gives three verdicts, the key-value
    /// store, the locks and the fencing. Two holders at once are then a finding about that
    /// system (a lease-based lock promises no more; etcd #11456), not a failure of the drill; a
    /// fenced write accepted out of token order is one. Nil: our own services, one verdict.
    public var lockServiceUnderTest: String?

    public init() {}
}

extension DrillOptions {
    /// The nemesis schedule this drill runs on `nodes` nodes: drawn from the seed alone, so the same
    /// seed gives the same schedule.
    public func nemesisPlan(nodes: Int) -> [NemesisStep] {
        NemesisPlan.make(seed: seed, kinds: faults, durationSeconds: durationSeconds, nodes: nodes)
    }
}

/// The options of a seeded load run (`drill`, `soak`): one printed seed drives the nemesis, the
/// clients' workload, and the engine's own draws (the fabric's loss, duplication and jitter; client
/// session ids), so `drill --seed S` twice schedules the same faults and decides alike on the same
/// messages.
public struct SeededRunOptions: Sendable {
    public var cluster: ClusterOptions
    public var drill: DrillOptions

    public init(seed: UInt64, executablePath: String, nodes: Int, clients: Int, durationSeconds: Double,
                faults: [FaultKind]) {
        cluster = ClusterOptions(executablePath: executablePath)
        cluster.nodeCount = nodes
        cluster.seed = seed
        cluster.timing = .real
        drill = DrillOptions()
        drill.durationSeconds = durationSeconds
        drill.clients = clients
        drill.faults = faults
        drill.seed = seed
    }
}

/// Where a drill is, for its progress line.
public struct DrillProgress: Sendable {
    public var secondsLeft: Double
    public var operations: Int
    public var faults: Int
    /// The node processes running now, by node id (for memory samples).
    public var nodePids: [NodeID: Int32]
}

/// What a drill found.
public struct DrillReport: Sendable {
    public var durationSeconds: Double
    /// Operations completed, by outcome.
    public var ok = 0
    public var failed = 0
    public var unknown = 0
    /// Faults injected: when (seconds since the run began, the history's clock), and what.
    public var faults: [(seconds: Double, text: String)] = []
    /// Nil when the drill was told not to check (`DrillOptions.checksHistory`).
    public var check: CheckReport?
    /// A write that applied twice (a retry the sessions did not catch), if the history shows one.
    public var appliedTwice: ExactlyOnceChecker.Finding?
    /// Acknowledged unique writes missing after healing (nil when the drill was told not to check).
    public var lostWrites: LostWrites?
    /// Write throughput and latency.
    public var writes: WriteLatency?
    /// With `DrillOptions.lockServiceUnderTest`: the lock operations checked on their own (a
    /// violation is a finding about that system), and the fenced writes (a violation fails).
    public var lockCheck: CheckReport?
    public var fencingCheck: CheckReport?
    /// The system `lockCheck`'s findings are about.
    public var lockServiceUnderTest: String?

    public var operations: Int { ok + failed + unknown }
    public var operationsPerSecond: Double { durationSeconds > 0 ? Double(operations) / durationSeconds : 0 }
    public var isLinearizable: Bool { check?.isLinearizable ?? true }
    /// Linearizable, no write applied twice, no acknowledged write lost, and no fenced write
    /// accepted out of token order (lock findings about another system do not fail a drill).
    public var passed: Bool {
        isLinearizable && appliedTwice == nil && (lostWrites?.lost.isEmpty ?? true)
            && (fencingCheck?.isLinearizable ?? true)
    }
}

/// Jepsen's method on a local cluster: concurrent clients run KV and lock operations while a seeded
/// nemesis injects faults; afterwards every fault is healed, every key read once more (so a lost
/// acknowledged write shows), and the whole history is checked for linearizability.
public struct Drill: Sendable {
    public let cluster: any ClusterBackend
    public let options: DrillOptions

    public init(cluster: any ClusterBackend, options: DrillOptions) {
        self.cluster = cluster
        self.options = options
    }

    /// Runs the drill; `progress` is called about once a second. Its time is the cluster's (wall
    /// time on processes, virtual time on the simulated cluster): the duration, the nemesis's
    /// schedule and the clients' pauses all count it.
    public func run(progress: @escaping @Sendable (DrillProgress) -> Void) async -> DrillReport {
        _ = await cluster.execute(.waitLeader(withinMs: 20_000))
        // Fault times are told on the history's and the journal's clock, so they can be lined up.
        let started = await cluster.secondsSinceStart()
        let deadline = started + options.durationSeconds
        let faults = FaultLog()
        let operations = Counter()
        let acknowledged = AcknowledgedWrites()
        let reporter = Task {
            while !Task.isCancelled {
                let left = deadline - (await cluster.secondsSinceStart())
                guard left > 0 else { break }
                let pids = Dictionary(await cluster.views().compactMap { view in
                    view.status.isRunning || view.status == .paused ? view.pid.map { (view.id, $0) } : nil
                }, uniquingKeysWith: { $1 })
                progress(DrillProgress(secondsLeft: left, operations: operations.value, faults: faults.count,
                                       nodePids: pids))
                try? await Task.sleep(for: .seconds(1))
            }
        }
        // Clients and faults act side by side: on a virtual clock, taking turns in a fixed order.
        let clients = (1...options.clients).map { index in
            { @Sendable in await runClient(index, until: deadline, counting: operations, acknowledged: acknowledged) }
        }
        await cluster.sideBySide(clients + nemesisLanes(started: started, faults: faults))
        reporter.cancel()
        let elapsed = await cluster.secondsSinceStart() - started
        await healEverything()
        await readEveryKey()
        let lost = options.checksHistory ? await findLostWrites(acknowledged.all) : nil
        var report = await report(seconds: elapsed, faults: faults.all.sorted { $0.seconds < $1.seconds })
        report.lostWrites = lost
        return report
    }

    // MARK: Clients

    /// One client: one operation at a time (a process in the history), until the deadline.
    private func runClient(_ index: Int, until deadline: Double, counting operations: Counter,
                           acknowledged: AcknowledgedWrites) async {
        var random = SeededRandom(seed: options.seed &* 1_000_003 &+ UInt64(index))
        let name = "c\(index)"
        var written = 0
        var lastSeen: [String: String] = [:]
        while await cluster.secondsSinceStart() < deadline {
            operations.add(1)
            let key = "k\(Int.random(in: 0..<options.keys, using: &random))"
            written += 1
            let fresh = "\(name)-\(written)"
            // A quarter of the clients only read, like a dashboard: they stay with the node that
            // answers them, so a leader that answers reads it should not is caught out.
            let isReader = index <= options.clients / 4
            switch isReader ? 50 : Int.random(in: 0..<100, using: &random) {
            case 0..<15:
                // A key of its own that nobody writes again: if it is acknowledged and missing after
                // healing, it was lost (Jepsen's count).
                let unique = "w-\(fresh)"
                let output = await cluster.execute(.asClient(name, .put(key: unique, value: fresh)))
                if output.ok { acknowledged.append(key: unique, value: fresh) }
            case 15..<40:
                let output = await cluster.execute(.asClient(name, .put(key: key, value: fresh)))
                if output.ok { lastSeen[key] = fresh }
            case 40..<77:
                let output = await cluster.execute(.asClient(name, .get(key: key, staleNode: nil)))
                if let value = output.readValue { lastSeen[key] = value }
            case 77..<95:
                let old = lastSeen[key] ?? "none"
                let output = await cluster.execute(.asClient(name, .cas(key: key, old: old, new: fresh)))
                if output.ok { lastSeen[key] = fresh }
            default:
                guard options.locks > 0 else {
                    _ = await cluster.execute(.asClient(name, .get(key: key, staleNode: nil)))
                    continue
                }
                await holdLock("L\(Int.random(in: 0..<options.locks, using: &random))", as: name,
                               forMs: Int.random(in: 20...150, using: &random))
            }
        }
    }

    /// Takes the lock, holds it briefly and lets go. A client that was not granted it (it waited too
    /// long) still stands in the queue: it withdraws, or it would be granted the lock later and keep
    /// renewing a lease nobody uses while every other client queues behind it.
    private func holdLock(_ lock: String, as name: String, forMs milliseconds: Int) async {
        let granted = await cluster.execute(.asClient(name, .lock(name: lock, ttlMs: options.lockTTLMs)))
        if granted.ok { await cluster.idle(milliseconds: milliseconds) }
        if granted.ok, options.lockServiceUnderTest != nil, let token = Self.token(in: granted) {
            // Whatever the lock promised, the store must take this only while the token is current.
            let write = Command.fencedPut(key: Self.fencedKey(lock), value: "\(name)-\(token)", token: token)
            _ = await cluster.execute(.asClient(name, write))
        }
        for _ in 0..<5 {
            if await cluster.execute(.asClient(name, .unlock(name: lock))).ok { return }
            await cluster.idle(milliseconds: 100)
        }
    }

    /// The key a lock's holders write with their fencing tokens.
    static func fencedKey(_ lock: String) -> String { "fenced-\(lock)" }

    /// The token in a granted lock's first line (`granted, token 7 …`).
    static func token(in output: CommandOutput) -> Int? {
        guard let line = output.lines.first, let range = line.range(of: "token ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    // MARK: Nemesis

    /// The plan's faults, each its own lane, since clock skew overlaps the other faults.
    private func nemesisLanes(started: Double, faults: FaultLog) -> [@Sendable () async -> Void] {
        let nodes = cluster.nodeCount
        return options.nemesisPlan(nodes: nodes).map { step in
            {
                await waitUntil(started + step.start)
                let leader = await cluster.views().leader?.id
                let commands = step.fault.commands(nodes: nodes, leader: leader)
                for command in commands.start { _ = await cluster.execute(command) }
                faults.append(seconds: await cluster.secondsSinceStart(), commands.text)
                await waitUntil(started + step.end)
                for command in commands.undo { _ = await cluster.execute(command) }
            }
        }
    }

    /// Returns once the cluster's clock reads `seconds` (checking at least every 100 ms of it).
    private func waitUntil(_ seconds: Double) async {
        while !Task.isCancelled {
            let left = seconds - (await cluster.secondsSinceStart())
            guard left > 0 else { return }
            await cluster.idle(milliseconds: max(1, min(100, Int(left * 1000))))
        }
    }

    /// Heals the network, wakes paused nodes, restarts dead ones and puts clocks right.
    private func healEverything() async {
        _ = await cluster.execute(.heal)
        for view in await cluster.views() {
            switch view.status {
            case .paused: _ = await cluster.execute(.resume(.id(view.id)))
            case .down: _ = await cluster.execute(.restart(.id(view.id)))
            case .starting, .up: break
            }
            if cluster.refusal(of: .skew(node: view.id, factor: 1)) == nil {
                _ = await cluster.execute(.skew(node: view.id, factor: 1))
            }
        }
        _ = await cluster.execute(.waitLeader(withinMs: 20_000))
    }

    /// A final linearizable read of every key: a lost acknowledged write cannot hide.
    private func readEveryKey() async {
        for key in 0..<options.keys {
            _ = await cluster.execute(.asClient("final", .get(key: "k\(key)", staleNode: nil)))
        }
    }

    /// Reads every acknowledged unique write's key after healing, in lanes side by side; a read
    /// that gets no answer is tried again a few times, then counted as unread.
    private func findLostWrites(_ writes: [LostWrites.Write]) async -> LostWrites {
        let lanes = max(1, options.clients)
        let found = Mutex<[Int: String?]>([:])
        let readers = (0..<lanes).map { lane in
            { @Sendable in
                for index in stride(from: lane, to: writes.count, by: lanes) {
                    for _ in 0..<5 {
                        let output = await cluster.execute(.asClient("final", .get(key: writes[index].key, staleNode: nil)))
                        guard output.ok else { await cluster.idle(milliseconds: 100); continue }
                        found.withLock { $0[index] = .some(output.readValue) }
                        break
                    }
                }
            }
        }
        await cluster.sideBySide(readers)
        let values = found.withLock { $0 }
        var lost: [LostWrites.Write] = []
        var unread = 0
        for (index, write) in writes.enumerated() {
            switch values[index] {
            case nil: unread += 1
            case .some(let value) where value != write.value: lost.append(write)
            case .some: break
            }
        }
        return LostWrites(acknowledged: writes.count, lost: lost, unread: unread)
    }

    // MARK: Report

    private func report(seconds: Double, faults: [(seconds: Double, text: String)]) async -> DrillReport {
        let history = await cluster.history()
        var report = DrillReport(durationSeconds: seconds, faults: faults, check: nil)
        report.writes = WriteLatency(history: history, seconds: seconds)
        for record in history {
            switch record.outcome {
            case .ok: report.ok += 1
            case .fail: report.failed += 1
            case .unknown: report.unknown += 1
            }
        }
        guard options.checksHistory else { return report }
        let skewSlack = options.faults.contains(.clock)
            ? Double(options.lockTTLMs) / 1000 * (1 - 1 / NemesisPlan.maximumSkew) : 0
        let slack = max(ClusterEngine.leaseSlackSeconds(await cluster.summary().timing), skewSlack)
        let checkOptions = CheckOptions(leaseSlackSeconds: slack)
        if let system = options.lockServiceUnderTest {
            let isLock = { (operation: HistoryRecord) in operation.f == "lock" || operation.f == "unlock" }
            let isFenced = { (operation: HistoryRecord) in operation.key.hasPrefix(Self.fencedKey("")) }
            report.lockServiceUnderTest = system
            report.check = LinearizabilityChecker.check(history.filter { !isLock($0) && !isFenced($0) },
                                                        options: checkOptions)
            report.lockCheck = LinearizabilityChecker.check(history.filter(isLock), options: checkOptions)
            report.fencingCheck = LinearizabilityChecker.check(history.filter(isFenced), options: checkOptions)
        } else {
            report.check = LinearizabilityChecker.check(history, options: checkOptions)
        }
        report.appliedTwice = ExactlyOnceChecker.firstFinding(in: history)
        return report
    }
}

/// The faults injected so far, shared by the nemesis and the progress line.
final class FaultLog: Sendable {
    private let entries = Mutex<[(seconds: Double, text: String)]>([])

    func append(seconds: Double, _ text: String) {
        entries.withLock { $0.append((seconds, text)) }
    }

    var all: [(seconds: Double, text: String)] { entries.withLock { $0 } }
    var count: Int { entries.withLock { $0.count } }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)

    func add(_ amount: Int) {
        count.withLock { $0 += amount }
    }

    var value: Int { count.withLock { $0 } }
}
