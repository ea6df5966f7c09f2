/// A flat JSON object written by hand, byte for byte as Foundation's `JSONEncoder` writes the same
/// value: keys in the order given (callers give them sorted, as `.sortedKeys` does), absent fields
/// left out, numbers and strings in the coder's forms. The journal and the history write tens of
/// thousands of lines a second in a simulated drill; the coder cost several microseconds a line.
/// Tests check the equivalence against the coder.
struct JSONLine {
    private(set) var bytes: [UInt8]
    private var isEmpty = true
    /// Whether "/" is written as "\/" (the coder's default; the journal turns it off).
    let escapingSlashes: Bool
    /// Whether an absent field is written as `null` (the history's lines have every field) rather
    /// than left out (the coder's way).
    let writesNulls: Bool

    init(escapingSlashes: Bool, writesNulls: Bool = false, capacity: Int = 160) {
        self.escapingSlashes = escapingSlashes
        self.writesNulls = writesNulls
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The finished object. Consuming, so that closing it appends to the one buffer in place
    /// rather than copying it.
    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func key(_ name: StaticString) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes the key of a present value, or `null` (or nothing) for an absent one.
    /// - Returns: whether the value follows.
    private mutating func field(_ name: StaticString, present: Bool) -> Bool {
        if present || writesNulls { key(name) }
        if !present, writesNulls { bytes += "null".utf8 }
        return present
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard field(name, present: value != nil), let value else { return }
        Self.appendQuoted(value, to: &bytes, escapingSlashes: escapingSlashes)
    }

    mutating func integer(_ name: StaticString, _ value: Int?) {
        guard field(name, present: value != nil), let value else { return }
        Self.appendDecimal(value, to: &bytes)
    }

    mutating func seconds(_ name: StaticString, _ value: Double?) {
        guard field(name, present: value != nil), let value else { return }
        bytes += Self.number(value).utf8
    }

    mutating func bool(_ name: StaticString, _ value: Bool?) {
        guard field(name, present: value != nil), let value else { return }
        bytes += (value ? "true" : "false").utf8
    }

    /// A value already in its JSON form (a number formatted as the caller's format wants).
    mutating func raw(_ name: StaticString, _ value: String?) {
        guard field(name, present: value != nil), let value else { return }
        bytes += value.utf8
    }

    /// A nested object (`inner.finish()`).
    mutating func object(_ name: StaticString, _ inner: JSONLine) {
        key(name)
        bytes += inner.bytes
        bytes.append(UInt8(ascii: "}"))
    }

    /// `String(value)`'s digits, without making the string.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        // 20 digits hold any UInt64; they come out last digit first.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// How the coder writes a finite Double: its description, without a trailing ".0".
    static func number(_ value: Double) -> String {
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// `text` as a JSON string the way the coder escapes it: quote, backslash, control characters
    /// (`\b \t \n \f \r`, others as `\u00xx`), "/" when `escapingSlashes`; everything else as is.
    static func appendQuoted(_ text: String, to bytes: inout [UInt8], escapingSlashes: Bool) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every string needs no escape at all: copied whole, not byte by byte.
        let copiedWhole = text.utf8.withContiguousStorageIfAvailable { utf8 in
            guard !utf8.contains(where: { needsEscape($0, escapingSlashes: escapingSlashes) }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copiedWhole == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += #"\""#.utf8
            case UInt8(ascii: "\\"): bytes += #"\\"#.utf8
            case UInt8(ascii: "/") where escapingSlashes: bytes += #"\/"#.utf8
            case 0x08: bytes += #"\b"#.utf8
            case 0x09: bytes += #"\t"#.utf8
            case 0x0A: bytes += #"\n"#.utf8
            case 0x0C: bytes += #"\f"#.utf8
            case 0x0D: bytes += #"\r"#.utf8
            case 0..<0x20:
                bytes += #"\u00"#.utf8
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    static func quoted(_ text: String, escapingSlashes: Bool) -> String {
        var bytes: [UInt8] = []
        appendQuoted(text, to: &bytes, escapingSlashes: escapingSlashes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8, escapingSlashes: Bool) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            || (escapingSlashes && byte == UInt8(ascii: "/"))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
