/// Mutations that keep a JSON body looking like JSON, so that decoding gets past the syntax and
/// into the frame types: numbers and strings swapped for edge values, keys dropped or doubled,
/// and nesting deep enough to exhaust a recursive parser's stack.
struct JSONMutator: Sendable {
    static let numbers = [
        "0", "-1", "-0", "1.5", "1e400", "-1e400", "1e-400", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "4294967296", "255", "256", "0.1", "NaN", "Infinity", "1E2", "01",
    ]
    static let strings = [
        #""""#, #""\u0000""#, #""\ud800""#, #""\udc00\ud800""#, #""é🙂""#, #""\"""#, #""\\""#,
        #""\/""#, #""\x""#, "\"" + String(repeating: "a", count: 300) + "\"", #""\u00""#,
    ]
    static let values = ["null", "true", "false", "{}", "[]", "[null]", #"{"":0}"#, "0"]

    /// Mutates `body` (JSON text as bytes) in place.
    func mutate(_ body: inout [UInt8], using random: inout FuzzRandom) {
        var text = String(decoding: body, as: UTF8.self)
        switch random.below(6) {
        case 0: text = replacing(in: text, matching: isNumberByte, with: random.pick(Self.numbers),
                                 using: &random)
        case 1: text = replacing(in: text, matching: { $0 == UInt8(ascii: "\"") },
                                 with: random.pick(Self.strings), using: &random)
        case 2: text = replacing(in: text, matching: { $0 == UInt8(ascii: ":") },
                                 with: ":" + random.pick(Self.values) + ",\"_\":", using: &random)
        case 3: text = nested(text, depth: random.chance(1, in: 4) ? random.int(in: 500...20_000)
                                                                      : random.int(in: 1...64),
                              using: &random)
        case 4: text = Self.duplicatingFirstKey(text)
        default: text = String(text.shuffledWhitespace(using: &random))
        }
        body = Array(text.utf8)
    }

    private func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Replaces the token starting at a random byte that matches `matching` with `replacement`.
    private func replacing(
        in text: String, matching: (UInt8) -> Bool, with replacement: String,
        using random: inout FuzzRandom
    ) -> String {
        var bytes = Array(text.utf8)
        let candidates = bytes.indices.filter { matching(bytes[$0]) }
        guard !candidates.isEmpty else { return text + replacement }
        let start = random.pick(candidates)
        var end = start + 1
        if isNumberByte(bytes[start]) {
            while end < bytes.count, isNumberByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") {
                end += 1
            }
        } else if bytes[start] == UInt8(ascii: "\"") {
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
            end = min(end + 1, bytes.count)
        }
        bytes.replaceSubrange(start..<end, with: Array(replacement.utf8))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` inside `depth` arrays or objects, or just the opening brackets (unterminated).
    private func nested(_ text: String, depth: Int, using random: inout FuzzRandom) -> String {
        let asArrays = random.chance(1, in: 2)
        let open = asArrays ? "[" : #"{"a":"#
        let close = asArrays ? "]" : "}"
        let closed = random.chance(1, in: 2)
        return String(repeating: open, count: depth) + text
            + (closed ? String(repeating: close, count: depth) : "")
    }

    /// The first key written twice (decoders differ on which one wins).
    static func duplicatingFirstKey(_ text: String) -> String {
        guard let open = text.firstIndex(of: "{"),
              let comma = text[open...].firstIndex(of: ",") else { return text + "," }
        let member = text[text.index(after: open)..<comma]
        return String(text[...open]) + member + "," + text[text.index(after: open)...]
    }
}

extension String {
    /// Whitespace inserted between random bytes outside strings is still valid JSON; inside
    /// strings it is not: either way, the decoder must cope.
    fileprivate func shuffledWhitespace(using random: inout FuzzRandom) -> String {
        var bytes = Array(utf8)
        let spaces: [UInt8] = [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x00]
        for _ in 0..<random.smallCount(max: 4) {
            bytes.insert(random.pick(spaces), at: random.below(bytes.count + 1))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
