import NIOCore
import NIOPosix
import Synchronization

/// The console's TCP proxy in front of every etcd member's peer listener: members advertise the
/// proxy's port, so all Raft traffic between them passes here, where `PeerLinkRules` cut or delay
/// it per directed link. The rules and attribution are pure types; this is only the plumbing.
public final class PeerProxy: Sendable {
    /// One listener: node `node`'s advertised peer port, forwarding to its real one.
    public struct Listener: Sendable {
        public var node: Int
        public var port: Int
        public var upstreamPort: Int

        public init(node: Int, port: Int, upstreamPort: Int) {
            self.node = node
            self.port = port
            self.upstreamPort = upstreamPort
        }
    }

    public let book: PeerTrafficBook
    private let channels: Mutex<[any Channel]>

    private init(book: PeerTrafficBook, channels: [any Channel]) {
        self.book = book
        self.channels = Mutex(channels)
    }

    /// Binds every listener.
    /// - Parameter blocked: told (on a proxy thread) the first time a link blocks a connection
    ///   after the rules changed: from, to, and what the connection was for.
    /// - Throws: when a port cannot be bound (then none stays bound).
    public static func start(_ listeners: [Listener], book: PeerTrafficBook, group: any EventLoopGroup,
                             blocked: @escaping @Sendable (Int, Int, String) -> Void) async throws -> PeerProxy {
        var bound: [any Channel] = []
        do {
            for listener in listeners {
                let channel = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let gate = ConnectionGate(listener: listener, book: book, blocked: blocked)
                            try channel.pipeline.syncOperations.addHandler(DialerSideHandler(gate: gate))
                        }
                    }
                    .bind(host: "127.0.0.1", port: listener.port).get()
                bound.append(channel)
            }
        } catch {
            for channel in bound { try? await channel.close() }
            throw EtcdStartError("the peer proxy cannot listen: \(error)")
        }
        return PeerProxy(book: book, channels: bound)
    }

    /// Closes the listeners (connections in flight close with their members).
    public func close() async {
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
    }
}

/// One proxied connection's routing: who dialled, which half carries its messages, and the
/// writers that hold delayed bytes in order. Lives on the connection's event loop.
final class ConnectionGate {
    let listener: PeerProxy.Listener
    let book: PeerTrafficBook
    let blocked: @Sendable (Int, Int, String) -> Void
    var attribution: PeerAttribution?
    var dialerSide: (any Channel)?
    var listenerSide: (any Channel)?
    private var dueByHalf: [PeerConnectionHalf: NIODeadline] = [:]
    /// Bytes held for a delay and not yet written, per half: bounded, so a slowed link under load
    /// cannot grow the console without limit.
    private var heldBytes: [PeerConnectionHalf: Int] = [:]
    /// Most bytes one half may hold back; beyond it the connection closes (etcd redials).
    static let maximumHeldBytes = 16 * 1_024 * 1_024
    private var counted = false

    init(listener: PeerProxy.Listener, book: PeerTrafficBook, blocked: @escaping @Sendable (Int, Int, String) -> Void) {
        self.listener = listener
        self.book = book
        self.blocked = blocked
    }

    /// The link this connection's messages travel on, once the dialler's member id is known (the
    /// status poller learns ids; a connection opened before is attributed at its next bytes). The
    /// connection is counted for its link the first time the link is known.
    private var link: (from: Int, to: Int)? {
        guard let attribution, let dialer = book.node(ofMember: attribution.dialerID) else { return nil }
        let link = attribution.link(dialer: dialer, listener: listener.node)
        if !counted {
            counted = true
            book.opened(from: link.from, to: link.to)
        }
        return link
    }

    /// Whether the connection may open (false: its link is cut; the caller closes it).
    func admits() -> Bool {
        guard let link else { return true }
        return decide(link, bytes: 0) != .block
    }

