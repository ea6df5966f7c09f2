import Raft
import Testing
import Wire

/// Space-separated lowercase hex, as in docs/PROTOCOL.md.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

@Suite("PeerCodec")
struct PeerCodecTests {
    @Test("every message round-trips", arguments: Samples.cases)
    func roundTrip(sample: Samples.Case) throws {
        let message = sample.message
        let bytes = PeerCodec.encode(message)
        #expect(bytes.count == PeerCodec.encodedSize(of: message))
        #expect(try PeerCodec.decode(bytes) == message)
        // Also through the raw-buffer entry point.
        let viaRaw = try bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) in try PeerCodec.decode(raw) }
        }.get()
        #expect(viaRaw == message)
    }

    @Test("the routing header read from the bytes matches the message", arguments: Samples.cases)
    func routingHeader(sample: Samples.Case) throws {
        let message = sample.message
        let bytes = PeerCodec.encode(message)
        let expected = RoutingHeader(message)
        #expect(expected.from == message.from)
        #expect(expected.to == message.to)
        #expect(expected.term == message.term)
        #expect(expected.entryCount == message.body.entryCount)
        #expect(expected.typeName == message.body.name)

        #expect(try PeerCodec.routingHeader(bytes) == expected)
        // Only the first 16 bytes are read: the header alone is enough, and so is any slice.
        #expect(try PeerCodec.routingHeader(bytes.prefix(PeerCodec.headerSize)) == expected)
        #expect(try PeerCodec.routingHeader(bytes[...]) == expected)
        // A collection without contiguous storage takes the copying path.
        #expect(try PeerCodec.routingHeader(bytes.lazy.map { $0 }) == expected)
    }

    @Test("every sample is labelled")
    func labels() {
        #expect(Samples.labels.count == Samples.all.count)
    }

    @Test("one type code per MessageBody case, named as MessageBody.name")
    func typeCodes() {
        let codes = Samples.messages.map { PeerCodec.typeCode(of: $0.body) }
        #expect(Set(codes) == Set(PeerCodec.typeCodes))
        for message in Samples.messages {
            #expect(PeerCodec.typeName(PeerCodec.typeCode(of: message.body)) == message.body.name)
        }
        let table: [(MessageBody, Int)] = [
            (.preVote(Samples.vote), 1), (.preVoteResponse(.granted), 2), (.vote(Samples.vote), 3),
            (.voteResponse(.granted), 4),
            (.append(AppendRequest(prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0)), 5),
            (.appendResponse(.accepted(matchIndex: 0)), 6), (.heartbeat(commit: 0, readRound: 0), 7),
            (.heartbeatResponse(readRound: 0), 8),
            (.installSnapshot(Snapshot(position: LogPosition(term: 0, index: 0), data: [])), 9),
        ]
        for (body, code) in table {
            #expect(PeerCodec.typeCode(of: body) == UInt8(code))
            #expect(PeerCodec.typeName(UInt8(code)) == body.name)
        }
        #expect(PeerCodec.typeName(0) == "Unknown(0)")
        #expect(PeerCodec.typeName(10) == "Unknown(10)")
    }

    // The byte strings below are the worked examples in docs/PROTOCOL.md.

    @Test("Vote layout is pinned")
    func voteLayout() throws {
        let message = Message(from: 1, to: 2, term: 3, body: .vote(VoteRequest(lastLogIndex: 4, lastLogTerm: 2)))
        let expected = "01 01 02 03 00 00 00 00 00 00 00 03 00 00 00 00 "
            + "00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 02"
        #expect(hex(PeerCodec.encode(message)) == expected)
    }

    @Test("Append layout is pinned")
    func appendLayout() throws {
        let message = Message(from: 1, to: 2, term: 3, body: .append(AppendRequest(
            prevLogIndex: 4, prevLogTerm: 2, entries: [Entry(term: 3, index: 5, kind: .command, data: Array("hi".utf8))],
            leaderCommit: 4)))
        let expected = "01 01 02 05 00 00 00 00 00 00 00 03 00 00 00 01 "
            + "00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 04 "
            + "00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 05 01 00 00 00 02 68 69"
        #expect(hex(PeerCodec.encode(message)) == expected)
    }

    @Test("AppendResp layouts are pinned")
    func appendResponseLayout() throws {
        let accepted = Message(from: 2, to: 1, term: 3, body: .appendResponse(.accepted(matchIndex: 5)))
        #expect(hex(PeerCodec.encode(accepted))
            == "01 02 01 06 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 05")
        let rejected = Message(from: 2, to: 1, term: 3,
                               body: .appendResponse(.rejected(rejectedIndex: 9, hintIndex: 6, hintTerm: 2)))
        #expect(hex(PeerCodec.encode(rejected))
            == "01 02 01 06 00 00 00 00 00 00 00 03 00 00 00 00 01 "
            + "00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00 02")
    }

    @Test("a vote reply's answer reads from its bytes; other messages have none")
    func voteAnswer() {
        let refusal = Message(from: 2, to: 1, term: 3, body: .voteResponse(.refused(.alreadyVoted(for: 3))))
        #expect(PeerCodec.voteAnswer(PeerCodec.encode(refusal)) == .refused(.alreadyVoted(for: 3)))
        let grant = Message(from: 2, to: 1, term: 3, body: .preVoteResponse(.granted))
        #expect(PeerCodec.voteAnswer(PeerCodec.encode(grant)) == .granted)
        #expect(RoutingHeader(grant).isVoteResponse)
        let vote = Message(from: 1, to: 2, term: 3, body: .vote(Samples.vote))
        #expect(PeerCodec.voteAnswer(PeerCodec.encode(vote)) == nil)
        #expect(!RoutingHeader(vote).isVoteResponse)
        // A frame from a node that predates reasons: a bare "refused".
        #expect(PeerCodec.voteAnswer(Array(PeerCodec.encode(grant).dropLast()) + [0]) == .refused(.unstated))
    }

    @Test("small bodies are pinned")
    func smallLayouts() throws {
        func bodyHex(_ body: MessageBody) -> String {
            hex(PeerCodec.encode(Message(from: 1, to: 2, term: 3, body: body)).dropFirst(PeerCodec.headerSize))
        }
        #expect(bodyHex(.voteResponse(.granted)) == "01")
        #expect(bodyHex(.preVoteResponse(.refused(.unstated))) == "00")
        #expect(bodyHex(.voteResponse(.refused(.staleTerm))) == "00 01")
        #expect(bodyHex(.voteResponse(.refused(.logBehind))) == "00 02")
        #expect(bodyHex(.voteResponse(.refused(.alreadyVoted(for: 3)))) == "00 03 03")
        #expect(bodyHex(.preVoteResponse(.refused(.hasLeader(2)))) == "00 04 02")
        #expect(bodyHex(.preVoteResponse(.refused(.leaderLease(1)))) == "00 05 01")
        #expect(bodyHex(.heartbeat(commit: 4, readRound: 1))
            == "00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 01")
        #expect(bodyHex(.heartbeatResponse(readRound: 1)) == "00 00 00 00 00 00 00 01")
        #expect(bodyHex(.installSnapshot(Snapshot(position: LogPosition(term: 2, index: 4), data: [0x7B, 0x7D])))
            == "00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 02 00 00 00 02 7b 7d")
    }
}
