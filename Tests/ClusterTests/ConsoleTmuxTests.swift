import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary inside tmux, driven by keys and read back with capture-pane, as a person would.
extension LiveClusterTests {
    @Suite("The console in tmux")
    struct ConsoleInTmux {
        @Test("120×40: five panes and one LEADER; kill leader shows DOWN and a new LEADER; partition in the header; q leaves a clean shell")
        func boxed() async throws {
            try await drive(width: 120, height: 40)
        }

        @Test("80×24: the compact layout does the same")
        func compact() async throws {
            try await drive(width: 80, height: 24)
        }

        @Test("--record writes an asciicast v2 file at 100×30 with markers; q asks before it stops")
        func recording() async throws {
            let session = try TmuxSession(name: "cd\(getpid())rec")
            defer { session.close() }
            let (binary, temporary, tmux) = (session.binary, session.temporary, session.tmux)
            let cast = "\(temporary.path)/demo.cast"
            try tmux.start(width: 100, height: 30, environment: ["TMPDIR": temporary.path])
            tmux.type("\(binary) --nodes 3 --pace real --record \(cast)", enter: true)
            let started = await eventually(within: 20, everyMs: 100) { leaders(in: tmux.capture()).count == 1 }
            #expect(started, "no leader on screen:\n\(tmux.capture())")
            tmux.type(":kill leader", enter: true)
            let failedOver = await eventually(within: 15, everyMs: 100) { tmux.capture().contains("DOWN") }
            #expect(failedOver)
            tmux.type("q", enter: false)
            let asked = await eventually(within: 5, everyMs: 100) { tmux.capture().contains("Press q again") }
            #expect(asked, "q did not ask while recording:\n\(tmux.capture())")
            tmux.type("q", enter: false)
            let quit = await eventually(within: 5, everyMs: 100) { nodesRunning(under: temporary.path).isEmpty }
            #expect(quit)

            let text = try String(contentsOfFile: cast, encoding: .utf8)
            let lines = text.split(separator: "\n")
            let parsed = lines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed])
            }
            #expect(parsed.count == lines.count, "every line is JSON")
            let header = parsed.first as? [String: Any]
            #expect(header?["version"] as? Int == 2)
            #expect(header?["width"] as? Int == 100)
            #expect(header?["height"] as? Int == 30)
            let events = parsed.dropFirst().compactMap { $0 as? [Any] }
            #expect(events.contains { $0[1] as? String == "o" })
            #expect(events.contains { $0[1] as? String == "m" && ($0[2] as? String)?.contains("kill") == true })
        }

        @Test("100×30: the timeline shows; start 3 --frozen swaps in three frozen nodes and reaps the five")
        func startFresh() async throws {
            let session = try TmuxSession(name: "cd\(getpid())start")
            defer { session.close() }
            let (binary, temporary, tmux) = (session.binary, session.temporary, session.tmux)
            try tmux.start(width: 100, height: 30, environment: ["TMPDIR": temporary.path])
            tmux.type("\(binary) --nodes 5 --pace real", enter: true)
            let started = await eventually(within: 20, everyMs: 100) {
                let screen = tmux.capture()
                return leaders(in: screen).count == 1 && screen.contains("messages") && screen.contains("events")
            }
            #expect(started, "no leader, timeline and events at 100×30:\n\(tmux.capture())")

            tmux.type(":start 3 --frozen", enter: true)
            let restarted = await eventually(within: 20, everyMs: 100) {
                let screen = tmux.capture()
                return screen.contains("fresh cluster of 3 nodes") && screen.contains("n3 FOLLOWER")
                    && nodesRunning(under: temporary.path).count == 3
            }
            #expect(restarted, "no fresh 3-node cluster:\n\(tmux.capture())")
            let screen = tmux.capture()
            #expect(screen.contains("FROZEN") && leaders(in: screen).isEmpty, "frozen: no election yet\n\(screen)")
            #expect(!screen.contains("n4 ") && !screen.contains("n5 "), "the old nodes still show:\n\(screen)")

            tmux.type("q", enter: false)
            let quit = await eventually(within: 5, everyMs: 100) { nodesRunning(under: temporary.path).isEmpty }
            #expect(quit, "node processes outlived the console: \(nodesRunning(under: temporary.path))")
        }

        @Test("120×40 --simulate 7: SIMULATED seed 7 in the header, a leader, and after kill leader a new one; no node process anywhere")
        func simulated() async throws {
            let session = try TmuxSession(name: "cd\(getpid())sim")
            defer { session.close() }
            let (binary, temporary, tmux) = (session.binary, session.temporary, session.tmux)
            try tmux.start(width: 120, height: 40, environment: ["TMPDIR": temporary.path])
            tmux.type("\(binary) --simulate 7", enter: true)
            let started = await eventually(within: 20, everyMs: 100) {
                let screen = tmux.capture()
                return screen.hasPrefix(" ClusterDeck  SIMULATED seed 7") && leaders(in: screen).count == 1
            }
            #expect(started, "no SIMULATED header with one LEADER:\n\(tmux.capture())")
            let firstLeader = leaders(in: tmux.capture()).first
            tmux.type(":kill leader", enter: true)
            let failedOver = await eventually(within: 15, everyMs: 100) {
                let screen = tmux.capture()
                let now = leaders(in: screen)
                return now.count == 1 && now.first != firstLeader && screen.contains("DOWN")
            }
            #expect(failedOver, "after kill leader, no DOWN node and new LEADER:\n\(tmux.capture())")
            #expect(nodesRunning(under: temporary.path).isEmpty, "the simulated cluster started node processes")
            tmux.type("q", enter: false)
            let quit = await eventually(within: 5, everyMs: 100) {
                tmux.capture().contains("--simulate 7 replays this run exactly")
            }
            #expect(quit, "the console did not quit with its seed line:\n\(tmux.capture())")
        }

        private func drive(width: Int, height: Int) async throws {
            let session = try TmuxSession(name: "cd\(getpid())x\(width)")
            defer { session.close() }
            let (binary, temporary, tmux) = (session.binary, session.temporary, session.tmux)
            try tmux.start(width: width, height: height, environment: ["TMPDIR": temporary.path])
            tmux.type("\(binary) --nodes 5 --pace real", enter: true)

            let started = await eventually(within: 20, everyMs: 100) {
                let screen = tmux.capture()
                return leaders(in: screen).count == 1 && (1...5).allSatisfy { screen.contains("n\($0) ") }
            }
            #expect(started, "no screen with 5 nodes and one LEADER:\n\(tmux.capture())")
            let firstLeader = leaders(in: tmux.capture()).first

            tmux.type(":kill leader", enter: true)
            let failedOver = await eventually(within: 15, everyMs: 100) {
                let screen = tmux.capture()
                let now = leaders(in: screen)
                return now.count == 1 && now.first != firstLeader && screen.contains("DOWN")
            }
            #expect(failedOver, "after kill leader, no DOWN node and new LEADER:\n\(tmux.capture())")

            tmux.type(":partition 1,2 | 3,4,5", enter: true)
            let partitioned = await eventually(within: 5, everyMs: 100) {
                let header = tmux.capture().split(separator: "\n").first.map(String.init) ?? ""
                return header.contains("1,2 | 3,4,5") || header.contains("1,2|3,4,5")
            }
            #expect(partitioned, "the header does not show the partition:\n\(tmux.capture())")
            #expect(nodesRunning(under: temporary.path).count == 4, "4 nodes run (one was killed)")

            tmux.type("q", enter: false)
            let quit = await eventually(within: 5, everyMs: 100) { nodesRunning(under: temporary.path).isEmpty }
            #expect(quit, "node processes outlived the console: \(nodesRunning(under: temporary.path))")
            tmux.type("echo console-gone-$((6*7))", enter: true)
            let clean = await eventually(within: 5, everyMs: 100) { tmux.capture().contains("console-gone-42") }
            #expect(clean, "the shell is not usable after q:\n\(tmux.capture())")
        }
    }
}

