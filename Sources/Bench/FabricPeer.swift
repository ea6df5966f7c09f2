import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Raft
import Wire

/// A stand-in for a node in `bench fabric`: sends heartbeat frames to the console as fast as it
/// takes them (see `clusterdeck bench fabric-peer`).
public enum FabricPeer {
    /// Serves `socketPath` until the console goes away; never returns.
    public static func run(id: NodeID, others: [NodeID], socketPath: String) throws -> Never {
        let batch = frames(from: id, to: others)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BlastHandler(batch: batch))
                }
            }
        _ = try bootstrap.bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true)
            .wait()
        // No orphans: leave with the console, or if it never comes.
        let parent = getppid()
        var waited = 0
        while true {
            if getppid() != parent { exit(0) }
            if waited > 60 && !BlastHandler.connected.withLockedValue({ $0 }) { exit(2) }
            waited += 1
            usleep(250_000)
        }
    }

    /// 64 length-prefixed heartbeat frames, round-robin over the other members.
    static func frames(from id: NodeID, to others: [NodeID]) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<64 {
            let message = Message(from: id, to: others[index % others.count], term: 1,
                                  body: .heartbeat(commit: 0, readRound: 0))
            let payload = Frame.peer(message).encoded()
            let length = UInt32(payload.count)
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) }
            bytes += payload
        }
        return bytes
    }
}

/// Writes the batch again and again while the connection is writable; reads are thrown away.
final class BlastHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let connected = NIOLockedValueBox(false)
    private let batch: [UInt8]
    private var buffer: ByteBuffer?

    init(batch: [UInt8]) {
        self.batch = batch
    }

    func channelActive(context: ChannelHandlerContext) {
        Self.connected.withLockedValue { $0 = true }
        buffer = context.channel.allocator.buffer(bytes: batch)
        blast(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { blast(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        exit(0)
    }

    /// Up to 16 batches, then yield to the loop so reads keep draining what the console sends.
    private func blast(context: ChannelHandlerContext) {
        guard let buffer else { return }
        var rounds = 0
        while context.channel.isWritable, rounds < 16 {
            context.write(wrapOutboundOut(buffer), promise: nil)
            rounds += 1
        }
        context.flush()
        guard context.channel.isWritable else { return }
        context.eventLoop.assumeIsolated().execute { self.blast(context: context) }
    }
}
