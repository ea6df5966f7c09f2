import Foundation
import Raft

/// Every cluster event as a JSON line with its time, for replay and for people reading after a run.
final class Journal {
    private let file: FileHandle

    /// Opens (truncates) `path`; nil when it cannot be created.
    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else { return nil }
        file = handle
    }

    func record(_ event: ClusterEvent, atSeconds seconds: Double) {
        var object = event.journalFields
        object["t"] = (seconds * 1_000_000).rounded() / 1_000_000
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return
        }
        file.write(data + Data("\n".utf8))
    }

    func close() {
        try? file.close()
    }
}

extension ClusterEvent {
    /// The event's fields for the journal (without the time).
    var journalFields: [String: Any] {
        switch self {
        case .node(let id, let event):
            var fields: [String: Any] = ["type": "node", "node": id, "kind": event.kind, "text": event.text,
                                         "term": event.term]
            if let index = event.index { fields["index"] = index }
            return fields
        case .nodeStarted(let id, let pid):
            return ["type": "started", "node": id, "pid": Int(pid)]
        case .nodeStopped(let id, let reason):
            return ["type": "stopped", "node": id, "reason": reason]
        case .action(let text):
            return ["type": "action", "text": text]
        case .message(let record):
            return ["type": "message", "from": record.header.from, "to": record.header.to,
                    "kind": record.header.typeName, "term": record.header.term,
                    "entries": record.header.entryCount, "fate": record.fate.rawValue]
        case .client(let record):
            var fields: [String: Any] = ["type": "client", "process": record.process, "f": record.f,
                                         "key": record.key, "outcome": record.outcome.rawValue,
                                         "invoke": record.invoke]
            if let value = record.value { fields["value"] = value }
            if let complete = record.complete { fields["complete"] = complete }
            return fields
        }
    }
}
