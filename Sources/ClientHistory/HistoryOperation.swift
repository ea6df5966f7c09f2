import Foundation

/// One client operation, one line of a history file (docs/HISTORY.md): what was asked, when, and
/// how it ended. The field names are the file's, so the type decodes the file as it is.
public struct HistoryOperation: Codable, Sendable, Equatable {
    /// How the operation ended.
    public enum Outcome: String, Codable, Sendable {
        /// Took effect (a write) or was answered (a read).
        case ok
        /// Certainly did not take effect.
        case fail
        /// May or may not have taken effect: the client gave up without an answer.
        case unknown
    }

    /// The named client that issued the operation.
    public var process: String
    /// What it did: `put`, `get`, `del`, `cas`, `lock`, `unlock`, or a kind the checker ignores.
    public var f: String
    /// The key, or the lock's name.
    public var key: String
    /// put: the value written; get: the value read (nil when absent).
    public var value: String?
    /// cas: the value expected.
    public var old: String?
    /// cas: the value to set; lock and unlock: the result as text.
    public var new: String?
    /// Seconds since the run began when the client issued the operation.
    public var invoke: Double
    /// Seconds since the run began when the outcome was known; nil when `unknown`.
    public var complete: Double?
    /// How it ended.
    public var outcome: Outcome
    /// lock: the fencing token granted; fenced put: the token it carried.
    public var token: Int?
    /// lock and campaign: the lease asked for, in milliseconds (the file's `ttl`).
    public var ttlMs: Int?
    /// The service's answer, when there is more to say than the outcome: `granted`, `queued`,
    /// `released`, `withdrawn`, `notHeld`, `compareFailed`, `fenced`, …
    public var result: String?
    /// get: true when the read was a deliberately stale one from a single replica.
    public var stale: Bool?
    /// put, del and cas answered ok: the value the key held just before, as the answer said (nil:
    /// absent or not recorded). The simulator records it; `ExactlyOnceChecker` reads it.
    public var previous: String?

    enum CodingKeys: String, CodingKey {
        case process, f, key, value, old, new, invoke, complete, outcome, token, result, stale, previous
        case ttlMs = "ttl"
    }

    /// Creates an operation; the fields the file may leave out default to nil.
    public init(process: String, f: String, key: String, value: String? = nil, old: String? = nil,
                new: String? = nil, invoke: Double, complete: Double?, outcome: Outcome,
                token: Int? = nil, ttlMs: Int? = nil, result: String? = nil, stale: Bool? = nil,
                previous: String? = nil) {
        self.process = process
        self.f = f
        self.key = key
        self.value = value
        self.old = old
        self.new = new
        self.invoke = invoke
        self.complete = complete
        self.outcome = outcome
        self.token = token
        self.ttlMs = ttlMs
        self.result = result
        self.stale = stale
        self.previous = previous
    }
}

/// Why a history file could not be read: the 1-based line and what is wrong with it.
public struct HistoryDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number in the text.
    public var line: Int
    /// What is wrong, in words.
    public var message: String

    /// Creates an error.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: MESSAGE`.
    public var description: String { "line \(line): \(message)" }
}

extension HistoryOperation {
    /// Reads a history file: one JSON object per line; blank lines are skipped.
    ///
    /// - Parameter text: the file's contents.
    /// - Returns: the operations, in file order.
    /// - Throws: `HistoryDecodingError` naming the first line that is not an operation (bad JSON,
    ///   a missing or mistyped field, an ok operation without `complete`, `complete` before
    ///   `invoke`).
    public static func decodeLines(
        _ text: String
    ) throws(HistoryDecodingError) -> [HistoryOperation] {
        let decoder = JSONDecoder()
        var operations: [HistoryOperation] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so both endings are named.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for line in lines {
            lineNumber += 1
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            let operation: HistoryOperation
            do {
                operation = try decoder.decode(HistoryOperation.self, from: Data(line.utf8))
            } catch let error as DecodingError {
                throw HistoryDecodingError(line: lineNumber, message: describe(error))
            } catch {
                throw HistoryDecodingError(line: lineNumber, message: "not a history operation")
            }
            if let problem = operation.problem {
                throw HistoryDecodingError(line: lineNumber, message: problem)
            }
            operations.append(operation)
        }
        return operations
    }

    /// What makes this operation unusable, or nil when it is well formed.
    public var problem: String? {
        guard invoke.isFinite else { return "invoke must be a finite number" }
        if let complete {
            guard complete.isFinite else { return "complete must be a finite number" }
            guard complete >= invoke else {
                return "complete (\(complete)) is before invoke (\(invoke))"
            }
        } else if outcome != .unknown {
            return "an operation whose outcome is \(outcome.rawValue) needs a complete time"
        }
        switch f {
        case "put" where value == nil: return "a put needs a value"
        case "cas" where old == nil || new == nil: return "a cas needs old and new"
        default: return nil
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return "missing field \"\(key.stringValue)\""
        case .valueNotFound(_, let context):
            return "field \"\(field(context.codingPath))\" must not be null"
        case .typeMismatch(_, let context):
            guard !context.codingPath.isEmpty else { return "not a JSON object" }
            return "field \"\(field(context.codingPath))\" has the wrong type"
        case .dataCorrupted(let context):
            guard !context.codingPath.isEmpty else { return "not valid JSON" }
            return "field \"\(field(context.codingPath))\" has an unknown value"
        @unknown default:
            return "not a history operation"
        }
    }
}
