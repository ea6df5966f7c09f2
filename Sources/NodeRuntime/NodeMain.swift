import CShims
import Foundation
import NIOCore
import NIOPosix
import Raft
import Wire

/// Runs a node process until its console goes away.
public enum NodeMain {
    /// Starts the node and never returns: the process exits when the console disconnects, the parent
    /// dies, a `shutdown` control frame arrives, or the write-ahead log fails.
    public static func run(_ options: NodeOptions) -> Never {
        watchParent()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let serverFuture = loop.submit { () throws -> NIOLoopBound<any NodeServing> in
            // Opened on the loop: the log is used from this one thread only.
            let (wal, recovered): (WriteAheadLog, PersistentState)
            do {
                (wal, recovered) = try WriteAheadLog.open(directory: options.dataDirectory, fsync: options.fsync)
            } catch {
                fail("cannot recover the write-ahead log: \(error)")
            }
            let server = try makeNodeServer(options: options, loop: loop, wal: wal, recovered: recovered) { stop in
                switch stop {
                case .shutdown: exit(0)
                case .fatal(let message): fail("node \(options.id): fatal: \(message)")
                }
            }
            return NIOLoopBound(server, eventLoop: loop)
        }
        do {
            let server = try serverFuture.wait()
            try listen(options: options, group: group, server: server)
            exitIfNoConsole(within: options.connectTimeoutMs, server: server, loop: loop)
        } catch {
            fail("cannot start: \(error)")
        }
        while true { sleep(3600) }
    }

    private static func listen(options: NodeOptions, group: any EventLoopGroup,
                               server: NIOLoopBound<any NodeServing>) throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 8)
            .childChannelInitializer { channel in
                PeerCredentials.requireSameUser(channel).flatMapErrorThrowing { error in
                    FileHandle.standardError.write(Data("node: \(error)\n".utf8))
                    throw error
                }.flatMapThrowing {
                    try FrameChannel.configure(channel, handler: NodeConnectionHandler(server: server.value))
                }
            }
        _ = try bootstrap.bind(unixDomainSocketPath: options.socketPath, cleanupExistingSocketFile: true).wait()
        // Only our own user may connect: the run directory is 0700 and so is the socket.
        chmod(options.socketPath, 0o600)
    }

    private static func exitIfNoConsole(within milliseconds: Int, server: NIOLoopBound<any NodeServing>,
                                        loop: any EventLoop) {
        loop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
            if !server.value.hasConsole { fail("no console connected within \(milliseconds) ms") }
        }
    }

    /// No orphans: die with the parent. PDEATHSIG covers a SIGSTOPped node too; the poll covers the
    /// race where the parent died before the signal was armed.
    private static func watchParent() {
        let parent = getppid()
        _ = cd_set_parent_death_signal(SIGKILL)
        if getppid() != parent || parent == 1 { exit(0) }
        Thread.detachNewThread {
            while true {
                if getppid() != parent { exit(0) }
                usleep(250_000)
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("clusterdeck node: \(message)\n".utf8))
        exit(2)
    }
}

/// One connection to the node: the first is the console's; frames from any are processed, and a bad
/// frame is answered with an error frame.
final class NodeConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let server: any NodeServing
    private var isConsole = false
    /// This connection as the server writes to it (made when it becomes active).
    private var link: ChannelLink?

    init(server: any NodeServing) {
        self.server = server
    }

    func channelActive(context: ChannelHandlerContext) {
        let link = ChannelLink(context.channel)
        self.link = link
        if !server.hasConsole {
            isConsole = true
            server.attach(console: link)
            server.startTicking()
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let link = link ?? ChannelLink(context.channel)
        server.receive(payload: unwrapInboundIn(data), from: link)
    }

    /// Every frame of this read has been stepped: now persist, send and apply them as one batch.
    func channelReadComplete(context: ChannelHandlerContext) {
        server.processReady()
        context.fireChannelReadComplete()
    }

    /// The console's socket drained (or filled): frames held for it go out while it can take them.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if isConsole { server.consoleWritabilityChanged() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.refuse("\(error); closing the connection", on: link ?? ChannelLink(context.channel))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The console is gone: a node without its console must not live on.
        if isConsole { exit(0) }
        context.fireChannelInactive()
    }
}
