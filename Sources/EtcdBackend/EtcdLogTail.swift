import Foundation

/// The line of an etcd member's log that says why it stopped: etcd logs JSON lines (zap), and the
/// last "fatal" or "error" one names the cause ("listen tcp 127.0.0.1:2380: bind: address already
/// in use"). Pure over the log's text.
public enum EtcdLogTail {
    /// The cause, in one line of at most `limit` characters; nil for an empty log.
    public static func explanation(of text: String, limit: Int = 200) -> String? {
        let lines = text.split(separator: "\n").map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
        let worst = lines.last { level(of: $0) == "fatal" || level(of: $0) == "panic" }
            ?? lines.last { level(of: $0) == "error" } ?? lines.last
        guard let worst else { return nil }
        return String(readable(worst).prefix(limit))
    }

    /// The explanation from the last 16 KB of the log file at `path`.
    public static func explanation(ofFile path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        let size = (try? file.seekToEnd()) ?? 0
        try? file.seek(toOffset: size > 16_384 ? size - 16_384 : 0)
        return explanation(of: String(decoding: (try? file.readToEnd()) ?? Data(), as: UTF8.self))
    }

    private static func fields(of line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    private static func level(of line: String) -> String? {
        fields(of: line)?["level"] as? String
    }

    /// "msg: error" from a JSON line; the line itself when it is not JSON.
    private static func readable(_ line: String) -> String {
        guard let object = fields(of: line), let message = object["msg"] as? String else { return line }
        guard let error = object["error"] as? String else { return message }
        return "\(message): \(error)"
    }
}
