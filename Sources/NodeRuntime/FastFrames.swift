import Raft
import Services
import Wire

/// Hand-written JSON for the three shapes a write costs per operation — the client's put request,
/// the command stored in the log, and the "ok" answer — byte for byte what `JSONEncoder` with
/// sorted keys produces (and what the console sends). Foundation's coder costs 5–10 µs per call,
/// which at thousands of writes a second was half of a leader's CPU.
///
/// Every function is a fast path only: anything that is not exactly the canonical shape with plain
/// strings (printable ASCII without `"`, `\` or `/`, which JSONEncoder would escape) returns nil,
/// and the caller uses the general coder, so the protocol accepts and produces the same JSON as
/// before. `FastFramesTests` checks the equivalence.
enum FastFrames {
    // MARK: Client request (console → node)

    /// Decodes `{"operation":{"write":{"_0":{"put":{"key":K,"value":V}}}},"requestID":N,
    /// "session":{"clientID":N,"sequence":N}}`; nil for any other shape.
    static func clientRequest(_ body: UnsafeRawBufferPointer) -> ClientRequestFrame? {
        var cursor = JSONCursor(body)
        guard cursor.literal(#"{"operation":{"write":{"_0":{"put":{"key":"#),
              let key = cursor.plainString(),
              cursor.literal(#","value":"#), let value = cursor.plainString(),
              cursor.literal(#"}}}},"requestID":"#), let requestID = cursor.unsigned(),
              let session = cursor.session(), cursor.literal("}"), cursor.atEnd
        else { return nil }
        return ClientRequestFrame(requestID: requestID, session: session,
                                  operation: .write(.put(key: key, value: value)))
    }

    // MARK: Log command (leader → every replica's state machine)

    /// Encodes a session's plain put as `ServiceCommand.encoded()` would; nil for anything else.
    static func encodedCommand(_ command: ServiceCommand) -> [UInt8]? {
        guard case .kv(.put(let key, let value, nil)) = command.operation,
              let session = command.session, isPlain(key), isPlain(value) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.utf8.count + value.utf8.count + 96)
        bytes += #"{"operation":{"put":{"key":""#.utf8
        bytes += key.utf8
        bytes += #"","value":""#.utf8
        bytes += value.utf8
        bytes += #""}},"session":{"clientID":"#.utf8
        bytes += String(session.clientID).utf8
        bytes += #","sequence":"#.utf8
        bytes += String(session.sequence).utf8
        bytes += "}}".utf8
        return bytes
    }

    /// Decodes what `encodedCommand` writes; nil for any other shape.
    static func command(_ data: [UInt8]) -> ServiceCommand? {
        data.withUnsafeBytes { raw in
            var cursor = JSONCursor(raw)
            guard cursor.literal(#"{"operation":{"put":{"key":"#), let key = cursor.plainString(),
                  cursor.literal(#","value":"#), let value = cursor.plainString(),
                  cursor.literal(#"}},"session":"#), let session = cursor.sessionBody(),
                  cursor.literal("}"), cursor.atEnd
            else { return nil }
            return ServiceCommand(session: session, operation: .kv(.put(key: key, value: value)))
        }
    }

    // MARK: Client response (node → console)

    /// The `clientResponse` payload (kind byte included) for an `ok` outcome; nil for others.
    static func okResponse(requestID: UInt64, value: String?, index: LogIndex) -> [UInt8]? {
        guard index >= 0, value.map(isPlain) ?? true else { return nil }
        var bytes: [UInt8] = [FrameKind.clientResponse.rawValue]
        bytes.reserveCapacity((value?.utf8.count ?? 0) + 64)
        bytes += #"{"outcome":{"ok":{"index":"#.utf8
        bytes += String(index).utf8
        if let value {
            bytes += #","value":""#.utf8
            bytes += value.utf8
            bytes += #"""#.utf8
        }
        bytes += #"}},"requestID":"#.utf8
        bytes += String(requestID).utf8
        bytes += "}".utf8
        return bytes
    }

    /// True when JSONEncoder writes `text` as it is between quotes.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy(isPlain)
    }

    static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
            && byte != UInt8(ascii: "/")
    }
}

/// Reads canonical JSON left to right; every method returns nil or false at the first surprise.
struct JSONCursor {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool { position == bytes.count }

    /// Consumes `text` exactly.
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let start = text.utf8Start
        for offset in 0..<count where bytes[position + offset] != start[offset] {
            return false
        }
        position += count
        return true
    }

    /// A quoted string of plain bytes (see `FastFrames.isPlain`); nil if it has anything else.
    mutating func plainString() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            guard FastFrames.isPlain(bytes[end]) else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        position = end + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A JSON number that is a UInt64: digits, no sign, no leading zero, no fraction.
    mutating func unsigned() -> UInt64? {
        let start = position
        var value: UInt64 = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let digit = UInt64(bytes[position] - UInt8(ascii: "0"))
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        // A fraction or exponent would make it another number: not the canonical shape.
        guard position == bytes.count || ![UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")]
            .contains(bytes[position]) else { return nil }
        return value
    }

    /// `,"session":{"clientID":N,"sequence":N}`.
    mutating func session() -> ClientSession? {
        guard literal(#","session":"#) else { return nil }
        return sessionBody()
    }

    /// `{"clientID":N,"sequence":N}`.
    mutating func sessionBody() -> ClientSession? {
        guard literal(#"{"clientID":"#), let clientID = unsigned(), literal(#","sequence":"#),
              let sequence = unsigned(), literal("}") else { return nil }
        return ClientSession(clientID: clientID, sequence: sequence)
    }
}
