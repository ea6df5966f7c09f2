/// The eight basic terminal colours (every colour terminal has them).
public enum TerminalColor: UInt8, Sendable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell is drawn. Monochrome terminals and `NO_COLOR` ignore the colours but keep bold/reverse,
/// so every state stays readable.
public struct CellStyle: Sendable, Hashable {
    public var foreground: TerminalColor?
    public var background: TerminalColor?
    public var bold = false
    public var reverse = false
    public var dim = false

    public init(foreground: TerminalColor? = nil, background: TerminalColor? = nil, bold: Bool = false,
                reverse: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
    }

    public static let plain = CellStyle()
}

/// One character position on the screen.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var style: CellStyle

    public init(_ character: Character = " ", style: CellStyle = .plain) {
        self.character = character
        self.style = style
    }
}

/// An in-memory grid of cells: every view renders here first, so screens are testable as text and
/// only changed cells reach the terminal.
public struct Screen: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y) within `maxWidth` cells and the screen. Text that does not fit is
    /// cut at a word boundary and marked with "…" (`String.cut(toWidth:at:)`), never inside a word.
    /// Returns the x after it.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: CellStyle = .plain,
                               maxWidth: Int = Int.max) -> Int {
        guard y >= 0, y < height else { return x }
        var column = x
        let limit = min(width, maxWidth == Int.max ? width : x + maxWidth)
        for character in text.cut(toWidth: max(0, limit - x)) where column < limit {
            if column >= 0 { self[column, y] = Cell(character, style: style) }
            column += 1
        }
        return column
    }

    /// Fills a rectangle with one character.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: CellStyle = .plain) {
        for y in max(0, rect.y)..<min(height, rect.y + rect.height) {
            for x in max(0, rect.x)..<min(width, rect.x + rect.width) {
                self[x, y] = Cell(character, style: style)
            }
        }
    }

    /// Draws a box border around `rect` with an optional title in its top edge.
    public mutating func box(_ rect: Rect, title: String = "", glyphs: BoxGlyphs, style: CellStyle = .plain,
                             titleStyle: CellStyle? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let right = rect.x + rect.width - 1
        let bottom = rect.y + rect.height - 1
        for x in rect.x...right {
            put(glyphs.horizontal, x, rect.y, style)
            put(glyphs.horizontal, x, bottom, style)
        }
        for y in rect.y...bottom {
            put(glyphs.vertical, rect.x, y, style)
            put(glyphs.vertical, right, y, style)
        }
        put(glyphs.topLeft, rect.x, rect.y, style)
        put(glyphs.topRight, right, rect.y, style)
        put(glyphs.bottomLeft, rect.x, bottom, style)
        put(glyphs.bottomRight, right, bottom, style)
        if !title.isEmpty, rect.width > 4 {
            write(" \(title) ", x: rect.x + 1, y: rect.y, style: titleStyle ?? style, maxWidth: rect.width - 2)
        }
    }

    private mutating func put(_ character: Character, _ x: Int, _ y: Int, _ style: CellStyle) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        self[x, y] = Cell(character, style: style)
    }

    /// Row `y` as plain text, trailing spaces kept.
    public func line(_ y: Int) -> String {
        String(cells[(y * width)..<(y * width + width)].map(\.character))
    }

    /// The whole screen as text, one line per row, trailing spaces trimmed (for tests and golden files).
    public var text: String {
        (0..<height).map { y in
            var row = line(y)
            while row.last == " " { row.removeLast() }
            return row
        }.joined(separator: "\n")
    }

    /// The runs of cells that differ from `previous` (everything when the sizes differ), row by row:
    /// what a terminal must repaint.
    public func changes(since previous: Screen?) -> [Run] {
        var runs: [Run] = []
        for y in 0..<height {
            var x = 0
            while x < width {
                guard differs(from: previous, x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                let style = self[x, y].style
                var text = ""
                while x < width, self[x, y].style == style, differs(from: previous, x: x, y: y) {
                    text.append(self[x, y].character)
                    x += 1
                }
                runs.append(Run(x: start, y: y, text: text, style: style))
            }
        }
        return runs
    }

    private func differs(from previous: Screen?, x: Int, y: Int) -> Bool {
        guard let previous, previous.width == width, previous.height == height else { return true }
        return previous[x, y] != self[x, y]
    }

    /// A horizontal run of same-style cells.
    public struct Run: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var text: String
        public var style: CellStyle
    }
}

/// A rectangle on the screen.
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The rectangle without its one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: max(0, width - 2), height: max(0, height - 2)) }
}

/// Box-drawing characters: Unicode when the locale is UTF-8, ASCII otherwise.
public struct BoxGlyphs: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    /// An arrow head for the timeline, a mark for committed entries, an ellipsis.
    public var arrowRight: Character
    public var arrowLeft: Character
    public var check: Character
    public var cross: Character

    public static let unicode = BoxGlyphs(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                          bottomLeft: "└", bottomRight: "┘", arrowRight: "▶",
                                          arrowLeft: "◀", check: "✓", cross: "✗")
    public static let ascii = BoxGlyphs(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
                                        bottomLeft: "+", bottomRight: "+", arrowRight: ">",
                                        arrowLeft: "<", check: "*", cross: "x")
}
