import Raft

/// Hand-written JSON for the log commands a busy cluster stores most — a session's plain put and
/// the leader's clock entry — byte for byte what `JSONEncoder` with sorted keys produces. Every
/// replica decodes every entry, so Foundation's coder (5–10 µs a call) would cost each node that
/// much per write; `ServiceCommand.encoded()` and `init(encoded:)` try these first.
///
/// Fast paths only: anything that is not exactly the canonical shape with plain strings (see
/// `isPlain`) returns nil and the general coder handles it, so the bytes in the log are the same
/// either way. `FastFramesTests` and `CommandCodecTests` check the equivalence.
package enum CommandCodec {
    /// Encodes a session's plain put or a clock entry as `JSONEncoder` would; nil for anything else.
    package static func encode(_ command: ServiceCommand) -> [UInt8]? {
        switch (command.operation, command.session) {
        case (.kv(.put(let key, let value, nil)), let session?):
            guard isPlain(key), isPlain(value) else { return nil }
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
        case (.clock(let nowMs), nil):
            guard nowMs >= 0 else { return nil }
            return Array(#"{"operation":{"clock":{"nowMs":"#.utf8) + Array(String(nowMs).utf8)
                + Array("}}}".utf8)
        default:
            return nil
        }
    }

    /// Decodes what `encode` writes; nil for any other shape.
    package static func decode(_ data: [UInt8]) -> ServiceCommand? {
        data.withUnsafeBytes { raw in
            var cursor = JSONCursor(raw)
            guard cursor.literal(#"{"operation":{"#) else { return nil }
            if cursor.literal(#""put":{"key":"#) {
                guard let key = cursor.plainString(), cursor.literal(#","value":"#),
                      let value = cursor.plainString(), cursor.literal(#"}},"session":"#),
                      let session = cursor.sessionBody(), cursor.literal("}"), cursor.atEnd
                else { return nil }
                return ServiceCommand(session: session, operation: .kv(.put(key: key, value: value)))
            }
            guard cursor.literal(#""clock":{"nowMs":"#), let nowMs = cursor.unsigned(),
                  nowMs <= UInt64(Int.max), cursor.literal("}}}"), cursor.atEnd else { return nil }
            return ServiceCommand(session: nil, operation: .clock(nowMs: Int(nowMs)))
        }
    }

    /// True when JSONEncoder writes `text` as it is between quotes.
    package static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy(isPlain)
    }

    /// Printable ASCII that JSONEncoder does not escape (it escapes `"`, `\` and `/`).
    package static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
            && byte != UInt8(ascii: "/")
    }
}

/// Reads canonical JSON left to right; every method returns nil or false at the first surprise.
package struct JSONCursor {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    package var atEnd: Bool { position == bytes.count }

    /// Consumes `text` exactly.
    package mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let start = text.utf8Start
        for offset in 0..<count where bytes[position + offset] != start[offset] {
            return false
        }
        position += count
        return true
    }

    /// A quoted string of plain bytes (see `CommandCodec.isPlain`); nil if it has anything else.
    package mutating func plainString() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            guard CommandCodec.isPlain(bytes[end]) else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        position = end + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A JSON number that is a UInt64: digits, no sign, no leading zero, no fraction.
    package mutating func unsigned() -> UInt64? {
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
    package mutating func session() -> ClientSession? {
        guard literal(#","session":"#) else { return nil }
        return sessionBody()
    }

    /// `{"clientID":N,"sequence":N}`.
    package mutating func sessionBody() -> ClientSession? {
        guard literal(#"{"clientID":"#), let clientID = unsigned(), literal(#","sequence":"#),
              let sequence = unsigned(), literal("}") else { return nil }
        return ClientSession(clientID: clientID, sequence: sequence)
    }
}
