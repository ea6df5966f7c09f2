import NIOCore
import Raft

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
    private var heldWhilePaused: [ByteBuffer] = []
    /// Frames on their way to it (sent, not yet arrived), counted against the limit while paused.
    private var inFlight = 0
    /// Frames a paused node may have waiting (a stopped process's socket buffer).
    public static let maximumHeldWhilePaused = 4_096
    private var paused = false
    private let link: InProcessLink
    private let loop: any EventLoop

    /// Boots node `options.id` from what `disk` holds (a restart recovers from it) and connects it:
    /// its frames go to `deliver`, in order, each on a later turn of the loop (as a socket would).
    /// - Parameter onStop: the node ended its life from within (a `shutdown` frame, a failed disk).
    public init(options: NodeOptions, loop: any EventLoop, disk: MemoryLog,
                deliver: @escaping ([UInt8]) -> Void, onStop: @escaping (NodeStop) -> Void) throws {
        self.loop = loop
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

    /// Hands it an encoded frame after the link's latency (a socket's hop).
    public func send(_ payload: ByteBuffer) {
        inFlight += 1
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: Self.linkLatency) {
            bound.value.inFlight -= 1
            bound.value.receive(payload)
        }
    }

    /// One encoded frame from the console; held while paused.
    private func receive(_ payload: ByteBuffer) {
        guard !paused else { return heldWhilePaused.append(payload) }
        server.receive(payload: payload, from: link)
        server.processReady()
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
        for payload in held { server.receive(payload: payload, from: link) }
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
    private var deliver: (([UInt8]) -> Void)?

    init(loop: any EventLoop, deliver: @escaping ([UInt8]) -> Void) {
        self.loop = loop
        self.deliver = deliver
    }

    var isWritable: Bool { true }

    func write(_ payload: [UInt8]) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: InProcessNode.linkLatency) { bound.value.deliver?(payload) }
    }

    func flush() {}

    /// Frames written from now on, and those still on their way, are dropped.
    func cut() {
        deliver = nil
    }
}
