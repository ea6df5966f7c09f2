import Raft
import Services
import Testing
import Wire

/// A frame with its JSON body exactly as `Frame.encoded()` writes it. These are the examples in
/// docs/PROTOCOL.md: if the encoding changes, this test fails and the document must change with it.
struct JSONExample: Sendable, CustomTestStringConvertible {
    var label: String
    var frame: Frame
    var json: String
    var testDescription: String { label }
}

enum FrameSamples {
    static let json: [JSONExample] = [
        JSONExample(
            label: "clientRequest put",
            frame: .clientRequest(ClientRequestFrame(requestID: 1, session: ClientSession(clientID: 7, sequence: 3),
                                                     operation: .write(.put(key: "x", value: "1")))),
            json: #"{"operation":{"write":{"_0":{"put":{"key":"x","value":"1"}}}},"requestID":1,"session":{"clientID":7,"sequence":3}}"#),
        JSONExample(
            label: "clientRequest delete",
            frame: .clientRequest(ClientRequestFrame(requestID: 2, session: ClientSession(clientID: 7, sequence: 4),
                                                     operation: .write(.delete(key: "x")))),
            json: #"{"operation":{"write":{"_0":{"delete":{"key":"x"}}}},"requestID":2,"session":{"clientID":7,"sequence":4}}"#),
        JSONExample(
            label: "clientRequest compareAndSwap",
            frame: .clientRequest(ClientRequestFrame(requestID: 3, session: ClientSession(clientID: 7, sequence: 5),
                                                     operation: .write(.compareAndSwap(key: "x", expected: "1", new: "2")))),
            json: #"{"operation":{"write":{"_0":{"compareAndSwap":{"expected":"1","key":"x","new":"2"}}}},"requestID":3,"session":{"clientID":7,"sequence":5}}"#),
        JSONExample(
            label: "clientRequest read",
            frame: .clientRequest(ClientRequestFrame(requestID: 4, session: nil, operation: .read(key: "x"))),
            json: #"{"operation":{"read":{"key":"x"}},"requestID":4}"#),
        JSONExample(
            label: "clientRequest staleRead",
            frame: .clientRequest(ClientRequestFrame(requestID: 5, session: nil, operation: .staleRead(key: "x"))),
            json: #"{"operation":{"staleRead":{"key":"x"}},"requestID":5}"#),
        JSONExample(
            label: "clientRequest with a slash and escapes",
            frame: .clientRequest(ClientRequestFrame(requestID: 6, session: nil,
                                                     operation: .write(.put(key: "a/b", value: "é\"\n")))),
            json: "{\"operation\":{\"write\":{\"_0\":{\"put\":{\"key\":\"a\\/b\",\"value\":\"é\\\"\\n\"}}}},\"requestID\":6}"),
        JSONExample(
            label: "clientResponse ok after a write",
            frame: .clientResponse(ClientResponseFrame(requestID: 1, outcome: .ok(value: nil, index: 12))),
            json: #"{"outcome":{"ok":{"index":12}},"requestID":1}"#),
        JSONExample(
            label: "clientResponse ok with a value",
            frame: .clientResponse(ClientResponseFrame(requestID: 4, outcome: .ok(value: "1", index: 12))),
            json: #"{"outcome":{"ok":{"index":12,"value":"1"}},"requestID":4}"#),
        JSONExample(
            label: "clientResponse compareFailed",
            frame: .clientResponse(ClientResponseFrame(requestID: 3, outcome: .compareFailed(current: "5"))),
            json: #"{"outcome":{"compareFailed":{"current":"5"}},"requestID":3}"#),
        JSONExample(
            label: "clientResponse compareFailed, key absent",
            frame: .clientResponse(ClientResponseFrame(requestID: 3, outcome: .compareFailed(current: nil))),
            json: #"{"outcome":{"compareFailed":{}},"requestID":3}"#),
        JSONExample(
            label: "clientResponse notLeader",
            frame: .clientResponse(ClientResponseFrame(requestID: 1, outcome: .notLeader(leaderHint: 2))),
            json: #"{"outcome":{"notLeader":{"leaderHint":2}},"requestID":1}"#),
        JSONExample(
            label: "clientResponse notLeader, leader unknown",
            frame: .clientResponse(ClientResponseFrame(requestID: 1, outcome: .notLeader(leaderHint: nil))),
            json: #"{"outcome":{"notLeader":{}},"requestID":1}"#),
        JSONExample(
            label: "clientResponse unknown",
            frame: .clientResponse(ClientResponseFrame(requestID: 1, outcome: .unknown(reason: "leadership lost"))),
            json: #"{"outcome":{"unknown":{"reason":"leadership lost"}},"requestID":1}"#),
        JSONExample(
            label: "clientResponse failed",
            frame: .clientResponse(ClientResponseFrame(requestID: 1, outcome: .failed(reason: "stale sequence"))),
            json: #"{"outcome":{"failed":{"reason":"stale sequence"}},"requestID":1}"#),
        JSONExample(
            label: "state of a leader",
            frame: .state(NodeStateFrame(
                id: 1, role: .leader, term: 3, votedFor: 1, leader: 1, commitIndex: 12, appliedIndex: 12,
                firstIndex: 1, lastIndex: 12, snapshotIndex: 0,
                logTail: [.init(index: 11, term: 3, text: "noop"), .init(index: 12, term: 3, text: "put x=1")],
                keyCount: 1, sample: ["x": "1"],
                followers: [.init(node: 2, match: 12, next: 13, mode: .replicate),
                            .init(node: 3, match: 0, next: 1, mode: .probe)],
                pace: "100ms/tick", frozen: false)),
            json: #"{"appliedIndex":12,"commitIndex":12,"firstIndex":1,"followers":[{"match":12,"mode":"replicate","next":13,"node":2},{"match":0,"mode":"probe","next":1,"node":3}],"frozen":false,"id":1,"keyCount":1,"lastIndex":12,"leader":1,"logTail":[{"index":11,"term":3,"text":"noop"},{"index":12,"term":3,"text":"put x=1"}],"pace":"100ms\/tick","role":"leader","sample":{"x":"1"},"snapshotIndex":0,"term":3,"votedFor":1}"#),
        JSONExample(
            label: "state of a frozen follower",
            frame: .state(NodeStateFrame(
                id: 2, role: .follower, term: 3, votedFor: nil, leader: nil, commitIndex: 0, appliedIndex: 0,
                firstIndex: 1, lastIndex: 0, snapshotIndex: 0, logTail: [], keyCount: 0, sample: [:],
                followers: [], pace: "100ms/tick", frozen: true)),
            json: #"{"appliedIndex":0,"commitIndex":0,"firstIndex":1,"followers":[],"frozen":true,"id":2,"keyCount":0,"lastIndex":0,"logTail":[],"pace":"100ms\/tick","role":"follower","sample":{},"snapshotIndex":0,"term":3}"#),
        JSONExample(
            label: "event without index",
            frame: .event(NodeEventFrame(kind: .role, text: "became leader in term 3", term: 3)),
            json: #"{"kind":"role","term":3,"text":"became leader in term 3"}"#),
        JSONExample(
            label: "event with index",
            frame: .event(NodeEventFrame(kind: .commit, text: "applied through 12", term: 3, index: 12)),
            json: #"{"index":12,"kind":"commit","term":3,"text":"applied through 12"}"#),
        JSONExample(label: "control pace", frame: .control(.pace(tickMs: 100)), json: #"{"pace":{"tickMs":100}}"#),
        JSONExample(label: "control freeze", frame: .control(.freeze), json: #"{"freeze":{}}"#),
        JSONExample(label: "control thaw", frame: .control(.thaw), json: #"{"thaw":{}}"#),
        JSONExample(label: "control campaign", frame: .control(.campaign), json: #"{"campaign":{}}"#),
        JSONExample(label: "control shutdown", frame: .control(.shutdown), json: #"{"shutdown":{}}"#),
        JSONExample(label: "error", frame: .error(ErrorFrame(message: "unknown frame kind 9")),
                    json: #"{"message":"unknown frame kind 9"}"#),
    ]

    static let frames: [Frame] = Samples.messages.map(Frame.peer) + json.map(\.frame)
}

@Suite("Frames")
struct FrameTests {
    @Test("every FrameKind has samples")
    func everyKindCovered() {
        let kinds = Set(FrameSamples.frames.map(\.kind))
        #expect(kinds == Set(FrameKind.allCases))
    }

    @Test("frames round-trip", arguments: FrameKind.allCases)
    func roundTrip(kind: FrameKind) throws {
        for frame in FrameSamples.frames where frame.kind == kind {
            let bytes = frame.encoded()
            #expect(bytes.first == kind.rawValue)
            #expect(try Frame(decoding: bytes) == frame)
            // A slice not starting at index 0 decodes too.
            let padded = [0xEE] + bytes
            #expect(try Frame(decoding: padded.dropFirst()) == frame)
            // Read in place from raw memory, as a node reads a NIO buffer.
            #expect(try padded.withUnsafeBytes { try Frame(decoding: UnsafeRawBufferPointer(rebasing: $0.dropFirst())) }
                    == frame)
        }
    }

    @Test("a peer frame is the kind byte then the PeerCodec bytes")
    func peerFrameLayout() throws {
        let message = Samples.messages[3]
        let bytes = Frame.peer(message).encoded()
        #expect(bytes == [FrameKind.peer.rawValue] + PeerCodec.encode(message))
        #expect(try PeerCodec.routingHeader(bytes.dropFirst()) == RoutingHeader(message))
    }

    @Test("JSON bodies are exactly as documented", arguments: FrameSamples.json)
    func documentedJSON(example: JSONExample) throws {
        let bytes = example.frame.encoded()
        #expect(String(decoding: bytes.dropFirst(), as: UTF8.self) == example.json)
        // And the documented text decodes to the frame.
        #expect(try Frame(decoding: [example.frame.kind.rawValue] + Array(example.json.utf8)) == example.frame)
    }

    @Test("a command entry's data is ServiceCommand JSON, as documented")
    func commandEntryData() {
        let command = ServiceCommand(session: ClientSession(clientID: 7, sequence: 3), operation: .put(key: "x", value: "1"))
        #expect(String(decoding: command.encoded(), as: UTF8.self)
            == #"{"operation":{"put":{"key":"x","value":"1"}},"session":{"clientID":7,"sequence":3}}"#)
    }

    @Test("frame kind codes are as documented")
    func kindCodes() {
        #expect(FrameKind.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6, 7])
        #expect(hex(Frame.control(.campaign).encoded()) == "06 7b 22 63 61 6d 70 61 69 67 6e 22 3a 7b 7d 7d")
    }

    @Test("hand-written JSON a socket tool might send decodes")
    func handWritten() throws {
        // Whitespace, key order and absent optionals are all fine; unknown keys are ignored.
        let request = try Frame(decoding: [2] + Array(#"{ "requestID": 9, "operation": { "read": { "key": "x" } } }"#.utf8))
        #expect(request == .clientRequest(ClientRequestFrame(requestID: 9, session: nil, operation: .read(key: "x"))))
        let freeze = try Frame(decoding: [6] + Array(#"{"freeze":{"extra":1}}"#.utf8))
        #expect(freeze == .control(.freeze))
    }

    @Test("malformed frames throw")
    func malformed() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("kind 0", [0]),
            ("kind 8", [8, 0x7B, 0x7D]),
            ("kind 255", [255]),
            ("peer with no body", [1]),
            ("peer truncated", Array(Frame.peer(Samples.messages[0]).encoded().dropLast())),
            ("clientRequest with no body", [2]),
            ("clientRequest not JSON", [2] + Array("hello".utf8)),
            ("clientRequest missing requestID", [2] + Array(#"{"operation":{"read":{"key":"x"}}}"#.utf8)),
            ("clientRequest negative requestID", [2] + Array(#"{"requestID":-1,"operation":{"read":{"key":"x"}}}"#.utf8)),
            ("clientRequest unknown operation", [2] + Array(#"{"requestID":1,"operation":{"scan":{}}}"#.utf8)),
            ("clientRequest write without _0", [2] + Array(#"{"requestID":1,"operation":{"write":{"put":{"key":"x","value":"1"}}}}"#.utf8)),
            ("clientResponse empty object", [3] + Array("{}".utf8)),
            ("state missing fields", [4] + Array(#"{"id":1}"#.utf8)),
            ("event wrong type", [5] + Array(#"{"kind":1,"text":"x","term":1}"#.utf8)),
            ("control pace without tickMs", [6] + Array(#"{"pace":{}}"#.utf8)),
            ("control as a bare string", [6] + Array(#""freeze""#.utf8)),
            ("control freeze: true", [6] + Array(#"{"freeze":true}"#.utf8)),
            ("control two cases", [6] + Array(#"{"freeze":{},"thaw":{}}"#.utf8)),
            ("error not an object", [7] + Array("[]".utf8)),
            ("invalid UTF-8", [7] + [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]),
        ]
        for (label, bytes) in cases {
            #expect(throws: WireError.self, Comment(rawValue: label)) { try Frame(decoding: bytes) }
            // From raw memory: the very same error.
            let fromCollection = Result { () throws(WireError) in try Frame(decoding: bytes) }
            let fromRaw = bytes.withUnsafeBytes { raw in Result { () throws(WireError) in try Frame(decoding: raw) } }
            #expect("\(fromRaw)" == "\(fromCollection)", Comment(rawValue: label))
        }
    }
}
