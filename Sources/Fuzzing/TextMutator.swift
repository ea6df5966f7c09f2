/// Mutations of one line of text: characters, words, numbers, quotes, splices, and lines made
/// long enough to meet the tokenizer's limit.
public struct TextMutator: Sendable {
    /// The kinds of change `mutate` draws from.
    public enum Kind: CaseIterable, Sendable {
        case insertCharacter, replaceCharacter, deleteCharacters, replaceWord, insertWord
        case deleteWord, splice, replaceNumber, quote, repeatWord, randomBytes, respace, truncate
    }

    /// Valid lines to splice from.
    public var donors: [String]
    /// Words to swap in.
    public var vocabulary: [String]
    /// The longest result in UTF-8 bytes (a little over the parser's 4096, to test the limit).
    public var maximumBytes: Int

    /// A mutator drawing on `donors` and `vocabulary`.
    public init(donors: [String], vocabulary: [String], maximumBytes: Int = 5_000) {
        self.donors = donors
        self.vocabulary = vocabulary
        self.maximumBytes = maximumBytes
    }

    static let numbers = [
        "0", "-0", "1", "-1", "9", "10", "255", "256", "2147483647", "2147483648",
        "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "99999999999999999999999999", "1e308", "1e-308", "0.000000000001", "1.", ".", "00001",
        "１", "٣", "1_000", "+1", "NaN", "inf",
    ]

    /// Applies one to six mutations to `line`.
    public func mutate(_ line: String, using random: inout FuzzRandom) -> String {
        var text = line
        for _ in 0..<random.smallCount(max: 6) {
            text = apply(random.pick(Kind.allCases), to: text, using: &random)
        }
        guard text.utf8.count > maximumBytes else { return text }
        return String(decoding: text.utf8.prefix(maximumBytes), as: UTF8.self)
    }

    /// Applies one mutation of `kind` to `line`.
    public func apply(_ kind: Kind, to line: String, using random: inout FuzzRandom) -> String {
        var characters = Array(line)
        var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let position = random.below(characters.count + 1)
        switch kind {
        case .insertCharacter:
            characters.insert(random.pick(TextCorpus.awkwardCharacters), at: position)
        case .replaceCharacter where !characters.isEmpty:
            characters[random.below(characters.count)] = random.pick(TextCorpus.awkwardCharacters)
        case .deleteCharacters where !characters.isEmpty:
            let start = random.below(characters.count)
            let end = min(characters.count, start + random.smallCount(max: 8))
            characters.removeSubrange(start..<end)
        case .replaceWord:
            words[random.below(words.count)] = random.pick(vocabulary)
            return words.joined(separator: " ")
        case .insertWord:
            words.insert(random.pick(vocabulary), at: random.below(words.count + 1))
            return words.joined(separator: " ")
        case .deleteWord where words.count > 1:
            words.remove(at: random.below(words.count))
            return words.joined(separator: " ")
        case .splice where !donors.isEmpty:
            let donor = Array(random.pick(donors))
            let from = random.below(donor.count + 1)
            return String(characters.prefix(position)) + String(donor[from...])
        case .replaceNumber:
            return replacingNumber(in: line, using: &random)
        case .quote:
            return quoting(words, using: &random)
        case .repeatWord:
            let word = random.pick(words)
            let count = random.chance(1, in: 4)
                ? random.int(in: 100...1_200) : random.int(in: 2...9)
            words.append(contentsOf: repeatElement(word, count: count))
            return words.joined(separator: " ")
        case .randomBytes:
            let bytes = (0..<random.int(in: 1...24)).map { _ in random.byte() }
            characters.insert(contentsOf: String(decoding: bytes, as: UTF8.self), at: position)
        case .respace:
            let spaces = [" ", "\t", "  ", "\u{00A0}", "\u{3000}", "\u{2028}", "\r"]
            return words.joined(separator: random.pick(spaces))
        default:
            characters.removeSubrange(position...)
        }
        return String(characters)
    }

    private func replacingNumber(in line: String, using random: inout FuzzRandom) -> String {
        var characters = Array(line)
        let digits = characters.indices.filter { characters[$0].isASCII && characters[$0].isNumber }
        let number = Array(random.pick(Self.numbers))
        guard let start = digits.isEmpty ? nil : random.pick(digits) else {
            return line + " " + String(number)
        }
        var end = start
        while end < characters.count, characters[end].isASCII, characters[end].isNumber { end += 1 }
        characters.replaceSubrange(start..<end, with: number)
        return String(characters)
    }

    private func quoting(_ words: [String], using random: inout FuzzRandom) -> String {
        var words = words
        let index = random.below(words.count)
        switch random.below(4) {
        case 0: words[index] = "\"" + words[index] + "\""
        case 1: words[index] = "\"" + words[index]
        case 2: words[index] += random.pick(["\\", "\\\"", "\"\"", "\\n"])
        default: words[index] = "\"" + words[index].replacingQuotes() + "\""
        }
        return words.joined(separator: " ")
    }
}

extension String {
    /// Quotes and backslashes escaped as the tokenizer expects inside a quoted word.
    fileprivate func replacingQuotes() -> String {
        var escaped = ""
        for character in self {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
