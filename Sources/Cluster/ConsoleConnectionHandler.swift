import NIOCore
import Raft
import Wire

/// The console's end of one node's connection: peer frames go to the fabric by their routing header
/// alone; everything else is decoded and handed to the engine.
final class ConsoleConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let engine: ClusterEngine
    private let node: NodeID
    private let generation: Int

    init(engine: ClusterEngine, node: NodeID, generation: Int) {
        self.engine = engine
        self.node = node
        self.generation = generation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        engine.received(payload: unwrapInboundIn(data), from: node, generation: generation)
    }

    func channelInactive(context: ChannelHandlerContext) {
        engine.connectionClosed(node: node, generation: generation)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        engine.publish(.action("n\(node) connection error: \(error)"))
        context.close(promise: nil)
    }
}