/// The node ids whose pane or line says LEADER.
func leaders(in screen: String) -> [Int] {
    screen.split(separator: "\n").compactMap { line -> Int? in
        guard let range = line.range(of: #"n(\d) LEADER"#, options: .regularExpression) else { return nil }
        return Int(line[range].dropFirst().prefix(1))
    }
}

/// `clusterdeck node` processes whose data lives under `root`.
func nodesRunning(under root: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        let line = ProcessTable.commandLine(pid)
        return line.contains(" node --id ") && line.contains(root) && ProcessTable.isAlive(pid)
    }
}

/// The clusterdeck binary, a temporary directory (its TMPDIR) and a private tmux server; `close()`
/// kills the server and any node left under the directory, then removes it.
struct TmuxSession {
    let binary: String
    let temporary: TemporaryDirectory
    let tmux: Tmux

    init(name: String) throws {
        binary = try ClusterDeckBinary.path()
        temporary = try TemporaryDirectory()
        tmux = Tmux(name: name)
    }

    func close() {
        tmux.killServer()
        for pid in nodesRunning(under: temporary.path) { kill(pid, SIGKILL) }
        temporary.remove()
    }
}

/// A private tmux server (its own socket name), so tests never touch a user's sessions.
struct Tmux {
    let name: String

    func start(width: Int, height: Int, environment: [String: String]) throws {
        let exports = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let shell = "env \(exports) PS1='$ ' LANG=C.UTF-8 sh"
        let status = run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", shell])
        guard status == 0 else { throw TestFailure("tmux new-session failed (is tmux installed?)") }
    }

    func type(_ text: String, enter: Bool) {
        _ = run(["send-keys", "-t", name, "-l", text])
        if enter { _ = run(["send-keys", "-t", name, "Enter"]) }
    }

    func capture() -> String {
        var output = ""
        _ = run(["capture-pane", "-t", name, "-p"], output: &output)
        return output
    }

    func killServer() {
        _ = run(["kill-server"])
    }

    /// Runs tmux and waits for it with waitpid. (Foundation's Process is not used: the tmux server that
    /// `new-session` forks inherits the descriptor Process watches for the child's exit, so Process
    /// would wait for the server too.) Output goes through a file, for the same reason.
    @discardableResult
    private func run(_ arguments: [String]) -> Int32 {
        spawn(arguments, outputPath: "/dev/null")
    }

    private func run(_ arguments: [String], output: inout String) -> Int32 {
        let path = "/tmp/cd-tmux-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        defer { unlink(path) }
        let status = spawn(arguments, outputPath: path)
        output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return status
    }

    private func spawn(_ arguments: [String], outputPath: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["tmux", "-L", name] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
