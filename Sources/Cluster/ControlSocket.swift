import CommandLanguage
import Foundation
import NIOCore
import NIOPosix
import NodeRuntime

/// The console's control socket (`console.sock` in the run directory): `clusterdeck ctl` sends one
/// command line per frame and gets back one JSON frame `{"ok": Bool, "lines": [String]}`. It serves
/// any `ClusterBackend`: `ctl` drives whatever the console drives.
public enum ControlSocket {
    /// Starts listening on `loop`; the socket is removed with the run directory.
    public static func listen(backend: any ClusterBackend, loop: any EventLoop, path: String) -> EventLoopFuture<any Channel> {
        ServerBootstrap(group: loop)
            .childChannelInitializer { channel in
                PeerCredentials.requireSameUser(channel).flatMapError { error in
                    channel.eventLoop.makeFutureWithTask {
                        await backend.note("control socket: \(error)")
                        throw error
                    }
                }.flatMapThrowing {
                    try FrameChannel.configure(channel, handler: ControlHandler(backend: backend))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .map { channel in
                chmod(path, 0o600)
                return channel
            }
    }

    /// The reply frame's body.
    struct Reply: Codable, Sendable {
        var ok: Bool
        var lines: [String]
    }
}

/// Runs each received command line and answers with its output.
private final class ControlHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let backend: any ClusterBackend

    init(backend: any ClusterBackend) {
        self.backend = backend
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let line = String(decoding: buffer.readableBytesView, as: UTF8.self)
        let channel = context.channel
        let output: EventLoopFuture<CommandOutput>
        do {
            if let command = try CommandParser.parse(line, nodeCount: backend.nodeCount) {
                output = context.eventLoop.makeFutureWithTask { [backend] in
                    await backend.note("ctl: \(line)")
                    return await backend.execute(command)
                }
            } else {
                output = context.eventLoop.makeSucceededFuture(CommandOutput(lines: []))
            }
        } catch {
            output = context.eventLoop.makeSucceededFuture(.error("\(error)"))
        }
        output.whenSuccess { result in
            let reply = ControlSocket.Reply(ok: result.ok, lines: result.lines)
            let bytes = (try? JSONEncoder().encode(reply)) ?? Data("{\"ok\":false,\"lines\":[]}".utf8)
            var response = channel.allocator.buffer(capacity: bytes.count)
            response.writeBytes(bytes)
            channel.writeAndFlush(response, promise: nil)
        }
    }
}

/// `clusterdeck ctl`: finds a running console and sends it one command.
public enum ControlClient {
    /// Sends `line` to the console whose run directory is `runDirectory` (or the one `findConsole`
    /// picks) and returns its output.
    public static func send(_ line: String, runDirectory: String?) async throws -> CommandOutput {
        let run = try runDirectory.map { ConsoleRun(directory: $0) } ?? findConsole()
        return try await send(line, to: run)
    }

    /// Sends `line` to `run`'s console and returns its output.
    public static func send(_ line: String, to run: ConsoleRun) async throws -> CommandOutput {
        let path = run.socketPath
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try FrameChannel.configure(channel, handler: ReplyHandler(promise: promise))
                }
            }
            .connect(unixDomainSocketPath: path).get()
        var request = channel.allocator.buffer(capacity: line.utf8.count)
        request.writeString(line)
        let reply: ByteBuffer
        do {
            try await channel.writeAndFlush(request)
            reply = try await promise.futureResult.get()
        } catch {
            try? await channel.close()
            throw ClusterError("the console at \(path) closed the connection without answering "
                + "(it refuses other users, or it has stopped)")
        }
        try? await channel.close()
        let decoded = try JSONDecoder().decode(ControlSocket.Reply.self, from: Data(reply.readableBytesView))
        return CommandOutput(lines: decoded.lines, ok: decoded.ok)
    }

    /// The console to talk to when none is named: one someone is watching (`console`, `play`) before
    /// the clusters of benchmarks, drills, soaks and shells, and the newest of those.
    public static func findConsole(under root: String = RunDirectory.root) throws -> ConsoleRun {
        guard let chosen = preferred(runningConsoles(under: root)) else {
            throw ClusterError("no running console found under \(root) (start one with: clusterdeck)")
        }
        return chosen
    }

    /// Interactive first, then newest first.
    static func preferred(_ runs: [ConsoleRun]) -> ConsoleRun? {
        runs.max { ($0.kind.isInteractive ? 1 : 0, $0.startedAt) < ($1.kind.isInteractive ? 1 : 0, $1.startedAt) }
    }

    /// The run directories under `root` whose console process is alive and has its socket.
    static func runningConsoles(under root: String) -> [ConsoleRun] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name in
            // A socket left by a console that was killed answers nobody: skip it.
            guard let pid = name.split(separator: "-").first.flatMap({ Int32($0) }),
                  RunDirectory.isConsoleRunning(pid) else { return nil }
            let run = ConsoleRun(directory: "\(root)/\(name)")
            return FileManager.default.fileExists(atPath: run.socketPath) ? run : nil
        }
    }
}

/// A console `ctl` can talk to: its run directory and what the run recorded about itself.
public struct ConsoleRun: Sendable, Equatable, CustomStringConvertible {
    public var directory: String
    public var kind: RunKind
    public var pid: Int32?
    public var startedAt: Date

    /// Reads the run's record; a directory without one (an older console) is a run of unknown kind
    /// whose pid is in its name and which started when its socket was made.
    public init(directory: String) {
        self.directory = directory
        let record = RunDirectory(path: directory).readRecord()
        kind = record?.kind ?? .other
        pid = record?.pid ?? (directory as NSString).lastPathComponent.split(separator: "-").first.flatMap { Int32($0) }
        let socketDate = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/console.sock"))?[
            .modificationDate] as? Date
        startedAt = record?.startDate ?? socketDate ?? .distantPast
    }

    public var socketPath: String { "\(directory)/console.sock" }

    /// "console run /tmp/clusterdeck-0/1234-5 (pid 1234, started 14:02)".
    public var description: String {
        let formatter = DateFormatter()
        formatter.dateFormat = Calendar.current.isDateInToday(startedAt) ? "HH:mm" : "yyyy-MM-dd HH:mm"
        let process = pid.map { "pid \($0), " } ?? ""
        return "\(kind.runName) \(directory) (\(process)started \(formatter.string(from: startedAt)))"
    }
}

private final class ReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<ByteBuffer>

    init(promise: EventLoopPromise<ByteBuffer>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        promise.succeed(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ClusterError("the console closed the connection without answering"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
