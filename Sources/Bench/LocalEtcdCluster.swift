import EtcdBackend
import EtcdClient
import Foundation
import NIOCore
import NIOPosix

/// How the bench runs etcd.
public struct EtcdSettings: Sendable {
    /// The `etcd` binary (Debian's etcd-server installs /usr/bin/etcd).
    public var binary: String
    /// Our own binary, whose `etcd-launch` starts each member (see `EtcdMemberProcesses`).
    public var launcher: String
    public var members = 3
    /// etcd's tick; the default matches ClusterDeck's real pace closely (heartbeat 50 ms there).
    public var heartbeatMs = EtcdTiming.real.heartbeatMs
    /// etcd randomizes in [timeout, 2 × timeout): 150 ms gives ClusterDeck's 150–300 ms.
    public var electionMs = EtcdTiming.real.electionMs

    public init(binary: String, launcher: String) {
        self.binary = binary
        self.launcher = launcher
    }
}

/// A local etcd cluster on 127.0.0.1 only, data under a private temporary directory that
/// `shutdown` removes, started by the same supervisor as the console's etcd back end (no proxy:
/// the bench measures etcd itself). No member outlives the bench, even if it is killed.
final class LocalEtcdCluster: Sendable {
    let settings: EtcdSettings
    let processes: EtcdMemberProcesses
    let root: String

    var members: [EtcdMemberPlan] { processes.plans }
    var version: String { processes.version }
    var loop: any EventLoop { processes.loop }

    private init(settings: EtcdSettings, processes: EtcdMemberProcesses, root: String) {
        self.settings = settings
        self.processes = processes
        self.root = root
    }

    /// Starts every member and waits until they agree on a leader.
    static func start(_ settings: EtcdSettings) async throws -> LocalEtcdCluster {
        let root = try makePrivateDirectory()
        let cluster: LocalEtcdCluster
        do {
            let plans = EtcdMemberPlan.members(count: settings.members, directory: root,
                                               ports: try FreePorts.pick(count: 2 * settings.members),
                                               proxied: false)
            let processes = try EtcdMemberProcesses(
                binary: settings.binary, launcher: settings.launcher, plans: plans,
                timing: EtcdTiming(heartbeatMs: settings.heartbeatMs, electionMs: settings.electionMs),
                preVote: false, token: "clusterdeck-bench")
            cluster = LocalEtcdCluster(settings: settings, processes: processes, root: root)
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw BenchError("\(error)")
        }
        do {
            for index in cluster.members.indices { try await cluster.spawn(index) }
            try await cluster.waitHealthy(timeoutSeconds: 20)
        } catch {
            await cluster.shutdown()
            throw error
        }
        return cluster
    }

    func endpoint(_ index: Int) -> EtcdEndpoint {
        EtcdEndpoint(host: "127.0.0.1", port: members[index].clientPort)
    }

    // MARK: Processes

    /// Starts member `index` on its data directory (a restart keeps what it stored).
    func spawn(_ index: Int) async throws {
        try await processes.spawn(index)
    }

    /// SIGKILLs member `index` and waits until it is gone.
    func killMember(_ index: Int) async {
        await processes.kill(index)
    }

    /// Kills every member, reaps them and removes the data directory. Safe to call more than once.
    func shutdown() async {
        await processes.shutdown()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The same, synchronously, for signal handlers.
    func shutdownNow() {
        processes.shutdownNow()
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Status

    /// Asks member `index` for its status over a fresh connection.
    func status(_ index: Int) async throws -> EtcdStatus {
        let connection = try await EtcdConnection.connect(to: endpoint(index), on: loop)
        defer { Task { await connection.close() } }
        do {
            return try await connection.status()
        } catch {
            throw BenchError("etcd \(members[index].name) status: \(error)")
        }
    }

    /// The members that answer, with their status (a killed member is left out).
    func statuses() async -> [Int: EtcdStatus] {
        var answers: [Int: EtcdStatus] = [:]
        for index in members.indices {
            if let status = try? await status(index) { answers[index] = status }
        }
        return answers
    }

    /// The index of the member that leads, if the answering members agree on one.
    func leader() async -> Int? {
        let answers = await statuses()
        let leaders = Set(answers.values.map(\.leaderID))
        guard leaders.count == 1, let leaderID = leaders.first, leaderID != 0 else { return nil }
        return answers.first { $0.value.memberID == leaderID }?.key
    }

    /// Waits until every member answers, all name the same leader, and each has applied what the
    /// leader held when the wait began.
    func waitHealthy(timeoutSeconds: Double) async throws {
        let start = MonotonicTime.nanoseconds()
        var target: UInt64?
        while MonotonicTime.seconds(since: start) < timeoutSeconds {
            let answers = await statuses()
            let leaders = Set(answers.values.map(\.leaderID))
            if answers.count == members.count, leaders.count == 1, leaders.first != 0 {
                let leaderIndex = answers.values.first { $0.memberID == leaders.first }?.raftIndex
                if target == nil { target = leaderIndex }
                if let target, answers.values.allSatisfy({ $0.raftAppliedIndex >= target }) { return }
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw BenchError("etcd did not settle within \(Int(timeoutSeconds)) s (logs: \(root)/n*.etcd.log)")
    }

    // MARK: Setup

    private static func makePrivateDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/tmp"
        var template = Array("\(base)/clusterdeck-etcd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchError("cannot create a temporary directory under \(base)")
        }
        return String(cString: made)
    }
}
