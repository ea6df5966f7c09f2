import NIOCore
import NIOEmbedded
import NodeRuntime
import Raft
import Wire

/// The node's frame decoder end to end: a byte stream cut into reads, through the length-field
/// decoder `FrameChannel` installs (in an `EmbeddedChannel`), then `Frame(decoding:)` on each
/// payload, which takes peer bodies through `PeerCodec` and the rest through JSON.
///
/// Properties: the channel delivers exactly the frames a plain reading of the length prefixes
/// finds, however the stream is cut; a length over `maximumFrameBytes` is refused with
/// `FrameTooLarge` as soon as its prefix arrives, before any of its payload; a payload decodes to
/// a frame or a `WireError`; a peer body that decodes re-encodes to the same bytes, and its
/// routing header (read from contiguous or scattered bytes) matches the message; a JSON frame that
/// decodes re-encodes to JSON that decodes to the same frame.
public struct FrameTarget: FuzzTarget {
    /// A byte stream and how it is cut into reads.
    public struct Input: Sendable {
        public var stream: [UInt8]
        /// Sizes of the reads, in order; what is left after them comes in one last read.
        public var reads: [Int]
    }

    public let name = "frame"
    let payloads: [[UInt8]]
    let mutator = ByteMutator(maximumBytes: 16_384)
    let jsonMutator = JSONMutator()

    /// A target seeded with `FrameCorpus.payloads`.
    public init() {
        payloads = FrameCorpus.payloads
    }

    public func makeInput(using random: inout FuzzRandom) -> Input {
        var stream: [UInt8] = []
        if random.chance(1, in: 16) {
            stream = (0..<random.int(in: 0...64)).map { _ in random.byte() }
        } else {
            for _ in 0..<random.smallCount(max: 4) {
                stream += framed(payload(using: &random), using: &random)
            }
        }
        if random.chance(1, in: 5) { mutator.mutate(&stream, donors: [], using: &random) }
        var reads: [Int] = []
        var left = stream.count
        while left > 0, random.chance(2, in: 3) {
            let cap = random.pick([1, 3, 4, 5, 17, 64, 4096])
            let read = random.int(in: 1...max(1, min(left, cap)))
            reads.append(read)
            left -= read
        }
        return Input(stream: stream, reads: reads)
    }

    private func payload(using random: inout FuzzRandom) -> [UInt8] {
        var payload = random.pick(payloads)
        switch random.below(8) {
        case 0:
            break
        case 1 where payload.first != FrameKind.peer.rawValue:
            var body = Array(payload.dropFirst())
            jsonMutator.mutate(&body, using: &random)
            payload = [payload[0]] + body
        case 2:
            payload[0] = random.chance(1, in: 2) ? random.byte() : UInt8(random.int(in: 0...8))
        default:
            mutator.mutate(&payload, donors: payloads, using: &random)
        }
        return payload
    }

    /// `payload` behind a length prefix: usually its own length, sometimes an edge value.
    private func framed(_ payload: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var length = UInt32(payload.count)
        if random.chance(1, in: 12) {
            let limit = UInt32(maximumFrameBytes)
            length = random.pick([0, 1, length &+ 1, length &- 1, limit, limit + 1, 0x7FFF_FFFF,
                                  0xFFFF_FFFF] + InterestingIntegers.u32)
        }
        return BigEndian.bytes(length) + payload
    }

    public func run(_ input: Input) -> FuzzOutcome {
        let expected = StreamModel(input.stream)
        let delivered: Delivery
        do {
            delivered = try Delivery.collect(input)
        } catch {
            return .violation("could not set up the channel: \(error)")
        }
        if let problem = delivered.mismatch(with: expected) { return .violation(problem) }
        var outcome = FuzzOutcome.accepted(expected.tooLarge ? "frame too large" : "no frame")
        for payload in delivered.payloads {
            let payloadOutcome = PayloadCheck.check(payload)
            if case .violation = payloadOutcome { return payloadOutcome }
            if case .accepted("no frame") = outcome { outcome = payloadOutcome }
        }
        return outcome
    }

    public func size(of input: Input) -> Int { input.stream.count }

    public func describe(_ input: Input) -> String {
        "reads \(input.reads), stream \(Escaping.hex(input.stream))"
    }
}

/// What a plain reading of the stream's length prefixes finds.
struct StreamModel {
    var payloads: [[UInt8]] = []
    /// A prefix over the limit came before the stream ran out.
    var tooLarge = false
    /// Where the oversized prefix starts.
    var tooLargeOffset = 0

    init(_ stream: [UInt8]) {
        var offset = 0
        while stream.count - offset >= 4 {
            let length = Int(BigEndian.u32(stream, at: offset))
            if length > maximumFrameBytes {
                tooLarge = true
                tooLargeOffset = offset
                return
            }
            guard stream.count - offset - 4 >= length else { return }
            payloads.append(Array(stream[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + length
        }
    }
}

/// What the channel delivered when fed the stream read by read.
struct Delivery {
    var payloads: [[UInt8]] = []
    var refusedTooLarge = false
    var otherError: String?
    /// The stream offsets of the read during which the decoder refused the stream.
    var refusedRead = 0..<0

    /// The inbound side of the node's pipeline, with nothing after the framing.
    final class Sink: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
    }

    static func collect(_ input: FrameTarget.Input) throws -> Delivery {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try FrameChannel.configure(channel, handler: Sink())
        var delivery = Delivery()
        var offset = 0
        let reads = input.reads + [input.stream.count - input.reads.reduce(0, +)]
        for read in reads where read > 0 {
            let range = offset..<(offset + read)
            let chunk = channel.allocator.buffer(bytes: input.stream[range])
            offset += read
            do {
                try channel.writeInbound(chunk)
            } catch is FrameTooLarge {
                delivery.refusedTooLarge = true
            } catch {
                delivery.otherError = "\(error)"
            }
            while let frame = try channel.readInbound(as: ByteBuffer.self) {
                delivery.payloads.append(Array(frame.readableBytesView))
            }
            if delivery.refusedTooLarge || delivery.otherError != nil {
                delivery.refusedRead = range
                break
            }
        }
        return delivery
    }

    func mismatch(with expected: StreamModel) -> String? {
        if let otherError { return "the decoder threw \(otherError)" }
        guard payloads == expected.payloads else {
            return "delivered \(payloads.count) frames (sizes \(payloads.map(\.count))), "
                + "the length prefixes describe \(expected.payloads.count) "
                + "(sizes \(expected.payloads.map(\.count)))"
        }
        guard refusedTooLarge == expected.tooLarge else {
            return expected.tooLarge
                ? "a length over \(maximumFrameBytes) at offset \(expected.tooLargeOffset) "
                    + "was not refused"
                : "refused a stream whose frames are all within the limit"
        }
        // Refused in the read that completed its prefix: never after buffering its payload.
        let prefixEnd = expected.tooLargeOffset + 3
        if refusedTooLarge, !refusedRead.contains(prefixEnd) {
            return "the oversized frame whose prefix ends at offset \(prefixEnd) was refused "
                + "during the read of bytes \(refusedRead)"
        }
        return nil
    }
}
