import Cluster
import Foundation

/// Prints results and events, as text or JSON lines.
enum ShellOutput {
    static func echo(_ line: String) {
        say("> \(line)")
    }

    static func result(_ output: CommandOutput, json: Bool) {
        if json {
            say(jsonLine(["type": "result", "ok": output.ok, "lines": output.lines]))
        } else {
            for line in output.lines { say(line) }
        }
    }

    static func event(_ event: ClusterEvent, json: Bool) {
        if json {
            say(jsonLine(["type": "event", "text": event.text]))
        } else {
            say("  · \(event.text)")
        }
    }

    private static func jsonLine(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
