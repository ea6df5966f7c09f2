import EtcdClient
import Foundation
import NIOCore
import NIOPosix

/// How a member process ended, as `NodeStatus.down` says it.
public struct EtcdExit: Sendable, Equatable {
    /// "killed by SIGKILL", "exited with code 1: listen tcp …: bind: address already in use".
    public var reason: String
    /// The pid that exited (a restarted member has a new one: an old exit is then stale).
    public var pid: Int32
}

/// Starts, signals and reaps etcd member processes: the one path by which the console's etcd back
/// end and `bench compare` start etcd.
///
/// Each member runs through our own binary's launcher (`clusterdeck etcd-launch --parent PID --
/// etcd ARGS`), which sets the parent-death signal and then execs etcd, so no member outlives the
/// console even after SIGKILL. The signal fires when the *thread* that spawned the child exits, so
/// every spawn happens on this type's one event-loop thread, which lives until `shutdown`.
public final class EtcdMemberProcesses: Sendable {
    public let plans: [EtcdMemberPlan]
    /// The etcd binary, resolved to a path.
    public let binary: String
    /// "3.4.23", from `etcd --version`.
    public let version: String
    private let launcher: String
    private let timing: EtcdTiming
    private let token: String
    private let group: MultiThreadedEventLoopGroup
    private let processes: NIOLoopBound<Slots>
    private let exited: @Sendable (Int, EtcdExit) -> Void

    /// The running processes, touched only on the loop's thread.
    private final class Slots {
        var running: [Process?]
        var preVote: Bool
        /// How each member finds its cluster at its first start.
        var initialCluster: [EtcdInitialCluster]

        init(count: Int, preVote: Bool, founding: EtcdInitialCluster) {
            running = Array(repeating: nil, count: count)
            self.preVote = preVote
            initialCluster = Array(repeating: founding, count: count)
        }
    }

    /// The event loop whose thread spawns every member (connections may share it).
    public var loop: any EventLoop { processes.eventLoop }

    /// Prepares to run `plans` (nothing starts yet).
    /// - Parameters:
    ///   - binary: `etcd`, or a path (`--etcd-binary`).
    ///   - plans: every member slot; the first `founders` found the cluster, the others are kept for
    ///     `join` (all of them found it when `founders` is nil).
    ///   - launcher: our own binary, whose `etcd-launch` subcommand execs etcd.
    ///   - exited: told when a member exits, from a process-monitor thread (hand off quickly).
    /// - Throws: `EtcdStartError` when the binary is missing or not etcd.
    public init(binary: String, launcher: String, plans: [EtcdMemberPlan], founders: Int? = nil, timing: EtcdTiming,
                preVote: Bool, token: String, exited: @escaping @Sendable (Int, EtcdExit) -> Void = { _, _ in }) throws {
        self.binary = try Self.locate(binary)
        version = try Self.versionLine(of: self.binary)
        self.launcher = launcher
        self.plans = plans
        self.timing = timing
        self.token = token
        self.exited = exited
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        processes = try loop.submit {
            NIOLoopBound(Slots(count: plans.count, preVote: preVote,
                               founding: .founding(Array(plans.prefix(founders ?? plans.count)))), eventLoop: loop)
        }.wait()
    }

    // MARK: Processes

