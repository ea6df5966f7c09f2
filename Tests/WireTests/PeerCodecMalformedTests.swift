#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Raft
import Testing
import Wire

/// Decodes through the raw-buffer entry point, with no copy of the input.
private func decodeRaw(_ bytes: ArraySlice<UInt8>) throws(WireError) -> Message {
    try bytes.withUnsafeBytes { raw in Result { () throws(WireError) in try PeerCodec.decode(raw) } }.get()
}

/// The error `body` throws, or nil (and an issue) when it does not throw.
private func wireError(_ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws(WireError) -> Message) -> WireError? {
    do {
        let message = try body()
        Issue.record("expected a WireError, decoded \(message)", sourceLocation: sourceLocation)
        if let comment { Issue.record(comment, sourceLocation: sourceLocation) }
        return nil
    } catch {
        return error
    }
}

private func setU32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
}

private func setU64(_ bytes: inout [UInt8], at offset: Int, _ value: UInt64) {
    for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * i)) }
}

private func message(_ body: MessageBody) -> Message {
    Message(from: 1, to: 2, term: 3, body: body)
}

@Suite("PeerCodec malformed input")
struct PeerCodecMalformedTests {
    @Test("truncated at every length", arguments: Samples.cases)
    func truncated(sample: Samples.Case) throws {
        let bytes = PeerCodec.encode(sample.message)
        let header = RoutingHeader(sample.message)
        for length in 0..<bytes.count {
            let prefix = bytes[..<length]
            if header.isVoteResponse && length == PeerCodec.headerSize + 1 && bytes[length - 1] == 0 {
                // The one prefix that decodes: a refusal cut to its first byte is the bare refusal
                // nodes sent before refusals had reasons.
                #expect(try decodeRaw(prefix).body.voteAnswer == .refused(.unstated))
                continue
            }
            #expect(throws: WireError.self, "prefix of \(length) of \(bytes.count) bytes") {
                try decodeRaw(prefix)
            }
            if bytes.count < 1_000 {
                #expect(throws: WireError.self, "prefix of \(length) of \(bytes.count) bytes") {
                    try PeerCodec.decode(Array(prefix))
                }
            }
            if length < PeerCodec.headerSize {
                #expect(throws: WireError.self) { try PeerCodec.routingHeader(prefix) }
            } else {
                #expect(try PeerCodec.routingHeader(prefix) == header)
            }
        }
        #expect(try decodeRaw(bytes[...]) == sample.message)
    }

    @Test("trailing bytes", arguments: Samples.cases)
    func trailing(sample: Samples.Case) throws {
        let bytes = PeerCodec.encode(sample.message)
        for extra in [[0], [1, 2, 3], Array(repeating: UInt8(0), count: 21)] as [[UInt8]] {
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes + extra) }
            // After a bare refusal, the first extra byte is read as a reason, refused for what it holds.
            let bareRefusal = sample.message.body.voteAnswer == .refused(.unstated)
            let expected = bareRefusal ? ["refusal reason", "trailing"] : ["trailing"]
            let description = error?.description ?? ""
            #expect(expected.contains { description.contains($0) }, "\(description)")
        }
        // The header alone is still readable.
        #expect(try PeerCodec.routingHeader(bytes + [0]) == RoutingHeader(sample.message))
    }

    @Test("bad version")
    func badVersion() {
        for version: UInt8 in [0, 2, 0x7F, 0xFF] {
            var bytes = PeerCodec.encode(Samples.messages[0])
            bytes[0] = version
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description == "unsupported peer message version \(version) (expected 1)")
            #expect(throws: WireError.self) { try PeerCodec.routingHeader(bytes) }
        }
    }

    @Test("node id 0")
    func nodeIDZero() {
        for offset in [1, 2] {
            var bytes = PeerCodec.encode(Samples.messages[0])
            bytes[offset] = 0
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description.contains("node id 0") == true)
            #expect(throws: WireError.self) { try PeerCodec.routingHeader(bytes) }
        }
    }

    @Test("unknown message type")
    func unknownType() {
        for type: UInt8 in [0, 10, 0x80, 0xFF] {
            var bytes = PeerCodec.encode(Samples.messages[0])
            bytes[3] = type
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description == "unknown message type \(type)")
            #expect(throws: WireError.self) { try PeerCodec.routingHeader(bytes) }
        }
    }

    @Test("numbers beyond Int.max")
    func outOfRange() {
        // The header's term.
        var bytes = PeerCodec.encode(message(.heartbeat(commit: 1, readRound: 2)))
        setU64(&bytes, at: 4, UInt64(Int.max) + 1)
        #expect(throws: WireError.self) { try PeerCodec.decode(bytes) }
        #expect(throws: WireError.self) { try PeerCodec.routingHeader(bytes) }
        // Each u64 of a body.
        for offset in [16, 24] {
            var bytes = PeerCodec.encode(message(.heartbeat(commit: 1, readRound: 2)))
            setU64(&bytes, at: offset, .max)
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description.contains("out of range") == true)
        }
    }

    @Test("bools other than 0 and 1")
    func badBool() {
        for body in [MessageBody.voteResponse(.granted), .preVoteResponse(.refused(.logBehind))] {
            for value: UInt8 in [2, 0xFF] {
                var bytes = PeerCodec.encode(message(body))
                bytes[16] = value
                let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
                #expect(error?.description == "granted: \(value) is not a bool (0 or 1)")
            }
        }
    }

    @Test("bad vote refusals: unknown reason, node id 0, missing node, bytes after a grant")
    func badRefusal() {
        let header = Array(PeerCodec.encode(message(.voteResponse(.granted))).prefix(PeerCodec.headerSize))
        let cases: [([UInt8], String)] = [
            ([0, 0], "refusal reason: unknown code 0 (1…5)"),
            ([0, 6], "refusal reason: unknown code 6 (1…5)"),
            ([0, 3, 0], "refusal node: node id 0 (ids are 1...255)"),
            ([0, 5], "truncated: refusal node needs 1 bytes at offset 18, 0 left"),
            ([1, 2], "VoteResp: 1 trailing bytes after the body"),
            ([0, 2, 7], "VoteResp: 1 trailing bytes after the body"),
        ]
        for (body, expected) in cases {
            let error = wireError { () throws(WireError) in try PeerCodec.decode(header + body) }
            #expect(error?.description == expected, "body \(body)")
        }
    }

    @Test("bad AppendResp tag")
    func badTag() {
        for value: UInt8 in [2, 0xFF] {
            var bytes = PeerCodec.encode(message(.appendResponse(.accepted(matchIndex: 4))))
            bytes[16] = value
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description == "AppendResp: unknown tag \(value) (0 accepted, 1 rejected)")
        }
        // Tag 1 with the accepted body is too short; tag 0 with the rejected body has trailing bytes.
        var accepted = PeerCodec.encode(message(.appendResponse(.accepted(matchIndex: 4))))
        accepted[16] = 1
        #expect(throws: WireError.self) { try PeerCodec.decode(accepted) }
        var rejected = PeerCodec.encode(message(.appendResponse(.rejected(rejectedIndex: 4, hintIndex: 2, hintTerm: 1))))
        rejected[16] = 0
        #expect(throws: WireError.self) { try PeerCodec.decode(rejected) }
    }

    @Test("bad entry kind")
    func badEntryKind() {
        let entry = Entry(term: 3, index: 5, kind: .command, data: [1])
        var bytes = PeerCodec.encode(message(.append(AppendRequest(prevLogIndex: 4, prevLogTerm: 2, entries: [entry],
                                                                   leaderCommit: 4))))
        // header 16 + three u64 24 + term and index 16 = the kind byte at 56.
        #expect(bytes[56] == 1)
        bytes[56] = 2
        let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
        #expect(error?.description == "Append: entry 0 has unknown kind 2")
    }

    @Test("entryCount that does not match")
    func entryCountMismatch() throws {
        let entries = [Entry(term: 3, index: 5, data: [1, 2]), Entry(term: 3, index: 6, kind: .noop)]
        let append = PeerCodec.encode(message(.append(AppendRequest(prevLogIndex: 4, prevLogTerm: 2, entries: entries,
                                                                    leaderCommit: 4))))
        for count: UInt32 in [0, 1, 3, 4, 1_000, .max] {
            var bytes = append
            setU32(&bytes, at: 12, count)
            #expect(throws: WireError.self, "entryCount \(count)") { try PeerCodec.decode(bytes) }
            // The header is self-consistent, so routing still reads it.
            #expect(try PeerCodec.routingHeader(bytes).entryCount == Int(count))
        }
        // Only Append carries entries.
        for body in [MessageBody.heartbeat(commit: 1, readRound: 0), .vote(Samples.vote),
                     .appendResponse(.accepted(matchIndex: 1))] {
            var bytes = PeerCodec.encode(message(body))
            setU32(&bytes, at: 12, 1)
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description == "\(body.name) with entryCount 1 (only Append carries entries)")
            #expect(throws: WireError.self) { try PeerCodec.routingHeader(bytes) }
        }
    }

    @Test("length fields beyond the buffer")
    func oversizedLengths() {
        // An empty append claiming 4 billion entries: refused before anything is allocated.
        var hugeCount = PeerCodec.encode(message(.append(AppendRequest(prevLogIndex: 0, prevLogTerm: 0, entries: [],
                                                                       leaderCommit: 0))))
        setU32(&hugeCount, at: 12, .max)
        let countError = wireError { () throws(WireError) in try PeerCodec.decode(hugeCount) }
        #expect(countError?.description.hasPrefix("Append: entryCount 4294967295 needs at least") == true)

        // An entry whose data length runs past the end.
        let entry = Entry(term: 3, index: 5, data: [1, 2, 3])
        let append = PeerCodec.encode(message(.append(AppendRequest(prevLogIndex: 4, prevLogTerm: 2, entries: [entry],
                                                                     leaderCommit: 4))))
        for length: UInt32 in [4, 1 << 20, .max] {
            var bytes = append
            setU32(&bytes, at: 57, length)
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description.hasPrefix("entry data: length \(length) at offset 57 runs past the end") == true,
                    "\(error?.description ?? "")")
        }
        // A snapshot whose data length runs past the end.
        let snapshot = PeerCodec.encode(message(.installSnapshot(Snapshot(position: LogPosition(term: 2, index: 4),
                                                                         data: [1, 2]))))
        for length: UInt32 in [3, .max] {
            var bytes = snapshot
            setU32(&bytes, at: 32, length)
            let error = wireError { () throws(WireError) in try PeerCodec.decode(bytes) }
            #expect(error?.description.hasPrefix("snapshot data: length \(length) at offset 32 runs past the end") == true,
                    "\(error?.description ?? "")")
        }
    }

    /// Random and mutated inputs must throw or decode to a message that re-encodes to the same bytes
    /// (the encoding is canonical), and the routing header must agree with the decoded message.
    /// Replay a failure with WIRE_FUZZ_SEED=<seed>.
    @Test("random and mutated bytes never crash")
    func fuzz() {
        let seed: UInt64 = getenv("WIRE_FUZZ_SEED").flatMap { UInt64(String(cString: $0)) } ?? 0xC1A5_7E4D_EC0D_E001
        print("PeerCodec fuzz seed \(seed) (replay with WIRE_FUZZ_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        let valid = Samples.small.map(PeerCodec.encode)
        var decoded = 0
        var failures = 0
        for iteration in 0..<20_000 {
            var bytes: [UInt8]
            switch iteration % 4 {
            case 0:
                // Pure noise.
                bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:
                // A plausible header (version 1, ids and type in range, small count) then noise.
                bytes = [1, UInt8.random(in: 1...255, using: &random), UInt8.random(in: 1...255, using: &random),
                         UInt8.random(in: 1...9, using: &random)]
                bytes += [0, 0, 0, 0, 0, 0, 0, UInt8.random(in: 0...255, using: &random)]
                bytes += [0, 0, 0, UInt8.random(in: 0...3, using: &random)]
                bytes += (0..<Int.random(in: 0...120, using: &random)).map { _ in
                    // Mostly small bytes, so lengths and tags are often in range.
                    Bool.random(using: &random) ? 0 : UInt8.random(in: 0...255, using: &random)
                }
            default:
                // A valid encoding with a few bytes changed, inserted or removed.
                bytes = valid[Int.random(in: 0..<valid.count, using: &random)]
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let position = Int.random(in: 0...bytes.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
                    case 1 where position < bytes.count: bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &random)
                    case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                    default: if position < bytes.count { bytes.remove(at: position) }
                    }
                }
            }
            let header = try? PeerCodec.routingHeader(bytes)
            do {
                let message = try PeerCodec.decode(bytes)
                decoded += 1
                if PeerCodec.encode(message) != bytes || header != RoutingHeader(message) {
                    failures += 1
                    let text = "seed \(seed) iteration \(iteration): \(hex(bytes)) decoded to \(message), "
                        + "which does not re-encode to the same bytes or header"
                    Issue.record(Comment(rawValue: text))
                }
            } catch {
                // Throwing is the expected outcome for most inputs.
            }
            if failures >= 5 { break }
        }
        // Enough inputs were valid for the property to mean something.
        #expect(decoded > 100, "seed \(seed): only \(decoded) inputs decoded")
    }
}
