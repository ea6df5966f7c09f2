import Cluster
import CommandLanguage
import Foundation
import Testing
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// Finds the built `clusterdeck` executable (SwiftPM builds it next to the test bundle). The same
/// approach as SimulationTests' helper, copied so this target does not depend on that one.
enum ClusterDeckBinary {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func path() throws -> String {
        // An explicit binary wins (to try a patched build without rebuilding the tests).
        if let explicit = ProcessInfo.processInfo.environment["CLUSTERDECK_BINARY"], !explicit.isEmpty {
            return explicit
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("clusterdeck").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Missing(description: "clusterdeck binary not found near \(CommandLine.arguments[0]); run `swift build` first")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: Clusters

/// The timing every test uses: heartbeat 50 ms, election timeout 150–300 ms.
let maximumElectionMs = Timing.real.maximumElectionMs

/// Starts a cluster of real node processes, runs `body`, and shuts the cluster down on every path
/// (success, thrown error, failed expectation). Also checks that shutdown removed the run directory.
func withCluster<T>(
    nodes: Int = 3,
    configure: (inout ClusterOptions) -> Void = { _ in },
    _ body: (LocalCluster) async throws -> T
) async throws -> T {
    var options = ClusterOptions(executablePath: try ClusterDeckBinary.path())
    options.nodeCount = nodes
    options.timing = .real
    options.fsync = true
    configure(&options)
    let cluster = try LocalCluster(options: options)
    let result: T
    do {
        try await cluster.start()
        result = try await body(cluster)
    } catch {
        let logs = nodeLogTails(cluster)
        await cluster.shutdown()
        Issue.record("node logs at failure:\n\(logs)")
        throw error
    }
    let pids = await cluster.views().compactMap(\.pid)
    await cluster.shutdown()
    #expect(!FileManager.default.fileExists(atPath: cluster.run.path), "shutdown left \(cluster.run.path) behind")
    for pid in pids {
        #expect(!ProcessTable.isAlive(pid), "node pid \(pid) outlived shutdown")
    }
    return result
}

/// The last lines of every node's log, for failure messages.
func nodeLogTails(_ cluster: LocalCluster, lines: Int = 5) -> String {
    (1...cluster.options.nodeCount).map { id in
        let text = (try? String(contentsOfFile: cluster.run.logPath(node: id), encoding: .utf8)) ?? ""
        let tail = text.split(separator: "\n").suffix(lines).joined(separator: "\n    ")
        return "  n\(id): \(tail)"
    }.joined(separator: "\n")
}

extension LocalCluster {
    /// Parses one line of the command language against this cluster and runs it.
    func exec(_ line: String) async throws -> CommandOutput {
        guard let command = try CommandParser.parse(line, nodeCount: options.nodeCount) else {
            throw TestFailure("\"\(line)\" is not a command")
        }
        return await execute(command)
    }

    /// The first line a command printed.
    func line(_ line: String) async throws -> String {
        try await exec(line).lines.first ?? ""
    }

    /// `wait leader within 10s`, returning the leader's id.
    func waitLeader() async throws -> Int {
        let output = try await exec("wait leader within 10s")
        let text = output.lines.joined(separator: " ")
        guard output.ok, let id = Self.leaderID(in: text) else {
            throw TestFailure("no leader: \(text)\n\(nodeLogTails(self))")
        }
        return id
    }

    /// Parses `leader: nN (term T)`.
    static func leaderID(in text: String) -> Int? {
        guard let range = text.range(of: "leader: n") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    func view(_ id: Int) async -> NodeView? {
        await views().first { $0.id == id }
    }

    /// Waits until every node reports one leader and the same term, and all have committed at least
    /// as far as the leader had when the wait began; returns the leader.
    func waitSettled(within seconds: Double = 10) async throws -> Int {
        let leader = try await waitLeader()
        let settled = await eventually(within: seconds) {
            let views = await self.views()
            guard let leaderState = views.first(where: { $0.id == leader })?.state else { return false }
            return views.allSatisfy { view in
                guard view.status == .up, let state = view.state else { return false }
                return state.term == leaderState.term && state.leader == leaderState.leader
                    && state.commitIndex == leaderState.commitIndex
            }
        }
        guard settled else {
            throw TestFailure("the cluster did not settle: \(await views().map(\.summary))")
        }
        return leader
    }
}

extension NodeView {
    var summary: String {
        guard let state else { return "n\(id) \(status.label) (no state)" }
        return "n\(id) \(status.label) \(state.role) t\(state.term) leader=\(state.leader.map(String.init) ?? "-") "
            + "commit=\(state.commitIndex) last=\(state.lastIndex) frozen=\(state.frozen)"
    }
}

/// Polls `condition` every `everyMs` until it holds or `seconds` pass; true when it held.
func eventually(
    within seconds: Double = 5,
    everyMs: Int = 25,
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try await condition() { return true }
        if Date() >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(everyMs))
    }
}

// MARK: Processes

enum ProcessTable {
    /// The fields of /proc/PID/stat after the command name: state, ppid, …
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Running: present in /proc and neither a zombie nor dead (a reparented zombie may linger when
    /// PID 1 does not reap, but it runs no code).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let fields = statFields(pid), let state = fields.first else { return false }
        return state != "Z" && state != "X"
    }

