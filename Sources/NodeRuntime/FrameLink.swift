import NIOCore
import Wire

/// Where a node writes its frames to the console: a socket for a node process, the engine itself
/// for a node the simulated cluster runs in-process.
public protocol FrameLink: AnyObject {
    /// Whether the link takes frames now (a full socket does not: frames wait in the outbox).
    var isWritable: Bool { get }
    /// Sends one encoded frame (kind byte and body).
    func write(_ payload: [UInt8])
    /// Sends one frame. A socket sends `payload()`, its encoding (perhaps a hand-written fast
    /// form); the simulated cluster's link hands the value itself over, so neither end pays for
    /// the JSON coder (the coder has its own tests; a node process still uses it).
    func write(_ frame: Frame, payload: () -> [UInt8])
    /// Pushes out what was written.
    func flush()
}

/// A socket's end of a frame link; the channel's framing handler adds the length prefix.
final class ChannelLink: FrameLink {
    let channel: any Channel

    init(_ channel: any Channel) {
        self.channel = channel
    }

    var isWritable: Bool { channel.isWritable }

    func write(_ payload: [UInt8]) {
        var buffer = channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        channel.write(buffer, promise: nil)
    }

    func write(_ frame: Frame, payload: () -> [UInt8]) {
        write(payload())
    }

    func flush() { channel.flush() }
}

/// Why a node's life ended from within.
public enum NodeStop: Sendable, Equatable {
    /// The console asked it to (`shutdown` control frame).
    case shutdown
    /// It cannot go on (its durable log failed).
    case fatal(String)
}