    /// Starts member `index` on its data directory (a restart keeps what it stored).
    /// - Returns: the new process's pid.
    @discardableResult
    public func spawn(_ index: Int) async throws -> Int32 {
        let plan = plans[index]
        let (launcher, binary, timing, token, exited) = (launcher, binary, timing, token, exited)
        return try await loop.submit { [processes] in
            let slots = processes.value
            let process = Process()
            process.executableURL = URL(fileURLWithPath: launcher)
            process.arguments = ["etcd-launch", "--parent", "\(getpid())", "--", binary]
                + plan.arguments(initialCluster: slots.initialCluster[index], timing: timing, preVote: slots.preVote,
                                 token: token)
            process.standardInput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: plan.logPath, contents: nil)
            let log = FileHandle(forWritingAtPath: plan.logPath)
            _ = try? log?.seekToEnd()
            process.standardOutput = log
            process.standardError = log
            process.terminationHandler = { process in
                exited(index, EtcdExit(reason: Self.describeExit(process, logPath: plan.logPath),
                                       pid: process.processIdentifier))
            }
            // On the loop's thread, which lives until shutdown: the parent-death signal is tied to
            // the spawning thread.
            try process.run()
            try? log?.close()
            slots.running[index] = process
            return process.processIdentifier
        }.get()
    }

    /// Makes member `index` join the running cluster `cluster` at its next spawn, on an empty data
    /// directory (a removed member's slot is reused: etcd refuses a removed member's data).
    public func join(_ index: Int, _ cluster: EtcdInitialCluster) async {
        let directory = plans[index].dataDirectory
        try? await loop.submit { [processes] in
            processes.value.initialCluster[index] = cluster
            try? FileManager.default.removeItem(atPath: directory)
        }.get()
    }

    /// What the next spawn passes as `--pre-vote` (etcd reads it only at start).
    public func setPreVote(_ on: Bool) async {
        try? await loop.submit { [processes] in processes.value.preVote = on }.get()
    }

    /// The running member's pid, nil when it is not running.
    public func pid(_ index: Int) async -> Int32? {
        try? await loop.submit { [processes] in
            processes.value.running[index].flatMap { $0.isRunning ? $0.processIdentifier : nil }
        }.get()
    }

    /// Sends `signal` (SIGSTOP, SIGCONT) to member `index`; false when it is not running.
    public func signal(_ index: Int, _ signal: Int32) async -> Bool {
        (try? await loop.submit { [processes] in
            guard let process = processes.value.running[index], process.isRunning else { return false }
            return Foundation.kill(process.processIdentifier, signal) == 0
        }.get()) ?? false
    }

    /// SIGKILLs member `index` and waits until it is reaped.
    public func kill(_ index: Int) async {
        try? await loop.submit { [processes] in
            Self.killAndReap(processes.value.running[index])
            processes.value.running[index] = nil
        }.get()
    }

    /// Kills every member and waits until each is reaped; then the spawning thread may go. Safe to
    /// call more than once.
    public func shutdown() async {
        for index in plans.indices { await kill(index) }
        try? await group.shutdownGracefully()
    }

    /// The same, synchronously, for signal handlers and exit paths (never call it on `loop`).
    public func shutdownNow() {
        try? loop.submit { [processes] in
            for index in processes.value.running.indices {
                Self.killAndReap(processes.value.running[index])
                processes.value.running[index] = nil
            }
        }.wait()
    }

    private static func killAndReap(_ process: Process?) {
        guard let process else { return }
        // A stopped process still dies of SIGKILL; SIGCONT first lets it be reaped promptly.
        if process.isRunning {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
            _ = Foundation.kill(process.processIdentifier, SIGCONT)
        }
        for _ in 0..<400 where process.isRunning {
            usleep(5_000)
        }
    }

    /// "killed by SIGKILL", or "exited with code N: " and the cause from the member's log.
    static func describeExit(_ process: Process, logPath: String) -> String {
        if process.terminationReason == .uncaughtSignal {
            let name = process.terminationStatus == SIGKILL ? "SIGKILL" : "signal \(process.terminationStatus)"
            return "killed by \(name)"
        }
        let cause = EtcdLogTail.explanation(ofFile: logPath).map { ": \($0)" } ?? ""
        return "exited with code \(process.terminationStatus)\(cause)"
    }

    // MARK: Setup

    /// The path of `binary`: as given when it names a path, else searched in PATH.
    /// - Throws: `EtcdStartError` saying how to get etcd.
    public static func locate(_ binary: String) throws -> String {
        if binary.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw EtcdStartError("etcd binary \(binary) is not an executable file")
            }
            return binary
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let candidate = "\(directory)/\(binary)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw EtcdStartError("\(binary) not found in PATH: install it (apt-get install etcd-server) "
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
        guard first.hasPrefix("etcd Version: ") else {
            throw EtcdStartError("\(binary) --version does not say it is etcd (it printed \"\(first)\")")
        }
        return first.replacingOccurrences(of: "etcd Version: ", with: "")
    }
}
