import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP answer: the status code and the body.
struct HTTPReply: Sendable {
    var status: Int
    var body: [UInt8]
}

/// One keep-alive HTTP/1.1 connection to `host:port`. Requests may be pipelined; they are
/// answered in the order they were sent, and a closed connection fails what is waiting.
final class HTTPConnection: Sendable {
    let endpoint: EtcdEndpoint
    private let channel: any Channel
    private let collector: NIOLoopBound<HTTPReplyCollector>

    private init(endpoint: EtcdEndpoint, channel: any Channel,
                 collector: NIOLoopBound<HTTPReplyCollector>) {
        self.endpoint = endpoint
        self.channel = channel
        self.collector = collector
    }

    /// Connects on `loop`; the connection's work all happens on that loop.
    static func connect(to endpoint: EtcdEndpoint, on loop: any EventLoop,
                        timeout: TimeAmount) async throws -> HTTPConnection {
        let (channel, collector) = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let collector = HTTPReplyCollector()
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                    return (channel, NIOLoopBound(collector, eventLoop: channel.eventLoop))
                }
            }
        return HTTPConnection(endpoint: endpoint, channel: channel, collector: collector)
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// POSTs `body` (JSON) to `path`; the future holds the whole answer.
    func post(_ path: String, json body: [UInt8]) -> EventLoopFuture<HTTPReply> {
        let promise = channel.eventLoop.makePromise(of: HTTPReply.self)
        let authority = endpoint.description
        channel.eventLoop.execute { [channel, collector] in
            guard channel.isActive else {
                return promise.fail(EtcdError.connection("connection to \(authority) is closed"))
            }
            collector.value.waiting.append(promise)
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
            head.headers.add(name: "Host", value: authority)
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: "\(body.count)")
            let buffer = channel.allocator.buffer(bytes: body)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        return promise.futureResult
    }

    func close() async {
        try? await channel.close()
    }
}

/// Collects response parts into whole answers and hands each to the oldest waiting request.
final class HTTPReplyCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var waiting = CircularBuffer<EventLoopPromise<HTTPReply>>()
    private var status = 0
    private var body: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body = nil
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body?.writeBuffer(&part)
            }
        case .end:
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            waiting.popFirst()?.succeed(HTTPReply(status: status, body: bytes))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll("connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll("\(error)")
        context.close(promise: nil)
    }

    private func failAll(_ reason: String) {
        while let promise = waiting.popFirst() {
            promise.fail(EtcdError.connection(reason))
        }
    }
}
