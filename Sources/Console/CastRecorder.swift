import Foundation

/// Writes an asciicast v2 file (asciinema's format) of exactly what the console painted: a header
/// line, then `[seconds, "o", data]` output events with the ANSI sequences that redraw each frame's
/// changed cells, `[seconds, "m", label]` markers at every fault, command and caption (players pause
/// there) and `[seconds, "r", "WxH"]` on every resize.
public final class CastRecorder {
    private let file: FileHandle
    private let started: ContinuousClock.Instant
    private var previous: Screen?
    public let path: String

    /// Creates (truncates) `path` and writes the header.
    public init(path: String, width: Int, height: Int, title: String = "ClusterDeck") throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CastError(description: "cannot create \(path)")
        }
        self.path = path
        file = handle
        started = .now
        let header: [String: Any] = [
            "version": 2, "width": width, "height": height,
            "timestamp": Int(Date().timeIntervalSince1970), "title": title,
            "env": ["TERM": "xterm-256color", "SHELL": "/bin/sh"],
        ]
        try writeLine(JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    }

    /// Records a painted frame: only what changed since the last one (everything after a resize).
    public func frame(_ screen: Screen) {
        var data = previous == nil || previous?.width != screen.width || previous?.height != screen.height
            ? "\u{1b}[0m\u{1b}[2J" : ""
        data += ANSIEncoder.encode(screen.changes(since: previous))
        previous = screen
        guard !data.isEmpty else { return }
        event("o", data)
    }

    /// A marker: players pause here; the label names the fault, command or caption.
    public func marker(_ label: String) {
        event("m", label)
    }

    public func resize(width: Int, height: Int) {
        event("r", "\(width)x\(height)")
        previous = nil
    }

    public func close() {
        try? file.close()
    }

    private func event(_ kind: String, _ data: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rounded = (seconds * 1_000_000).rounded() / 1_000_000
        guard let line = try? JSONSerialization.data(withJSONObject: [rounded, kind, data]) else { return }
        try? writeLine(line)
    }

    private func writeLine(_ data: Data) throws {
        file.write(data + Data("\n".utf8))
    }
}

/// A recording could not be started.
public struct CastError: Error, CustomStringConvertible {
    public var description: String
}

/// ANSI escape sequences that draw runs of cells on a terminal.
public enum ANSIEncoder {
    public static func encode(_ runs: [Screen.Run]) -> String {
        var output = ""
        for run in runs {
            output += "\u{1b}[\(run.y + 1);\(run.x + 1)H" + sgr(run.style) + run.text
        }
        return output
    }

    /// Select Graphic Rendition for a style, starting from a reset.
    static func sgr(_ style: CellStyle) -> String {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.reverse { codes.append("7") }
        if let foreground = style.foreground { codes.append("\(30 + Int(foreground.rawValue))") }
        if let background = style.background { codes.append("\(40 + Int(background.rawValue))") }
        return "\u{1b}[" + codes.joined(separator: ";") + "m"
    }
}
