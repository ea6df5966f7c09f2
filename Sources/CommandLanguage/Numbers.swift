/// Number syntax of the language, on plain text, with no knowledge of tokens or commands.
///
/// Only ASCII digits count (no signs, exponents, `inf` or `nan`), so what parses is exactly what
/// the help shows, and nothing can overflow.
enum NumberSyntax {
    /// The outcome of reading a number.
    enum Reading<Value: Equatable>: Equatable {
        case value(Value)
        /// Written with a leading `-`.
        case negative
        /// Too many digits to be meant (or to fit).
        case tooLarge
        /// Not a number at all.
        case invalid
    }

    /// A decimal written as `mantissa / 10^scale`, exact.
    struct Decimal: Equatable {
        var mantissa: Int
        var scale: Int

        /// The nearest `Double`; exact division of two exactly representable values.
        var doubleValue: Double {
            Double(mantissa) / NumberSyntax.powerOfTen(scale)
        }
    }

    /// `value` in plain decimal notation (`0.00001`, never `1e-05`), as `decimal` reads it back.
    static func text(_ value: Double) -> String {
        let shortest = "\(value)"
        guard let exponentStart = shortest.firstIndex(of: "e"),
            let exponent = Int(shortest[shortest.index(after: exponentStart)...]), exponent < 0,
            value > 0
        else { return shortest }
        let digits = shortest[..<exponentStart].filter { $0 != "." }
        return "0." + String(repeating: "0", count: -exponent - 1) + digits
    }

    /// Digits kept in a decimal: below 2^53, so every value converts to `Double` exactly.
    static let decimalDigitsMax = 15
    /// 10^15: every mantissa stays below it.
    static let mantissaLimit = 1_000_000_000_000_000

    /// Reads a whole number made only of ASCII digits.
    static func wholeNumber(_ text: Substring) -> Reading<Int> {
        switch decimal(text) {
        case .value(let decimal):
            guard decimal.scale == 0, !text.contains(".") else { return .invalid }
            return .value(decimal.mantissa)
        case .negative: return .negative
        case .tooLarge: return .tooLarge
        case .invalid: return .invalid
        }
    }

    /// Reads `DIGITS` or `DIGITS.DIGITS` (at most 15 significant digits).
    static func decimal(_ text: Substring) -> Reading<Decimal> {
        if text.first == "-" {
            return decimal(text.dropFirst()) == .invalid ? .invalid : .negative
        }
        var mantissa = 0
        var scale = 0
        var digitCount = 0
        var seenPoint = false
        for character in text {
            if character == ".", !seenPoint, digitCount > 0 {
                seenPoint = true
                continue
            }
            guard let digit = asciiDigit(character) else { return .invalid }
            digitCount += 1
            if seenPoint { scale += 1 }
            mantissa = mantissa * 10 + digit
            // Checked on every digit, so the multiplication above can never overflow.
            guard mantissa < mantissaLimit, scale <= decimalDigitsMax else {
                return .tooLarge
            }
        }
        guard digitCount > 0, text.last != "." else { return .invalid }
        return .value(Decimal(mantissa: mantissa, scale: scale))
    }

    /// The value of an ASCII digit, or nil.
    static func asciiDigit(_ character: Character) -> Int? {
        guard let ascii = character.asciiValue, ascii >= 48, ascii <= 57 else { return nil }
        return Int(ascii) - 48
    }

    /// 10^exponent for 0...15 (exact as a `Double`).
    static func powerOfTen(_ exponent: Int) -> Double {
        precondition(exponent >= 0 && exponent <= decimalDigitsMax, "bug: exponent \(exponent)")
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

/// Duration syntax: `500ms`, `2s`, `1.5s`, `1m`, always a whole number of milliseconds.
enum DurationSyntax {
    /// Why a duration was refused.
    enum Failure: Error, Equatable {
        case negative
        case missingUnit
        case unknownUnit(String)
        case notANumber
        case tooLong
        case fractionalMilliseconds
    }

    /// Reads a duration into milliseconds.
    static func milliseconds(_ text: Substring) -> Result<Int, Failure> {
        let numberEnd = text.firstIndex { character in
            NumberSyntax.asciiDigit(character) == nil && character != "." && character != "-"
        } ?? text.endIndex
        let number = text[..<numberEnd]
        let unit = text[numberEnd...]
        let decimal: NumberSyntax.Decimal
        switch NumberSyntax.decimal(number) {
        case .value(let value): decimal = value
        case .negative: return .failure(.negative)
        case .tooLarge: return .failure(.tooLong)
        case .invalid: return .failure(.notANumber)
        }
        let unitMs: Int
        switch unit {
        case "ms": unitMs = 1
        case "s": unitMs = 1000
        case "m": unitMs = 60_000
        case "": return .failure(.missingUnit)
        default: return .failure(.unknownUnit(String(unit)))
        }
        let (scaled, overflow) = decimal.mantissa.multipliedReportingOverflow(by: unitMs)
        guard !overflow else { return .failure(.tooLong) }
        var divisor = 1
        for _ in 0..<decimal.scale { divisor *= 10 }
        guard scaled % divisor == 0 else { return .failure(.fractionalMilliseconds) }
        return .success(scaled / divisor)
    }

    /// The shortest text that reads back as `milliseconds`.
    static func text(milliseconds: Int) -> String {
        if milliseconds > 0, milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds > 0, milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
