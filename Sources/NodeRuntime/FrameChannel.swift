import NIOCore
import NIOExtras
import Wire

/// Adds 4-byte big-endian length framing to a channel, refusing frames over `maximumFrameBytes`.
public enum FrameChannel {
    /// Installs the framing handlers, then `handler`, on the channel's pipeline (call on its loop).
    public static func configure(_ channel: any Channel, handler: some ChannelHandler) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(ByteToMessageHandler(BoundedLengthFieldDecoder()))
        try sync.addHandler(LengthFieldPrepender(lengthFieldBitLength: .fourBytes))
        try sync.addHandler(handler)
    }
}

/// An oversized frame: the peer is not speaking our protocol, so the connection is closed.
public struct FrameTooLarge: Error, CustomStringConvertible {
    public var length: Int
    public var description: String { "frame of \(length) bytes exceeds the \(maximumFrameBytes)-byte limit" }
}

/// Length-prefixed frames with a hard size limit checked before any payload is buffered.
struct BoundedLengthFieldDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(length) <= maximumFrameBytes else { throw FrameTooLarge(length: Int(length)) }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let payload = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(payload))
        return .continue
    }
}
