import Foundation

/// Draws a few operations as bars on one time axis, so a person can see what overlapped what.
///
/// ```
///   process  operation   1.00 s                                  2.10 s
///   alice    put x 1     [========]                                        1.000–1.200 s
///   bob      get x → 1                                          [=======]  1.900–2.100 s
/// ```
/// An operation whose outcome is unknown runs to the right edge as `[------>`.
public enum Timeline {
    /// Width of the bar area, in columns.
    static let barWidth = 40
    static let processWidthMax = 10
    static let operationWidthMax = 24

    /// The timeline of `operations`, sorted by invoke time: a header line, then one line each.
    public static func lines(_ operations: [HistoryOperation]) -> [String] {
        guard !operations.isEmpty else { return [] }
        let sorted = operations.sorted {
            ($0.invoke, $0.complete ?? .infinity) < ($1.invoke, $1.complete ?? .infinity)
        }
        let start = sorted.map(\.invoke).min() ?? 0
        let end = sorted.map { $0.complete ?? $0.invoke }.max() ?? start
        let span = max(end - start, 0.001)
        let processWidth = min(processWidthMax, max(7, sorted.map(\.process.count).max() ?? 0))
        let texts = sorted.map { OperationText.describe($0) }
        let operationWidth = min(operationWidthMax, max(9, texts.map(\.count).max() ?? 0))
        let startLabel = seconds(start)
        let endLabel = seconds(start + span)
        let gapWidth = max(1, barWidth - startLabel.count - endLabel.count)
        let gap = String(repeating: " ", count: gapWidth)
        var lines = ["  " + fit("process", processWidth) + "  " + fit("operation", operationWidth)
            + "  " + startLabel + gap + endLabel]
        for (operation, text) in zip(sorted, texts) {
            let bar = self.bar(operation, start: start, span: span)
            lines.append("  " + fit(operation.process, processWidth) + "  "
                + fit(text, operationWidth) + "  " + bar + "  " + interval(operation))
        }
        return lines
    }

    private static func bar(_ operation: HistoryOperation, start: Double, span: Double) -> String {
        func column(_ time: Double) -> Int {
            let position = ((time - start) / span * Double(barWidth - 1)).rounded()
            return min(barWidth - 1, max(0, Int(position)))
        }
        var cells = Array(repeating: Character(" "), count: barWidth)
        let first = column(operation.invoke)
        guard let complete = operation.complete, operation.outcome != .unknown else {
            for index in first..<barWidth { cells[index] = "-" }
            cells[first] = "["
            cells[barWidth - 1] = ">"
            return String(cells)
        }
        let last = column(complete)
        guard last > first else {
            cells[first] = "|"
            return String(cells)
        }
        for index in first...last { cells[index] = "=" }
        cells[first] = "["
        cells[last] = "]"
        return String(cells)
    }

    private static func interval(_ operation: HistoryOperation) -> String {
        let from = String(format: "%.3f", operation.invoke)
        guard let complete = operation.complete, operation.outcome != .unknown else {
            return "\(from)–? s (unknown)"
        }
        return "\(from)–\(String(format: "%.3f", complete)) s"
    }

    static func seconds(_ time: Double) -> String {
        String(format: "%.2f s", time)
    }

    /// `text` padded or cut to exactly `width` columns.
    static func fit(_ text: String, _ width: Int) -> String {
        guard text.count <= width else { return String(text.prefix(width - 1)) + "…" }
        return text + String(repeating: " ", count: width - text.count)
    }
}

/// How an operation reads in reports: `put x 1`, `get x → 1`, `cas x 1→2`, `lock L → token 3`.
public enum OperationText {
    /// One short phrase for `operation`.
    public static func describe(_ operation: HistoryOperation) -> String {
        let key = word(operation.key)
        switch operation.f {
        case "put":
            let fence = operation.token.map { " fence \($0)" } ?? ""
            return "put \(key) \(word(operation.value))\(fence)"
        case "get":
            guard operation.outcome == .ok else { return "get \(key)" }
            return "get \(key) → \(operation.value.map(word) ?? "nothing")"
        case "del":
            return "del \(key)"
        case "cas":
            return "cas \(key) \(word(operation.old))→\(word(operation.new))"
        case "lock", "unlock":
            return "\(operation.f) \(key)" + (lockResult(operation).map { " → \($0)" } ?? "")
        default:
            return "\(operation.f) \(key)"
        }
    }

    private static func lockResult(_ operation: HistoryOperation) -> String? {
        guard operation.outcome == .ok else { return operation.outcome.rawValue }
        let result = LockEvidence.result(of: operation)
        if result == "granted", let token = LockEvidence.token(of: operation) {
            return "token \(token)"
        }
        return result
    }

    /// A value as written in a command: bare when it has no spaces, else quoted.
    static func word(_ text: String?) -> String {
        guard let text else { return "nothing" }
        let isBare = !text.isEmpty && !text.contains { $0.isWhitespace || $0 == "\"" }
        return isBare ? text : "\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\""
    }
}
