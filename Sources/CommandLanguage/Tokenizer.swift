/// One word of a line: bare (`put`, `1,2`, `20ms`) or double-quoted (`"two words"`).
///
/// Tokens remember whether they were quoted so that keywords are recognised only when bare: a
/// later trailing `as NAME` clause can be peeled off the end of the token list by looking for a
/// bare `as`, while `put k "as"` still stores the value `as`.
struct Token: Equatable, Sendable {
    /// The word, with quotes removed and escapes resolved.
    var text: String
    /// 1-based column (in characters) of the token's first character (the opening quote if quoted).
    var column: Int
    /// True when the token was written in double quotes.
    var isQuoted: Bool
}

/// Splits a line into tokens. Knows nothing about commands.
enum Tokenizer {
    /// Longest line accepted, in UTF-8 bytes; scenario lines and typed commands are far shorter.
    static let lineBytesMax = 4096

    /// Splits `line` at whitespace; a double quote starts a quoted token in which `\"` and `\\` are
    /// the only escapes.
    /// - Returns: the tokens, possibly none.
    /// - Throws: `CommandError` (without usage) for unterminated quotes, unknown escapes, quotes
    ///   that do not stand alone as a word, and words that start with a combining mark.
    static func tokenize(_ line: String) throws(CommandError) -> [Token] {
        let characters = Array(line)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            if characters[index].isWhitespace {
                index += 1
            } else if attachesToPrevious(characters[index]) {
                throw CommandError(
                    message: "a word cannot start with a combining mark",
                    column: index + 1
                )
            } else if characters[index] == "\"" {
                tokens.append(try quotedToken(characters, at: &index))
            } else {
                tokens.append(try bareToken(characters, at: &index))
            }
        }
        return tokens
    }

    /// True for a character (a combining mark, a joiner) that would merge with a space or quote
    /// written before it; such a word could not be written back, so it is refused.
    private static func attachesToPrevious(_ character: Character) -> Bool {
        (" " + String(character)).count == 1
    }

    private static func bareToken(
        _ characters: [Character],
        at index: inout Int
    ) throws(CommandError) -> Token {
        let start = index
        var text = ""
        while index < characters.count, !characters[index].isWhitespace {
            guard characters[index] != "\"" else {
                throw CommandError(
                    message: "a quote may only start a word: quote the whole value",
                    column: index + 1
                )
            }
            text.append(characters[index])
            index += 1
        }
        return Token(text: text, column: start + 1, isQuoted: false)
    }

    private static func quotedToken(
        _ characters: [Character],
        at index: inout Int
    ) throws(CommandError) -> Token {
        assert(characters[index] == "\"")
        let start = index
        var text = ""
        index += 1
        while index < characters.count {
            let character = characters[index]
            if character == "\"" {
                index += 1
                guard index == characters.count || characters[index].isWhitespace else {
                    throw CommandError(
                        message: "expected a space after the closing quote",
                        column: index + 1
                    )
                }
                return Token(text: text, column: start + 1, isQuoted: true)
            }
            if character == "\\" {
                text.append(try escaped(characters, at: index))
                index += 2
            } else {
                text.append(character)
                index += 1
            }
        }
        throw CommandError(
            message: "unterminated quoted string: add a closing \"",
            column: start + 1
        )
    }

    /// The character escaped by the backslash at `index`.
    private static func escaped(
        _ characters: [Character],
        at index: Int
    ) throws(CommandError) -> Character {
        assert(characters[index] == "\\")
        guard index + 1 < characters.count else {
            throw CommandError(
                message: "unterminated quoted string: the line ends after a backslash",
                column: index + 1
            )
        }
        let next = characters[index + 1]
        guard next == "\"" || next == "\\" else {
            let shown = Display.visible(next)
            throw CommandError(
                message: "unknown escape \\\(shown): only \\\" and \\\\ are allowed in quotes",
                column: index + 1
            )
        }
        return next
    }
}
