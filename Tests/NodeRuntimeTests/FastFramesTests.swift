import Foundation
@testable import NodeRuntime
import Raft
import Services
import Testing
import Wire

/// The node's hand-written JSON must be exactly what Foundation's coder reads and writes, and must
/// step aside (nil) for everything else; so must the log command's (`Services.CommandCodec`), whose
/// bytes every replica stores and hashes.
@Suite("FastFrames and CommandCodec")
struct FastFramesTests {
    static let plainValues = ["", "v", "hello world", String(repeating: "x", count: 1_000),
                              "key-15-999", "a:b;c=d,e[f]{g}~!@#$%^&*()_+-=?<>|'`"]
    static let escapedValues = ["quote\"d", "back\\slash", "sl/ash", "tab\there", "new\nline",
                                "ünïcödé", "emoji 🎉", "\u{7F}del", "\u{01}"]

    private func requestPayload(key: String, value: String, id: UInt64 = 42,
                                session: ClientSession = ClientSession(clientID: 7, sequence: 3))
        -> [UInt8] {
        let frame = Frame.clientRequest(ClientRequestFrame(
            requestID: id, session: session, operation: .write(.put(key: key, value: value))))
        return Array(frame.encoded().dropFirst())
    }

    private func fastRequest(_ body: [UInt8]) -> ClientRequestFrame? {
        body.withUnsafeBytes { FastFrames.clientRequest($0) }
    }

    @Test("a put request the console encodes decodes to the same frame", arguments: plainValues)
    func requestRoundTrip(value: String) throws {
        let session = ClientSession(clientID: UInt64.max, sequence: 0)
        let body = requestPayload(key: "k-\(value.count)", value: value, id: 9_999, session: session)
        let expected = try JSONDecoder().decode(ClientRequestFrame.self, from: Data(body))
        #expect(fastRequest(body) == expected)
    }

    @Test("strings JSON escapes, other shapes and other operations fall back",
          arguments: escapedValues)
    func requestFallsBack(value: String) {
        #expect(fastRequest(requestPayload(key: "k", value: value)) == nil)
        #expect(fastRequest(requestPayload(key: value, value: "v")) == nil)
    }

    @Test("malformed or reordered input is never read by the fast path")
    func requestRejectsOtherShapes() {
        let canonical = String(decoding: requestPayload(key: "k", value: "v"), as: UTF8.self)
        let variants = [
            "", "{}", canonical + " ", " " + canonical, String(canonical.dropLast()),
            canonical.replacingOccurrences(of: "\"requestID\":42", with: "\"requestID\":042"),
            canonical.replacingOccurrences(of: "\"requestID\":42", with: "\"requestID\":-42"),
            canonical.replacingOccurrences(of: "\"requestID\":42", with: "\"requestID\":4.2"),
            canonical.replacingOccurrences(of: "\"requestID\":42", with: "\"requestID\":1e3"),
            canonical.replacingOccurrences(of: "\"requestID\":42",
                                           with: "\"requestID\":18446744073709551616"),
            #"{"requestID":42,"session":{"clientID":7,"sequence":3},"operation":{"write":{"_0":"#
                + #"{"put":{"key":"k","value":"v"}}}}}"#,
        ]
        for variant in variants {
            #expect(fastRequest(Array(variant.utf8)) == nil, "\(variant)")
        }
        let fenced = Frame.clientRequest(ClientRequestFrame(
            requestID: 1, session: ClientSession(clientID: 1, sequence: 1),
            operation: .write(.put(key: "k", value: "v", fence: 3))))
        #expect(fastRequest(Array(fenced.encoded().dropFirst())) == nil)
    }

