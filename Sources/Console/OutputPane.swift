/// Text too long for the status line (`status`, `log N`, `help`, `?`), shown over the panes and
/// scrolled with ↑/↓, PgUp/PgDn, Home/End; Esc or q closes it.
public struct OutputPane: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A command's output.
        case output
        /// The `?` help: keys, commands and the legend of the symbols on screen.
        case help
    }

    public var kind: Kind
    public var title: String
    public var lines: [String]
    /// The first row shown, counted in wrapped rows.
    public private(set) var top = 0

    public init(kind: Kind, title: String, lines: [String]) {
        self.kind = kind
        self.title = title
        self.lines = lines
    }

    /// Where the pane sits on a `width`×`height` screen: below the header, above the status line,
    /// at most 100 columns wide (long lines read badly), centred.
    public static func frame(width: Int, height: Int) -> Rect {
        let paneWidth = max(0, min(width, 100))
        return Rect(x: (width - paneWidth) / 2, y: 1, width: paneWidth, height: max(0, height - 3))
    }

    /// The text as rows of the pane's inner width (one column of margin each side): long lines wrap
    /// at word boundaries, continuing under their second column (`usage  summary`), or indented.
    public func rows(width: Int, height: Int) -> [String] {
        let textWidth = Self.frame(width: width, height: height).inner.width - 2
        return lines.flatMap { line in
            line.wrapped(width: textWidth, indent: String(repeating: " ", count: Self.continuationColumn(
                of: line, width: textWidth)))
        }
    }

    /// Where a wrapped line goes on: under the text after its first gap of two spaces (a table's
    /// second column) when that is in the left half, else two columns in from the line's indentation.
    static func continuationColumn(of line: String, width: Int) -> Int {
        let characters = Array(line)
        let leading = characters.prefix { $0 == " " }.count
        let gap = characters.firstBoundary(of: "  ", after: leading)
        guard let gap, let column = characters[gap...].firstIndex(where: { $0 != " " }), column <= width / 2 else {
            return leading + 2
        }
        return column
    }

    /// How many rows show at once.
    public static func visibleRowCount(height: Int) -> Int {
        frame(width: 0, height: height).inner.height
    }

    /// Scrolls for a scroll key, kept within the text; false for any other key.
    mutating func scroll(for key: Key, width: Int, height: Int) -> Bool {
        let page = max(1, Self.visibleRowCount(height: height) - 1)
        let last = max(0, rows(width: width, height: height).count - Self.visibleRowCount(height: height))
        switch key {
        case .up: top -= 1
        case .down: top += 1
        case .pageUp: top -= page
        case .pageDown, .character(" "): top += page
        case .home: top = 0
        case .end: top = last
        default: return false
        }
        top = min(max(0, top), last)
        return true
    }
}
