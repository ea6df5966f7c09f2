import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A lesson played in the real console inside tmux, then its journal replayed, as a teacher would.
extension LiveClusterTests {
    @Suite("Scenarios and replay in tmux")
    struct PlaybackInTmux {
        static let deck = """
            start 3
            say "Hello from the deck"
            wait leader within 20s
            put x 1
            pause
            say "After the pause"
            expect get x == 1
            """

        @Test("play: caption bar, Enter past a pause, digest at exit; replay reaches the same digest and leader")
        func playThenReplay() async throws {
            let session = try TmuxSession(name: "cd\(getpid())play")
            defer { session.close() }
            let (binary, temporary, tmux) = (session.binary, session.temporary, session.tmux)
            let journal = "\(temporary.path)/run.jsonl"
            let cast = "\(temporary.path)/lesson.cast"
            try play(Self.deck, in: session, options: "--journal \(journal) --record \(cast)")

            let waiting = await eventually(within: 30, everyMs: 100) {
                let screen = tmux.capture()
                return screen.contains("Hello from the deck") && screen.contains("Enter continues")
            }
            #expect(waiting, "the caption bar never waited at the pause:\n\(tmux.capture())")
            tmux.type("", enter: true)
            let passed = await eventually(within: 20, everyMs: 100) {
                let screen = tmux.capture()
                return screen.contains("After the pause") && screen.contains("lesson finished")
            }
            #expect(passed, "the scenario did not finish after Enter:\n\(tmux.capture())")
            let liveLeaders = leaders(in: tmux.capture())
            #expect(liveLeaders.count == 1)

            tmux.type("q", enter: false)
            tmux.type("q", enter: false)
            let digested = await eventually(within: 10, everyMs: 100) {
                nodesRunning(under: temporary.path).isEmpty && fingerprint(in: tmux.capture()) != nil
            }
            #expect(digested, "no digest after quitting:\n\(tmux.capture())")
            let liveFingerprint = fingerprint(in: tmux.capture())

            tmux.type("clear", enter: true)
            let cleared = await eventually(within: 5, everyMs: 50) { fingerprint(in: tmux.capture()) == nil }
            #expect(cleared)
            tmux.type("\(binary) replay \(journal) --headless", enter: true)
            let replayed = await eventually(within: 10, everyMs: 100) { fingerprint(in: tmux.capture()) != nil }
            #expect(replayed, "replay --headless printed no digest:\n\(tmux.capture())")
            #expect(fingerprint(in: tmux.capture()) == liveFingerprint, "\(tmux.capture())")

            tmux.type("clear; \(binary) replay \(journal) --speed 8", enter: true)
            let ended = await eventually(within: 30, everyMs: 100) {
                tmux.capture().range(of: #"\|\| .*\[=+\]"#, options: .regularExpression) != nil
            }
            #expect(ended, "the replay never reached its end:\n\(tmux.capture())")
            #expect(leaders(in: tmux.capture()) == liveLeaders, "\(tmux.capture())")
            tmux.type("q", enter: false)

            let markers = try String(contentsOfFile: cast, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains("\"m\"") }
            #expect(markers.contains { $0.contains("Hello from the deck") }, "markers: \(markers)")
        }

        @Test("play waits for the reader after each step; q before the end says where the lesson stopped")
        func quitEarly() async throws {
            let session = try TmuxSession(name: "cd\(getpid())quit")
            defer { session.close() }
            let tmux = session.tmux
            try play("""
                start 3
                say "First step"
                wait leader within 20s
                say "Second step"
                put x 1
                say "Third step"
                expect get x == 1
                """, in: session, options: "; echo exit=$?")
            let reading = await eventually(within: 30, everyMs: 100) {
                let screen = tmux.capture()
                return screen.contains("First step") && screen.contains("step 1/3 · Enter: next step")
            }
            #expect(reading, "the lesson did not wait after its first step:\n\(tmux.capture())")
            try await Task.sleep(for: .seconds(2))
            #expect(!tmux.capture().contains("Second step"), "it went on without Enter:\n\(tmux.capture())")
            tmux.type("", enter: true)
            let second = await eventually(within: 20, everyMs: 100) {
                tmux.capture().contains("step 2/3 · Enter: next step")
            }
            #expect(second, "Enter did not show the second step:\n\(tmux.capture())")
            tmux.type("q", enter: false)
            let stopped = await eventually(within: 10, everyMs: 100) {
                let screen = tmux.capture()
                return screen.contains("lesson stopped at step 2/3") && screen.contains("exit=1")
            }
            #expect(stopped, "quitting early did not say where it stopped:\n\(tmux.capture())")
        }

        /// Writes `deck` and plays it in the session's tmux at 100×30 (real pace), with `options` after
        /// the command.
        private func play(_ deck: String, in session: TmuxSession, options: String) throws {
            let path = "\(session.temporary.path)/lesson.deck"
            try deck.write(toFile: path, atomically: true, encoding: .utf8)
            try session.tmux.start(width: 100, height: 30, environment: ["TMPDIR": session.temporary.path])
            session.tmux.type("\(session.binary) play \(path) --pace real \(options)", enter: true)
        }

        private func fingerprint(in screen: String) -> String? {
            guard let range = screen.range(of: #"fingerprint [0-9a-f]+"#, options: .regularExpression) else {
                return nil
            }
            return String(screen[range])
        }
    }
}