    /// Forwards `buffer` from one side to the other: the carrying half under its link's rule,
    /// the other half (acknowledgements, the request of a stream) as it comes.
    func forward(_ buffer: ByteBuffer, on half: PeerConnectionHalf, loop: any EventLoop) {
        guard let target = half == .request ? listenerSide : dialerSide else { return }
        guard let attribution, half == attribution.carryingHalf, let link else {
            target.writeAndFlush(buffer, promise: nil)
            return
        }
        switch decide(link, bytes: buffer.readableBytes) {
        case .block:
            closeBoth()
        case .pass(let delayMs, let jitterMs):
            let now = NIODeadline.now()
            let extra = book.jitter(upToMs: jitterMs)
            // Never before bytes sent earlier: a byte stream must stay in order.
            let due = max(now + .milliseconds(Int64(delayMs + extra)), dueByHalf[half] ?? now)
            dueByHalf[half] = due
            guard due > now else { return target.writeAndFlush(buffer, promise: nil) }
            let size = buffer.readableBytes
            heldBytes[half, default: 0] += size
            guard heldBytes[half, default: 0] <= Self.maximumHeldBytes else { return closeBoth() }
            let bound = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleTask(deadline: due) {
                bound.value.heldBytes[half, default: 0] -= size
                target.writeAndFlush(buffer, promise: nil)
            }
        }
    }

    private func decide(_ link: (from: Int, to: Int), bytes: Int) -> PeerLinkRules.Decision {
        let (decision, news) = book.route(from: link.from, to: link.to, bytes: bytes)
        if news, let attribution { blocked(link.from, link.to, attribution.kind.rawValue) }
        return decision
    }

    /// Closes the connection on both sides (`accepted`: the dialler's, before it is recorded).
    func closeBoth(_ accepted: (any Channel)? = nil) {
        (dialerSide ?? accepted)?.close(promise: nil)
        listenerSide?.close(promise: nil)
    }
}

/// The accepted side: reads the first request head, attributes the connection, dials the member's
/// real peer port, then relays the request half, attributing each later request on it anew.
final class DialerSideHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let gate: ConnectionGate
    private var framer = PeerRequestFramer()
    private var sawHead = false
    /// Bytes that arrive while the member's port is being dialled.
    private var waiting: [ByteBuffer] = []
    private var dialling = false

    init(gate: ConnectionGate) {
        self.gate = gate
    }

    func channelActive(context: ChannelHandlerContext) {
        gate.dialerSide = context.channel
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        for event in framer.feed(buffer.readableBytesView) {
            switch event {
            case .head(let head):
                sawHead = true
                gate.attribution = PeerAttribution.of(head)
                guard gate.admits() else { return gate.closeBoth(context.channel) }
            case .unfollowable:
                break
            case .malformed:
                return gate.closeBoth(context.channel)
            }
        }
        if gate.listenerSide != nil { return gate.forward(buffer, on: .request, loop: context.eventLoop) }
        waiting.append(buffer)
        guard !dialling, sawHead else { return }
        dialling = true
        dial(context)
    }

    private func dial(_ context: ChannelHandlerContext) {
        let bound = NIOLoopBound((gate: gate, handler: self), eventLoop: context.eventLoop)
        let dialer = context.channel
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ListenerSideHandler(gate: bound.value.gate))
                }
            }
            .connect(host: "127.0.0.1", port: gate.listener.upstreamPort)
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    bound.value.handler.connected(upstream)
                case .failure:
                    dialer.close(promise: nil)
                }
            }
    }

    /// The member's port answered: what waited goes first, in order, under the rules.
    private func connected(_ upstream: any Channel) {
        gate.listenerSide = upstream
        let pending = waiting
        waiting = []
        for buffer in pending { gate.forward(buffer, on: .request, loop: upstream.eventLoop) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        gate.listenerSide?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        gate.closeBoth()
    }
}

/// The dialled side: relays what the member answers (a stream's messages) back to the dialler.
final class ListenerSideHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let gate: ConnectionGate

    init(gate: ConnectionGate) {
        self.gate = gate
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        gate.forward(unwrapInboundIn(data), on: .response, loop: context.eventLoop)
    }

    func channelInactive(context: ChannelHandlerContext) {
        gate.dialerSide?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        gate.closeBoth()
    }
}