    @Test("an ok answer is encoded byte for byte as the frame encoder does")
    func okResponseBytes() {
        for value in Self.plainValues.map(Optional.some) + [nil] {
            let outcome = ClientResponseFrame.Outcome.ok(value: value, index: 1_234)
            let general = Frame.clientResponse(ClientResponseFrame(requestID: 88, outcome: outcome))
            #expect(FastFrames.okResponse(requestID: 88, value: value, index: 1_234)
                == general.encoded())
        }
        for value in Self.escapedValues {
            #expect(FastFrames.okResponse(requestID: 1, value: value, index: 1) == nil)
        }
    }

    // MARK: Log commands (Services.CommandCodec)

    /// What the general coder writes, bypassing the fast path.
    private func general(_ command: ServiceCommand) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(command))
    }

    /// Every fast shape, with and without a session.
    static let fastCommands: [ServiceCommand] = {
        let operations: [ServiceOperation] = [
            .kv(.put(key: "key-1", value: "hello world")), .kv(.put(key: "k", value: "", fence: 0)),
            .kv(.put(key: "k", value: "v", fence: 12_345)), .kv(.delete(key: "x")),
            .kv(.compareAndSwap(key: "x", expected: "", new: "c1-9")),
            .lock(.acquire(lock: "L0", client: UInt64.max, ttlMs: 1_500)), .lock(.release(lock: "L", client: 7)),
            .renew(client: 3), .clock(nowMs: 0), .clock(nowMs: Int.max),
        ]
        let sessions: [ClientSession?] = [nil, ClientSession(clientID: 123_456_789, sequence: 77)]
        return operations.flatMap { operation in
            sessions.map { ServiceCommand(session: $0, operation: operation) }
        }
    }()

    @Test("fast log commands are encoded byte for byte as JSONEncoder does, and decode back",
          arguments: fastCommands)
    func commandBytes(command: ServiceCommand) throws {
        let fast = try #require(CommandCodec.encode(command))
        #expect(fast == (try general(command)))
        #expect(CommandCodec.decode(fast) == command)
        #expect(ServiceCommand(encoded: fast) == command)
    }

    @Test("a put of any plain value takes the fast path", arguments: plainValues)
    func plainPut(value: String) throws {
        let command = ServiceCommand(session: ClientSession(clientID: 1, sequence: 2),
                                     operation: .kv(.put(key: "key-\(value.count)", value: value)))
        #expect(CommandCodec.encode(command) == (try general(command)))
    }

    @Test("commands with escapes, elections or negative numbers use the general coder",
          arguments: escapedValues)
    func commandFallsBack(value: String) throws {
        let session = ClientSession(clientID: 1, sequence: 1)
        let commands = [
            ServiceCommand(session: session, operation: .kv(.put(key: "k", value: value))),
            ServiceCommand(session: session, operation: .kv(.put(key: value, value: "v"))),
            ServiceCommand(session: session, operation: .kv(.delete(key: value))),
            ServiceCommand(session: session, operation: .kv(.compareAndSwap(key: "k", expected: value, new: "n"))),
            ServiceCommand(session: session, operation: .lock(.acquire(lock: value, client: 1, ttlMs: 5))),
            ServiceCommand(session: session, operation: .kv(.put(key: "k", value: "v", fence: -2))),
            ServiceCommand(session: session, operation: .lock(.acquire(lock: "L", client: 1, ttlMs: -5))),
            ServiceCommand(session: nil, operation: .clock(nowMs: -1)),
            ServiceCommand(session: session, operation: .election(.campaign(name: "e", client: 1, value: "v",
                                                                            ttlMs: 5))),
            ServiceCommand(session: session, operation: .election(.resign(name: "e", client: 1))),
        ]
        for command in commands {
            #expect(CommandCodec.encode(command) == nil)
            let bytes = try general(command)
            #expect(CommandCodec.decode(bytes) == nil)
            #expect(ServiceCommand(encoded: bytes) == command)
        }
    }

    @Test("the decoder refuses trailing bytes, a missing brace and unknown operations")
    func commandDecoderRejects() throws {
        let bytes = try general(ServiceCommand(session: nil, operation: .renew(client: 4)))
        #expect(CommandCodec.decode(bytes + Array(" ".utf8)) == nil)
        #expect(CommandCodec.decode(Array(bytes.dropLast())) == nil)
        #expect(CommandCodec.decode(Array(#"{"operation":{"forget":{"client":4}}}"#.utf8)) == nil)
    }
}
