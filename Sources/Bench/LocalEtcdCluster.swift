import EtcdClient
import Foundation
import NIOCore
import NIOPosix

/// How the bench runs etcd.
public struct EtcdSettings: Sendable {
    /// The `etcd` binary (Debian's etcd-server installs /usr/bin/etcd).
    public var binary: String
    public var members = 3
    /// etcd's tick; the default matches ClusterDeck's real pace closely (heartbeat 50 ms there).
    public var heartbeatMs = 30
    /// etcd randomizes in [timeout, 2 × timeout): 150 ms gives ClusterDeck's 150–300 ms.
    public var electionMs = 150

    public init(binary: String) {
        self.binary = binary
    }
}

/// One etcd member this bench started.
struct EtcdMember: Sendable {
    var name: String
    var clientPort: Int
    var peerPort: Int
    var dataDirectory: String
    var logPath: String
}

/// A local etcd cluster on 127.0.0.1 only, data under a private temporary directory that
/// `shutdown` removes. Processes are spawned from one long-lived event-loop thread with a
/// parent-death signal (through `setpriv`), so none outlives the bench even if it is killed, and
/// every one is killed and reaped at shutdown.
final class LocalEtcdCluster: Sendable {
    let settings: EtcdSettings
    let members: [EtcdMember]
    let root: String
    let version: String
    let group: MultiThreadedEventLoopGroup
    private let processes: NIOLoopBound<ProcessSlots>

    /// The processes, touched only on `group`'s one thread.
    final class ProcessSlots {
        var running: [Process?]

        init(count: Int) {
            running = Array(repeating: nil, count: count)
        }
    }

    var loop: any EventLoop { processes.eventLoop }

    private init(settings: EtcdSettings, members: [EtcdMember], root: String, version: String,
                 group: MultiThreadedEventLoopGroup) throws {
        self.settings = settings
        self.members = members
        self.root = root
        self.version = version
        self.group = group
        let loop = group.next()
        processes = try loop.submit {
            NIOLoopBound(ProcessSlots(count: members.count), eventLoop: loop)
        }.wait()
    }

    /// Starts every member and waits until they agree on a leader.
    static func start(_ settings: EtcdSettings) async throws -> LocalEtcdCluster {
        let binary = try locate(settings.binary)
        var settings = settings
        settings.binary = binary
        let version = try versionLine(of: binary)
        let root = try makePrivateDirectory()
        let ports = try FreePorts.pick(count: 2 * settings.members)
        let members = (0..<settings.members).map { index in
            EtcdMember(name: "m\(index + 1)", clientPort: ports[2 * index],
                       peerPort: ports[2 * index + 1], dataDirectory: "\(root)/m\(index + 1)",
                       logPath: "\(root)/m\(index + 1).log")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let cluster = try LocalEtcdCluster(settings: settings, members: members, root: root,
                                      version: version, group: group)
        do {
            for index in members.indices { try await cluster.spawn(index) }
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
        let arguments = memberArguments(index)
        let member = members[index]
        let binary = settings.binary
        try await loop.submit { [processes] in
            let process = Process()
            if let setpriv = try? Self.locate("setpriv") {
                process.executableURL = URL(fileURLWithPath: setpriv)
                process.arguments = ["--pdeathsig", "KILL", binary] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = arguments
            }
            process.standardInput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: member.logPath, contents: nil)
            let log = FileHandle(forWritingAtPath: member.logPath)
            log?.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            // Spawned from the loop's thread, which lives until shutdown: the parent-death signal
            // is tied to the spawning thread.
            try process.run()
            try? log?.close()
            processes.value.running[index] = process
        }.get()
    }

    private func memberArguments(_ index: Int) -> [String] {
        let member = members[index]
        let peers = members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }
            .joined(separator: ",")
        return [
            "--name", member.name, "--data-dir", member.dataDirectory,
            "--listen-client-urls", "http://127.0.0.1:\(member.clientPort)",
            "--advertise-client-urls", "http://127.0.0.1:\(member.clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-cluster", peers, "--initial-cluster-state", "new",
            "--initial-cluster-token", "clusterdeck-bench",
            "--heartbeat-interval", "\(settings.heartbeatMs)",
            "--election-timeout", "\(settings.electionMs)",
            "--logger", "zap", "--log-level", "warn",
        ]
    }

    /// SIGKILLs member `index` and waits until it is gone.
    func killMember(_ index: Int) async {
        try? await loop.submit { [processes] in
            guard let process = processes.value.running[index] else { return }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            Self.waitForExit(process)
            processes.value.running[index] = nil
        }.get()
    }

    private static func waitForExit(_ process: Process) {
        for _ in 0..<400 where process.isRunning {
            usleep(5_000)
        }
    }

    /// Kills every member, reaps them and removes the data directory. Safe to call more than once.
    func shutdown() async {
        for index in members.indices { await killMember(index) }
        try? FileManager.default.removeItem(atPath: root)
        try? await group.shutdownGracefully()
    }

    /// The same, synchronously, for signal handlers.
    func shutdownNow() {
        try? loop.submit { [processes] in
            for case let process? in processes.value.running where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                Self.waitForExit(process)
            }
        }.wait()
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
        throw BenchError("etcd did not settle within \(Int(timeoutSeconds)) s (logs: \(root)/m*.log)")
    }

    // MARK: Setup

    static func locate(_ binary: String) throws -> String {
        if binary.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw BenchError("\(binary) is not an executable file")
            }
            return binary
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let candidate = "\(directory)/\(binary)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw BenchError("\(binary) not found in PATH: install it (apt-get install etcd-server) "
            + "or pass --etcd-binary PATH")
    }

    private static func versionLine(of binary: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let first = String(decoding: data, as: UTF8.self).split(separator: "\n").first ?? ""
        return first.replacingOccurrences(of: "etcd Version: ", with: "")
    }

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
