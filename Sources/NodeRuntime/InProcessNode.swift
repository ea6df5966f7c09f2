import NIOCore
import Raft
import Wire

/// What crosses an in-process link, either way: a frame as a value (the coder skipped), or encoded
/// bytes — peer messages, which the engine routes by their binary header, and a node's outbox.
public enum LinkParcel: Sendable {
    case frame(Frame)
    case encoded(ByteBuffer)
}

/// A node the simulated cluster runs inside the console's process: the very server a node process
/// runs (the node loop, its timers and the same frames), on the host's event loop — a virtual clock
/// — with a simulated disk (`MemoryLog`) instead of the write-ahead log's files, and a link to the
/// engine instead of a socket.
///
/// Every method runs on `loop`.
public final class InProcessNode {
    /// How long a frame takes between a node and the console: a local socket's hop, so that an
    /// operation takes virtual time as it takes real time (without it, a write would commit in
    /// no time at all and a client could loop forever at one instant).
    public static let linkLatency = TimeAmount.microseconds(250)
    private let server: any NodeServing
    /// Frames that arrived while paused: a stopped process reads them when it goes on.
    private var heldWhilePaused: [LinkParcel] = []
    /// Frames on their way to it (sent, not yet arrived), counted against the limit while paused.
    private var inFlight = 0
    /// Frames a paused node may have waiting (a stopped process's socket buffer).
    public static let maximumHeldWhilePaused = 4_096
    private var paused = false
    private let link: InProcessLink
    private let loop: any EventLoop
    private let deferral: Deferral

    /// Boots node `options.id` from what `disk` holds (a restart recovers from it) and connects it:
    /// its frames go to `deliver`, in order, each on a later turn of the loop (as a socket would).
    /// - Parameter onStop: the node ended its life from within (a `shutdown` frame, a failed disk).
    public init(options: NodeOptions, loop: any EventLoop, disk: MemoryLog,
                deliver: @escaping (LinkParcel) -> Void, onStop: @escaping (NodeStop) -> Void) throws {
        self.loop = loop
        deferral = Deferral(loop)
        link = InProcessLink(loop: loop, deliver: deliver)
        server = try makeNodeServer(options: options, loop: loop, wal: disk, recovered: disk.persistentState,
                                onStop: onStop)
        server.attach(console: link)
        server.startTicking()
    }

    /// Whether one more frame fits: always while running; while paused, as long as fewer than
    /// `maximumHeldWhilePaused` wait (beyond, the sender counts it as `overflow`).
    public var takesMore: Bool {
        !paused || heldWhilePaused.count + inFlight < Self.maximumHeldWhilePaused
    }

    /// Hands it an encoded frame (a peer message) after the link's latency (a socket's hop).
    public func send(_ payload: ByteBuffer) {
        arrive(.encoded(payload))
    }

    /// Hands it a frame from the console, as a value, after the link's latency.
    public func send(_ frame: Frame) {
        arrive(.frame(frame))
    }

    private func arrive(_ inbound: LinkParcel) {
        inFlight += 1
        let bound = NIOLoopBound(self, eventLoop: loop)
        deferral.run(after: Self.linkLatency) {
            bound.value.inFlight -= 1
            bound.value.receive(inbound)
        }
    }

    /// One frame from the console; held while paused.
    private func receive(_ inbound: LinkParcel) {
        guard !paused else { return heldWhilePaused.append(inbound) }
        handle(inbound)
        server.processReady()
    }

    private func handle(_ inbound: LinkParcel) {
        switch inbound {
        case .encoded(let payload): server.receive(payload: payload, from: link)
        case .frame(let frame): server.receive(frame, from: link)
        }
    }

    /// The node's state now — what its next state frame (sent at most 20 times a second of virtual
    /// time) would say; nil while paused, as a stopped process tells nothing.
    public var currentState: NodeStateFrame? {
        paused ? nil : server.currentState()
    }

    /// Stops the node's clock and its handling of frames, as SIGSTOP stops a process.
    public func pause() {
        paused = true
        server.suspend()
    }

    /// Goes on: the frames that arrived meanwhile are handled first, in order.
    public func resume() {
        guard paused else { return }
        paused = false
        server.resume()
        let held = heldWhilePaused
        heldWhilePaused = []
        for inbound in held { handle(inbound) }
        server.processReady()
    }

    /// Takes the node down: its timers stop and nothing it still had in hand reaches the console.
    public func kill() {
        server.halt()
        link.cut()
    }
}

/// The node's end of an in-process link: each frame is handed over on a later turn of the loop.
private final class InProcessLink: FrameLink {
    private let loop: any EventLoop
    private let deferral: Deferral
    private var deliver: ((LinkParcel) -> Void)?

    init(loop: any EventLoop, deliver: @escaping (LinkParcel) -> Void) {
        self.loop = loop
        deferral = Deferral(loop)
        self.deliver = deliver
    }

    var isWritable: Bool { true }

    func write(_ payload: [UInt8]) {
        hand(.encoded(ByteBuffer(bytes: payload)))
    }

    /// Peer messages go encoded: the engine routes them by their binary header.
    func write(_ frame: Frame, payload: () -> [UInt8]) {
        if case .peer = frame { return hand(.encoded(ByteBuffer(bytes: payload()))) }
        hand(.frame(frame))
    }

    private func hand(_ parcel: LinkParcel) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        deferral.run(after: InProcessNode.linkLatency) { bound.value.deliver?(parcel) }
    }

    func flush() {}

    /// Frames written from now on, and those still on their way, are dropped.
    func cut() {
        deliver = nil
    }
}
