/// Text sized to a number of columns without cutting words: every `Screen.write` that would overflow
/// goes through `cut(toWidth:at:)`, panes with room wrap with `wrapped(width:rows:at:indent:)`, and
/// lines of fields drop the least important ones whole with `fitting(width:)`.
extension String {
    /// The mark of text left out.
    static let cutMark = "…"

    /// The text in at most `width` columns. When it does not fit: the longest prefix that ends where
    /// a `separator` starts, then "…". A first word wider than `width` is the only thing cut inside
    /// (it has no boundary to cut at).
    /// - Parameters:
    ///   - width: columns available (one character is one column here).
    ///   - separator: what separates the units that must stay whole: " " for words, "  " for the
    ///     fields of a pane line (`term 3  vote n1`), so a field is never split from its value.
    /// - Returns: `self` when it fits, else a shorter text ending in "…".
    public func cut(toWidth width: Int, at separator: String = " ") -> String {
        guard count > width else { return self }
        guard width > 1 else { return width == 1 ? Self.cutMark : "" }
        let characters = Array(self)
        guard let boundary = characters.lastBoundary(of: separator, atOrBefore: width - 1, after: 0) else {
            return String(characters.prefix(width - 1)) + Self.cutMark
        }
        return String(characters.prefix(boundary)).trimmingTrailingSpaces + Self.cutMark
    }

    /// Wrapped to rows of at most `width` columns at `separator`s, the spacing inside each row kept
    /// (aligned columns stay aligned); continuation rows start with `indent`.
    /// - Parameters:
    ///   - rows: most rows; when text is left over, the last row is cut with "…".
    ///   - separator: as for `cut(toWidth:at:)`.
    /// - Returns: at least one row.
    public func wrapped(width: Int, rows: Int = Int.max, at separator: String = " ", indent: String = "")
        -> [String] {
        guard width > indent.count + 1, rows > 1 else { return [cut(toWidth: width, at: separator)] }
        var lines: [String] = []
        var rest = Array(self)
        while rest.count > width, lines.count < rows - 1 {
            let boundary = rest.lastBoundary(of: separator, atOrBefore: width, after: indent.count)
                ?? rest.firstBoundary(of: separator, after: width)
            guard let boundary else { break }
            lines.append(String(rest.prefix(boundary)).trimmingTrailingSpaces.cut(toWidth: width))
            // The separator goes with the break (a ", " ends the row without its comma).
            let next = rest.dropFirst(boundary + separator.count).drop { $0 == " " }
            guard !next.isEmpty else { return lines }
            rest = Array(indent) + next
        }
        return lines + [String(rest).cut(toWidth: width, at: separator)]
    }

    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Array where Element == (text: String, priority: Int) {
    /// The fields, in order, that fit in `width` columns together: the lowest priorities go first
    /// (a field is never split).
    func fitting(width: Int) -> String {
        var kept = self
        while kept.map(\.text.count).reduce(0, +) > width,
              let least = kept.indices.min(by: { kept[$0].priority < kept[$1].priority }) {
            kept.remove(at: least)
        }
        return kept.map(\.text).joined().trimmingTrailingSpaces
    }
}

extension Array where Element == Character {
    /// The last position in `(after + 1)...limit` where `separator` starts.
    func lastBoundary(of separator: String, atOrBefore limit: Int, after floor: Int) -> Int? {
        let mark = Array(separator)
        guard limit > floor else { return nil }
        return stride(from: Swift.min(limit, count - mark.count), through: floor + 1, by: -1).first {
            Array(self[$0..<$0 + mark.count]) == mark
        }
    }

    /// The first position after `floor` where `separator` starts.
    func firstBoundary(of separator: String, after floor: Int) -> Int? {
        let mark = Array(separator)
        guard floor + 1 <= count - mark.count else { return nil }
        return (floor + 1...count - mark.count).first { Array(self[$0..<$0 + mark.count]) == mark }
    }
}
