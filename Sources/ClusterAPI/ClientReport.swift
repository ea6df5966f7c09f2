/// A client operation as the event log tells it: the history record, which node answered, and why
/// it failed or stayed unknown, so a reader sees what a result means (`get x → 1 (stale read from
/// n1)`, `put balance → refused: fencing token 1 < 2`).
public struct ClientReport: Sendable, Equatable {
    public var operation: HistoryRecord
    /// The node whose answer ended the operation (nil when none answered).
    public var node: NodeID?
    /// Why it failed or is unknown, in words.
    public var reason: String?
    /// The node that answered is a primary/backup primary: its reads are not linearizable (nothing
    /// confirms it still is the primary) and its writes are not committed by a quorum.
    public var fromPrimary: Bool

    public init(operation: HistoryRecord, node: NodeID? = nil, reason: String? = nil, fromPrimary: Bool = false) {
        self.operation = operation
        self.node = node
        self.reason = reason
        self.fromPrimary = fromPrimary
    }

    /// One line: who, what, and the result with its meaning.
    public var text: String {
        // The unnamed client is the user at the command line: no name to show.
        (operation.process == "default" ? "" : "\(operation.process): ") + "\(asked) → \(result)\(waited)"
    }

    /// " after 3.2 s" for an operation that took a second or more (waiting out a dead leader, a
    /// replica's acknowledgement): how long it took is part of what happened.
    private var waited: String {
        guard let complete = operation.complete, complete - operation.invoke >= 1 else { return "" }
        let tenths = Int(((complete - operation.invoke) * 10).rounded())
        return " after \(tenths / 10).\(tenths % 10) s"
    }

    /// What was asked, briefly: `get x`, `put x=1`, `put balance=0 fence 1`, `cas x 1→2`, `lock L`.
    private var asked: String {
        let key = operation.key
        switch operation.f {
        case "put":
            let fence = operation.token.map { " fence \($0)" } ?? ""
            return "put \(key)=\(Self.short(operation.value))\(fence)"
        case "cas": return "cas \(key) \(Self.short(operation.old))→\(Self.short(operation.new))"
        default: return "\(operation.f) \(key)"
        }
    }

    private var via: String { node.map { "n\($0)" } ?? "?" }

    private var result: String {
        switch operation.outcome {
        case .unknown: return "unknown: \(reason ?? "no answer") (it may or may not have applied)"
        case .fail: return failure
        case .ok: return success
        }
    }

    private var success: String {
        switch operation.f {
        case "get" where operation.stale == true:
            return "\(Self.short(operation.value ?? "none")) (stale read from \(via))"
        case "get" where fromPrimary: return "\(Self.short(operation.value ?? "none")) (read from primary \(via))"
        case "get": return "\(Self.short(operation.value ?? "none")) (linearizable, via \(via))"
        case "lock" where operation.result == "granted":
            return "granted, token \(operation.token.map(String.init) ?? "?")"
        case "lock" where operation.result == "queued": return operation.new ?? "queued"
        case "lock", "unlock", "campaign", "resign": return operation.new ?? operation.result ?? "ok"
        default: return fromPrimary ? "ok (acknowledged by primary \(via))" : "ok (committed via \(via))"
        }
    }

    private var failure: String {
        switch operation.result {
        case "fenced": return "refused: \(reason ?? "a higher fencing token wrote it")"
        case "compareFailed": return "failed: \(reason ?? "the value differs")"
        default: return "failed: \(reason ?? "refused")"
        }
    }

    /// A value as the event log shows it: cut past 24 characters.
    private static func short(_ value: String?) -> String {
        guard let value else { return "none" }
        return value.count > 24 ? String(value.prefix(23)) + "…" : value
    }
}
