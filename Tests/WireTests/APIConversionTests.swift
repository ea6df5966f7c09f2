import ClusterAPI
import Foundation
import Raft
import Testing
import Wire

/// Wire is where the Raft core's values and ClusterAPI's meet: each conversion must lose nothing and
/// keep the JSON journals already hold.
@Suite("Raft ↔ ClusterAPI")
struct APIConversionTests {
    static let answers: [VoteAnswer] = [
        .granted, .refused(.staleTerm), .refused(.logBehind), .refused(.alreadyVoted(for: 3)),
        .refused(.hasLeader(2)), .refused(.leaderLease(1)), .refused(.unstated),
    ]

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("a vote answer survives the round trip and encodes as the core's did", arguments: answers)
    func voteAnswerRoundTrip(answer: VoteAnswer) throws {
        let reply = VoteReply(answer)
        #expect(VoteAnswer(reply) == answer)
        #expect(try Self.json(reply) == Self.json(answer))
        // A journal written with the core's answer reads back as the console's.
        let decoded = try JSONDecoder().decode(VoteReply.self, from: Data(try Self.json(answer).utf8))
        #expect(decoded == reply)
        #expect(reply.isGranted == answer.isGranted)
        if case .refused(let refusal) = answer, case .refused(let shown) = reply {
            #expect(shown.label == refusal.label)
        }
    }

    @Test("the journal's vote JSON is pinned")
    func voteJSON() throws {
        #expect(try Self.json(VoteReply.granted) == #"{"granted":{}}"#)
        #expect(try Self.json(VoteReply.refused(.alreadyVoted(for: 3)))
            == #"{"refused":{"_0":{"alreadyVoted":{"for":3}}}}"#)
        #expect(try Self.json(VoteReply.refused(.leaderLease(1))) == #"{"refused":{"_0":{"leaderLease":{"_0":1}}}}"#)
    }

    @Test("a vote reply read from a message's bytes is the answer it carries", arguments: Samples.cases)
    func voteReplyFromBytes(sample: Samples.Case) {
        let bytes = PeerCodec.encode(sample.message)
        #expect(PeerCodec.voteReply(bytes) == sample.message.body.voteAnswer.map(VoteReply.init))
    }

    @Test("every body has one message type, with the body's name")
    func messageTypes() {
        let types = Samples.messages.map { PeerMessageType($0.body) }
        #expect(Set(types) == Set(PeerMessageType.allCases))
        for message in Samples.messages {
            let type = PeerMessageType(message.body)
            #expect(type.name == message.body.name)
            #expect(type.isVoteResponse == (message.body.voteAnswer != nil))
            #expect(RoutingHeader(message).type == type)
        }
        #expect(PeerMessageType.allCases.filter(\.isHeartbeat).map(\.name) == ["Heartbeat", "HeartbeatResp"])
    }
}
