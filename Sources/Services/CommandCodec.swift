import Raft

/// Hand-written JSON for the log commands — every KV write, lock and renewal a client sends, and
/// the leader's clock entries — byte for byte what `JSONEncoder` with sorted keys produces. Every
/// replica decodes every entry and the leader encodes each one, so Foundation's coder (5–10 µs a
/// call) would cost each node that much per command; `ServiceCommand.encoded()` and
/// `init(encoded:)` try these first.
///
/// Fast paths only: elections, strings that are not plain (see `isPlain`), negative numbers and any
/// other shape return nil and the general coder handles them, so the bytes in the log are the same
/// either way. `FastFramesTests` checks the equivalence, shape by shape.
package enum CommandCodec {
    /// Encodes `command` as `JSONEncoder` would; nil when it is not one of the fast shapes.
    package static func encode(_ command: ServiceCommand) -> [UInt8]? {
        var writer = CanonicalWriter()
        writer.bytes += #"{"operation":{"#.utf8
        guard writer.operation(command.operation) else { return nil }
        writer.bytes += "}".utf8
        if let session = command.session {
            writer.bytes += #","session":{"clientID":"#.utf8
            writer.number(session.clientID)
            writer.bytes += #","sequence":"#.utf8
            writer.number(session.sequence)
            writer.bytes += "}".utf8
        }
        writer.bytes += "}".utf8
        return writer.bytes
    }

    /// Decodes what `encode` writes; nil for any other shape.
    package static func decode(_ data: [UInt8]) -> ServiceCommand? {
        data.withUnsafeBytes { raw in
            var cursor = JSONCursor(raw)
            guard cursor.literal(#"{"operation":{"#), let operation = cursor.operation(), cursor.literal("}")
            else { return nil }
            if cursor.literal("}") {
                return cursor.atEnd ? ServiceCommand(session: nil, operation: operation) : nil
            }
            guard let session = cursor.session(), cursor.literal("}"), cursor.atEnd else { return nil }
            return ServiceCommand(session: session, operation: operation)
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

/// Appends canonical JSON: the `"name":{…}` member of each fast operation, plain strings, numbers.
private struct CanonicalWriter {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(128)
    }

    /// Appends `"name":{fields in sorted order}`; false when the operation has no fast shape.
    mutating func operation(_ operation: ServiceOperation) -> Bool {
        switch operation {
        case .kv(.put(let key, let value, let fence)):
            bytes += #""put":{"#.utf8
            if let fence {
                guard fence >= 0 else { return false }
                bytes += #""fence":"#.utf8
                number(UInt64(fence))
                bytes += ",".utf8
            }
            return field("key", key, first: true) && field("value", value) && close()
        case .kv(.delete(let key)):
            bytes += #""delete":{"#.utf8
            return field("key", key, first: true) && close()
        case .kv(.compareAndSwap(let key, let expected, let new)):
            bytes += #""compareAndSwap":{"#.utf8
            return field("expected", expected, first: true) && field("key", key) && field("new", new) && close()
        case .lock(.acquire(let lock, let client, let ttlMs)):
            guard ttlMs >= 0 else { return false }
            bytes += #""acquire":{"client":"#.utf8
            number(client)
            guard field("lock", lock) else { return false }
            bytes += #","ttlMs":"#.utf8
            number(UInt64(ttlMs))
            return close()
        case .lock(.release(let lock, let client)):
            bytes += #""release":{"client":"#.utf8
            number(client)
            return field("lock", lock) && close()
        case .renew(let client):
            bytes += #""renew":{"client":"#.utf8
            number(client)
            return close()
        case .clock(let nowMs):
            guard nowMs >= 0 else { return false }
            bytes += #""clock":{"nowMs":"#.utf8
            number(UInt64(nowMs))
            return close()
        case .election:
            return false
        }
    }

    /// `"name":"value"` (after a comma unless `first`); false when the value is not plain.
    private mutating func field(_ name: StaticString, _ value: String, first: Bool = false) -> Bool {
        guard CommandCodec.isPlain(value) else { return false }
        if !first { bytes += ",".utf8 }
        bytes += "\"".utf8
        bytes += UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        bytes += #"":""#.utf8
        bytes += value.utf8
        bytes += "\"".utf8
        return true
    }

    private mutating func close() -> Bool {
        bytes += "}".utf8
        return true
    }

    mutating func number(_ value: UInt64) {
        bytes += String(value).utf8
    }
}

extension JSONCursor {
    /// The `"name":{…}` member `CanonicalWriter.operation` writes; nil for anything else.
    mutating func operation() -> ServiceOperation? {
        if literal(#""put":{"#) {
            var fence: Int?
            if literal(#""fence":"#) {
                guard let value = integer(), literal(",") else { return nil }
                fence = value
            }
            guard literal(#""key":"#), let key = plainString(), literal(#","value":"#),
                  let value = plainString(), literal("}") else { return nil }
            return .kv(.put(key: key, value: value, fence: fence))
        }
        if literal(#""delete":{"key":"#) {
            guard let key = plainString(), literal("}") else { return nil }
            return .kv(.delete(key: key))
        }
        if literal(#""compareAndSwap":{"expected":"#) {
            guard let expected = plainString(), literal(#","key":"#), let key = plainString(),
                  literal(#","new":"#), let new = plainString(), literal("}") else { return nil }
            return .kv(.compareAndSwap(key: key, expected: expected, new: new))
        }
        if literal(#""acquire":{"client":"#) {
            guard let client = unsigned(), literal(#","lock":"#), let lock = plainString(),
                  literal(#","ttlMs":"#), let ttlMs = integer(), literal("}") else { return nil }
            return .lock(.acquire(lock: lock, client: client, ttlMs: ttlMs))
        }
        if literal(#""release":{"client":"#) {
            guard let client = unsigned(), literal(#","lock":"#), let lock = plainString(), literal("}")
            else { return nil }
            return .lock(.release(lock: lock, client: client))
        }
        if literal(#""renew":{"client":"#) {
            guard let client = unsigned(), literal("}") else { return nil }
            return .renew(client: client)
        }
        if literal(#""clock":{"nowMs":"#) {
            guard let nowMs = integer(), literal("}") else { return nil }
            return .clock(nowMs: nowMs)
        }
        return nil
    }

    /// A non-negative JSON integer that fits an `Int`.
    mutating func integer() -> Int? {
        guard let value = unsigned(), value <= UInt64(Int.max) else { return nil }
        return Int(value)
    }
}
