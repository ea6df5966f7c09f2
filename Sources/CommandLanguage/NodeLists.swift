/// The small punctuation grammar of node lists: `1,2 | 3,4,5` and `1->2`, with or without spaces.
///
/// Bare tokens are split into pieces here rather than in the tokenizer, so that keys and values
/// keep their commas, bars and arrows (`put path a->b` stores `a->b`).
enum NodeListPiece: Equatable {
    case number(Substring)
    case comma
    case bar
    case arrow
    /// Anything else: a run of characters that are none of the above.
    case other(Substring)
}

/// A piece with the column it starts at.
struct PositionedPiece: Equatable {
    var piece: NodeListPiece
    var column: Int
}

extension NodeListPiece {
    /// Splits a bare token into pieces.
    static func pieces(of token: Token) -> [PositionedPiece] {
        let text = token.text[...]
        var pieces: [PositionedPiece] = []
        var index = text.startIndex
        var offset = 0
        while index < text.endIndex {
            let start = index
            let startOffset = offset
            let piece: NodeListPiece
            let rest = text[index...]
            if rest.hasPrefix("->") {
                index = text.index(index, offsetBy: 2)
                piece = .arrow
            } else if text[index] == "," || text[index] == "|" {
                piece = text[index] == "," ? .comma : .bar
                index = text.index(after: index)
            } else if NumberSyntax.asciiDigit(text[index]) != nil {
                index = rest.firstIndex { NumberSyntax.asciiDigit($0) == nil } ?? text.endIndex
                piece = .number(text[start..<index])
            } else {
                index = text.index(after: index)
                while index < text.endIndex, !startsPiece(text[index...]) {
                    index = text.index(after: index)
                }
                piece = .other(text[start..<index])
            }
            offset += text.distance(from: start, to: index)
            pieces.append(PositionedPiece(piece: piece, column: token.column + startOffset))
        }
        return pieces
    }

    private static func startsPiece(_ text: Substring) -> Bool {
        guard let first = text.first else { return true }
        return text.hasPrefix("->") || first == "," || first == "|"
            || NumberSyntax.asciiDigit(first) != nil
    }

    /// How the piece reads in an error message.
    var shown: String {
        switch self {
        case .number(let text): Display.quote(text)
        case .comma: "`,`"
        case .bar: "`|`"
        case .arrow: "`->`"
        case .other(let text): Display.quote(text)
        }
    }
}

extension ArgumentReader {
    /// Reads every remaining argument as the groups of a partition.
    mutating func partitionGroups() throws(CommandError) -> [[Int]] {
        var pieces: [PositionedPiece] = []
        while !isAtEnd {
            pieces += NodeListPiece.pieces(of: try nextBare("node ids"))
        }
        guard let first = pieces.first else {
            throw error("missing groups of node ids, like 1,2 | 3,4,5", at: endColumn)
        }
        let groups = try groups(of: pieces)
        guard groups.count >= 2 else {
            throw error("a partition needs at least two groups separated by |", at: first.column)
        }
        try checkEveryNodeListed(groups, at: first.column)
        return groups
    }

    /// Reads the optional order after `partition ring`: every node once, separated by commas.
    mutating func ringOrder() throws(CommandError) -> [Int]? {
        if isNodeCountKnown, nodeIdMax < 3 {
            throw error("a ring needs at least 3 nodes", at: peek?.column ?? endColumn)
        }
        var pieces: [PositionedPiece] = []
        while !isAtEnd {
            pieces += NodeListPiece.pieces(of: try nextBare("node ids"))
        }
        guard let first = pieces.first else { return nil }
        if let bar = pieces.first(where: { $0.piece == .bar }) {
            throw error("a ring is one list of node ids in ring order, like 1,3,5,2,4: no `|`", at: bar.column)
        }
        let order = try groups(of: pieces)[0]
        guard order.count >= 3 else { throw error("a ring needs at least 3 nodes", at: first.column) }
        try checkEveryNodeListed([order], at: first.column, missing: "is not in the ring")
        return order
    }

