import CommandLanguage
import Foundation
import NIOCore
import NIOPosix
import NodeRuntime

/// The console's control socket (`console.sock` in the run directory): `clusterdeck ctl` sends one
/// command line per frame and gets back one JSON frame `{"ok": Bool, "lines": [String]}`.
enum ControlSocket {
    /// Starts listening; the socket is removed with the run directory.
    static func listen(engine: NIOLoopBound<ClusterEngine>, path: String) -> EventLoopFuture<any Channel> {
        let loop = engine.eventLoop
        return ServerBootstrap(group: loop)
            .childChannelInitializer { channel in
                PeerCredentials.requireSameUser(channel).flatMapErrorThrowing { error in
                    engine.value.publish(.action("control socket: \(error)"))
                    throw error
                }.flatMapThrowing {
                    try FrameChannel.configure(channel, handler: ControlHandler(engine: engine.value))
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

    private let engine: ClusterEngine

    init(engine: ClusterEngine) {
        self.engine = engine
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let line = String(decoding: buffer.readableBytesView, as: UTF8.self)
        let channel = context.channel
        let output: EventLoopFuture<CommandOutput>
        do {
            if let command = try CommandParser.parse(line, nodeCount: engine.nodeCount) {
                engine.publish(.action("ctl: \(line)"))
                output = engine.execute(command)
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
    /// Sends `line` to the console whose run directory is `runDirectory` (or the newest running one)
    /// and returns its output.
    public static func send(_ line: String, runDirectory: String?) async throws -> CommandOutput {
        let path = try runDirectory.map { "\($0)/console.sock" } ?? newestConsoleSocket()
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

    /// The console socket of the most recently started run directory that still answers.
    static func newestConsoleSocket() throws -> String {
        let root = RunDirectory.root
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let candidates = names.compactMap { name -> (path: String, date: Date)? in
            // A socket left by a console that was killed answers nobody: skip it.
            guard let pid = name.split(separator: "-").first.flatMap({ Int32($0) }),
                  RunDirectory.isConsoleRunning(pid) else { return nil }
            let socket = "\(root)/\(name)/console.sock"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: socket),
                  let date = attributes[.modificationDate] as? Date else { return nil }
            return (socket, date)
        }
        guard let newest = candidates.max(by: { $0.date < $1.date }) else {
            throw ClusterError("no running console found under \(root) (start one with: clusterdeck shell)")
        }
        return newest.path
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
