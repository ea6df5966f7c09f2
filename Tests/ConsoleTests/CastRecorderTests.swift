import Foundation
import Testing
@testable import Console

@Suite("Asciicast recording")
struct CastRecorderTests {
    private func lines(of path: String) throws -> [Any] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        }
    }

    @Test("a cast is a v2 header then output, marker and resize events, each a JSON line")
    func castFormat() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cast-\(UUID()).cast").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try CastRecorder(path: path, width: 100, height: 30)
        var screen = Screen(width: 100, height: 30)
        screen.write("hello", x: 0, y: 0, style: CellStyle(foreground: .green, bold: true))
        recorder.frame(screen)
        recorder.marker("kill leader")
        screen.write("J", x: 0, y: 0)
        recorder.frame(screen)
        recorder.frame(screen)
        recorder.resize(width: 80, height: 24)
        recorder.close()

        let parsed = try lines(of: path)
        let header = try #require(parsed.first as? [String: Any])
        #expect(header["version"] as? Int == 2)
        #expect(header["width"] as? Int == 100)
        #expect(header["height"] as? Int == 30)
        #expect(header["timestamp"] is Int)
        let events = try parsed.dropFirst().map { try #require($0 as? [Any]) }
        #expect(events.map { $0[1] as? String } == ["o", "m", "o", "r"], "an unchanged frame writes nothing")
        #expect(events.allSatisfy { $0.count == 3 && $0[0] is Double || $0[0] is Int })
        let first = try #require(events[0][2] as? String)
        #expect(first.contains("\u{1b}[2J"), "the first frame clears the screen")
        #expect(first.contains("\u{1b}[0;1;32mhello"))
        #expect(events[1][2] as? String == "kill leader")
        #expect(events[2][2] as? String == "\u{1b}[1;1H\u{1b}[0mJ", "the second frame redraws one cell")
        #expect(events[3][2] as? String == "80x24")
    }

    @Test("a recording console asks before q quits")
    func quitConfirmation() {
        var model = Fixtures.model(width: 120, height: 40)
        model.recordingPath = "/tmp/x.cast"
        #expect(model.handle(.character("q")).isEmpty)
        #expect(model.status.contains("Press q again"))
        #expect(model.handle(.character("q")) == [.quit])
        var other = Fixtures.model(width: 120, height: 40)
        other.recordingPath = "/tmp/x.cast"
        _ = other.handle(.character("q"))
        _ = other.handle(.character("1"))
        #expect(other.handle(.character("q")).isEmpty, "another key cancels the pending quit")
    }
}