    /// The command line of a process, words separated by spaces.
    static func commandLine(_ pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// Every living process whose parent is `parent`, found by scanning /proc/*/stat.
    static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let fields = statFields(pid), fields.count > 1, let ppid = Int32(fields[1]) else { return false }
            return ppid == parent && isAlive(pid)
        }
    }

    /// The children of `parent` that are `clusterdeck node` processes.
    static func nodeChildren(of parent: Int32) -> [Int32] {
        children(of: parent).filter { commandLine($0).contains(" node --id ") }
    }
}

/// A private temporary directory (short, for socket paths), removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/cdt-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Collects a pipe's output on a thread of its own.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var ended = false

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                lock.lock()
                if chunk.isEmpty { ended = true } else { data.append(chunk) }
                lock.unlock()
                if chunk.isEmpty { return }
            }
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }
}

/// `clusterdeck shell` as a child process with its standard input a pipe.
final class ShellProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output: OutputCollector
    let errors: OutputCollector
    let temporary: TemporaryDirectory
    private var inputOpen = true

    init(arguments: [String]) throws {
        signal(SIGPIPE, SIG_IGN)
        temporary = try TemporaryDirectory()
        process.executableURL = URL(fileURLWithPath: try ClusterDeckBinary.path())
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        // The shell's run directory goes under our private temporary directory.
        environment["TMPDIR"] = temporary.path
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = input
        process.standardOutput = stdout
        process.standardError = stderr
        output = OutputCollector(stdout.fileHandleForReading)
        errors = OutputCollector(stderr.fileHandleForReading)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    func closeInput() {
        guard inputOpen else { return }
        inputOpen = false
        try? input.fileHandleForWriting.close()
    }

    /// Waits for a line of output matching `predicate`.
    func waitForLine(within seconds: Double = 10, _ predicate: @escaping (String) -> Bool) async -> Bool {
        await eventually(within: seconds) { self.output.lines.contains(where: predicate) }
    }

    /// The pids the shell reported for its nodes (`n1: started (pid 123)`).
    var reportedNodePIDs: [Int32] {
        output.lines.compactMap { line in
            guard let range = line.range(of: "started (pid ") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// Waits for the shell to exit; true when it did within `seconds`.
    func waitForExit(within seconds: Double) async -> Bool {
        await eventually(within: seconds, everyMs: 10) { !self.process.isRunning }
    }

    /// Kills the shell and any node still alive, reaps the shell, removes the temporary directory.
    /// Safe to call on every path, more than once.
    func cleanUp(nodes: [Int32]) async {
        closeInput()
        if process.isRunning {
            kill(pid, SIGKILL)
            _ = await waitForExit(within: 5)
        }
        for node in nodes where ProcessTable.isAlive(node)
            && ProcessTable.commandLine(node).contains(" node --id ") {
            kill(node, SIGKILL)
        }
        temporary.remove()
    }
}

// MARK: Raw sockets

/// A blocking Unix stream socket, for talking to a node by hand.
final class RawSocket {
    let descriptor: Int32

    init(path: String, receiveTimeoutSeconds: Int = 5) throws {
        signal(SIGPIPE, SIG_IGN)
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            close(descriptor)
            throw TestFailure("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw TestFailure("connect \(path): errno \(code)")
        }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TestFailure("send: errno \(errno)") }
            offset += sent
        }
    }

    /// A frame: 4-byte big-endian length of the payload, then the payload.
    func writeFrame(_ payload: [UInt8]) throws {
        let length = UInt32(payload.count)
        try write([UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF),
                   UInt8(length & 0xFF)] + payload)
    }

    /// Exactly `count` bytes, or nil at end of stream; throws on timeout.
    func read(exactly count: Int) throws -> [UInt8]? {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: max(count, 1))
        while result.count < count {
            let received = buffer.withUnsafeMutableBytes { raw in
                recv(descriptor, raw.baseAddress, count - result.count, 0)
            }
            if received == 0 { return nil }
            guard received > 0 else { throw TestFailure("recv: errno \(errno) (timed out?)") }
            result += buffer[0..<received]
        }
        return result
    }

    /// The next frame's payload, or nil at end of stream.
    func readFrame() throws -> [UInt8]? {
        guard let header = try read(exactly: 4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length <= maximumFrameBytes else { throw TestFailure("frame of \(length) bytes") }
        if length == 0 { return [] }
        return try read(exactly: length)
    }

    /// The message of the next frame, which must be an `error` frame.
    func readErrorMessage() throws -> String {
        guard let payload = try readFrame() else { throw TestFailure("the node closed the connection") }
        guard case .error(let body) = try Frame(decoding: payload) else {
            throw TestFailure("expected an error frame, got kind \(payload.first.map(String.init) ?? "none")")
        }
        return body.message
    }
}