    /// Reads the two halves after `partition bridge N between`: every node but the bridge once.
    mutating func bridgeHalves(bridge: Int) throws(CommandError) -> [[Int]] {
        var pieces: [PositionedPiece] = []
        while !isAtEnd {
            pieces += NodeListPiece.pieces(of: try nextBare("node ids"))
        }
        guard let first = pieces.first else {
            throw error("missing the two halves, like 1,2 | 4,5", at: endColumn)
        }
        let halves = try groups(of: pieces)
        guard halves.count == 2 else {
            throw error("a bridge joins exactly two halves separated by |", at: first.column)
        }
        if halves.joined().contains(bridge) {
            let listed = pieces.first { piece in
                if case .number(let text) = piece.piece { Int(text) == bridge } else { false }
            }
            throw error("node \(bridge) is the bridge: it is in both halves already",
                        at: listed?.column ?? first.column)
        }
        try checkEveryNodeListed(halves + [[bridge]], at: first.column, missing: "is in neither half")
        return halves
    }

    private func groups(of pieces: [PositionedPiece]) throws(CommandError) -> [[Int]] {
        var groups: [[Int]] = [[]]
        var seen: Set<Int> = []
        var expectsId = true
        for positioned in pieces {
            let column = positioned.column
            switch positioned.piece {
            case .number(let text) where expectsId:
                let id = try checkedNodeId(text, at: column, orLeader: false)
                guard seen.insert(id).inserted else {
                    throw error("node \(id) is listed twice", at: column)
                }
                groups[groups.count - 1].append(id)
                expectsId = false
            case .comma where !expectsId:
                expectsId = true
            case .bar where !expectsId:
                groups.append([])
                expectsId = true
            case .number, .comma, .bar, .arrow, .other:
                let wanted = expectsId ? "a node id" : "`,` or `|`"
                throw error("expected \(wanted), found \(positioned.piece.shown)", at: column)
            }
        }
        guard !expectsId else { throw error("missing a node id at the end", at: endColumn) }
        return groups
    }

    private func checkEveryNodeListed(
        _ groups: [[Int]],
        at column: Int,
        missing: String = "is in no group"
    ) throws(CommandError) {
        guard isNodeCountKnown, nodeIdMax >= 1 else { return }
        let listed = groups.flatMap { $0 }
        for id in 1...nodeIdMax where !listed.contains(id) {
            throw error(
                "node \(id) \(missing): list every node of the cluster exactly once",
                at: column
            )
        }
    }

    /// Reads `A->B` (also `A -> B`, `A ->B`, `A-> B`): two different node ids.
    mutating func directedLink() throws(CommandError) -> (from: Int, to: Int) {
        var pieces: [PositionedPiece] = []
        while pieces.count < 3, let token = peek, !token.isQuoted {
            _ = try next("a link")
            pieces += NodeListPiece.pieces(of: token)
        }
        if pieces.isEmpty, let quoted = peek {
            throw error("expected a link like 1->2, found a quoted string", at: quoted.column)
        }
        let from = try linkEnd(pieces, at: 0)
        try linkArrow(pieces)
        let to = try linkEnd(pieces, at: 2)
        if pieces.count > 3 {
            throw error("unexpected \(pieces[3].piece.shown) after the link", at: pieces[3].column)
        }
        guard from != to else {
            throw error(
                "a link joins two different nodes, not \(from) to itself",
                at: pieces[0].column
            )
        }
        return (from, to)
    }

    private func linkEnd(
        _ pieces: [PositionedPiece],
        at position: Int
    ) throws(CommandError) -> Int {
        let what = position == 0 ? "a link like 1->2" : "a node id after ->"
        guard position < pieces.count else { throw error("missing \(what)", at: endColumn) }
        guard case .number(let text) = pieces[position].piece else {
            throw error(
                "expected \(what), found \(pieces[position].piece.shown)",
                at: pieces[position].column
            )
        }
        return try checkedNodeId(text, at: pieces[position].column, orLeader: false)
    }

    private func linkArrow(_ pieces: [PositionedPiece]) throws(CommandError) {
        guard pieces.count > 1 else {
            throw error("missing -> and a second node id", at: endColumn)
        }
        guard pieces[1].piece == .arrow else {
            throw error(
                "expected -> between the node ids, found \(pieces[1].piece.shown)",
                at: pieces[1].column
            )
        }
    }
}
