import Console

/// How many colours the session uses.
public enum ColorMode: Sendable, Equatable {
    /// No colours: `NO_COLOR` is set or the terminal has none. Bold, reverse and dim still apply.
    case none
    /// The eight basic colours.
    case eight
    /// A terminal with 256 colours or more (the console still uses the eight basic ones).
    case many
}

/// Colour pair numbers for every (foreground, background) combination of `TerminalColor`, nil meaning the
/// terminal's default. Pair 0 is (default, default). When the terminal has fewer pairs than combinations
/// (8-colour terminals often have 64), the most useful ones are allocated first and the rest fall back to
/// a readable foreground (black or white) on the requested background.
struct ColorPalette {
    /// The pairs to initialise, in pair-number order starting at 1.
    private(set) var definitions: [(foreground: TerminalColor?, background: TerminalColor?)] = []
    private var numbers: [Int] = Array(repeating: -1, count: 81)

    init(availablePairs: Int) {
        var order: [(TerminalColor?, TerminalColor?)] = []
        for foreground in TerminalColor.allCases { order.append((foreground, nil)) }
        for background in TerminalColor.allCases { order.append((nil, background)) }
        // Black or white text on a coloured background: status bars, selections, badges.
        for foreground in [TerminalColor.black, .white] {
            for background in TerminalColor.allCases where background != foreground {
                order.append((foreground, background))
            }
        }
        for foreground in TerminalColor.allCases where foreground != .black && foreground != .white {
            for background in TerminalColor.allCases where background != foreground {
                order.append((foreground, background))
            }
        }
        for color in TerminalColor.allCases { order.append((color, color)) }

        numbers[0] = 0
        for (foreground, background) in order {
            let number = definitions.count + 1
            guard number < availablePairs else { break }
            definitions.append((foreground, background))
            numbers[Self.index(foreground, background)] = number
        }
    }

    /// The pair number to use for these colours.
    func pair(foreground: TerminalColor?, background: TerminalColor?) -> Int {
        let number = numbers[Self.index(foreground, background)]
        if number >= 0 { return number }
        guard let background else { return 0 }
        let readable: TerminalColor
        switch background {
        case .black, .red, .blue, .magenta: readable = .white
        case .green, .yellow, .cyan, .white: readable = .black
        }
        let fallback = numbers[Self.index(readable, background)]
        if fallback >= 0 { return fallback }
        return max(0, numbers[Self.index(nil, background)])
    }

    private static func index(_ foreground: TerminalColor?, _ background: TerminalColor?) -> Int {
        let f = foreground.map { Int($0.rawValue) + 1 } ?? 0
        let b = background.map { Int($0.rawValue) + 1 } ?? 0
        return f * 9 + b
    }
}
