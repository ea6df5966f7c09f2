import Foundation

/// One client operation, in the format of docs/HISTORY.md: what was asked, when, and how it ended.
public struct HistoryRecord: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case ok, fail, unknown
    }

    /// The client that issued it.
    public var process: String
    /// "put", "get", "del" or "cas".
    public var f: String
    public var key: String
    /// put: the value written; get: the value read (null when absent).
    public var value: String?
    /// cas: the expected and the new value.
    public var old: String?
    public var new: String?
    /// Seconds since the run began.
    public var invoke: Double
    /// Null when the outcome is unknown.
    public var complete: Double?
    public var outcome: Outcome

    /// One JSON line (keys sorted, nulls written out so every line has every field).
    public var jsonLine: String {
        func quoted(_ text: String?) -> String {
            guard let text else { return "null" }
            let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        let completeText = complete.map { String(format: "%.6f", $0) } ?? "null"
        return "{\"complete\":\(completeText),\"f\":\(quoted(f)),\"invoke\":\(String(format: "%.6f", invoke)),"
            + "\"key\":\(quoted(key)),\"new\":\(quoted(new)),\"old\":\(quoted(old)),"
            + "\"outcome\":\(quoted(outcome.rawValue)),\"process\":\(quoted(process)),\"value\":\(quoted(value))}"
    }
}

/// Appends history records to a JSON-lines file and keeps them in memory.
final class HistoryLog {
    private(set) var records: [HistoryRecord] = []
    private let file: FileHandle?

    init(path: String?) {
        if let path, FileManager.default.createFile(atPath: path, contents: nil) {
            file = FileHandle(forWritingAtPath: path)
        } else {
            file = nil
        }
    }

    func append(_ record: HistoryRecord) {
        records.append(record)
        file?.write(Data((record.jsonLine + "\n").utf8))
    }

    func close() {
        try? file?.close()
    }
}
