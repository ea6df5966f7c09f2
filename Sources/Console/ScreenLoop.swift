import ClusterAPI

/// What one turn of a screen loop did.
public struct ScreenTurn: Sendable {
    /// False ends the loop.
    public var goOn = true
    /// The model changed: paint a new frame.
    public var changed = false
    /// Something moves by itself (a replay playing): come back within a frame even without keys.
    public var animating = false

    public init(goOn: Bool = true, changed: Bool = false, animating: Bool = false) {
        self.goOn = goOn
        self.changed = changed
        self.animating = animating
    }
}

/// One terminal, driven from the calling thread: it paints the model when it changed (at most 30
/// frames a second, only the changed cells reach the terminal), records what was painted, and hands
/// the keys read to `turn`. The console, the scenario player and the replay share it.
public struct ScreenLoop {
    let recordPath: String?
    /// Takes over the terminal (the ncurses session, or a scripted one in tests).
    let openTerminal: () throws -> any ConsoleTerminal

    public init(recordPath: String?, openTerminal: @escaping () throws -> any ConsoleTerminal) {
        self.recordPath = recordPath
        self.openTerminal = openTerminal
    }

    /// Runs until `turn` says stop. `prepare` sets up the model once the terminal's size is known, and
    /// gets the waker other threads use to interrupt the wait for keys.
    public func run(nodeCount: Int, timing: Timing, prepare: (inout ConsoleModel, any ConsoleWaker) -> Void,
                    turn: (inout ConsoleModel, [Key], CastRecorder?) -> ScreenTurn) throws {
        let terminal = try openTerminal()
        defer { terminal.stop() }
        var model = ConsoleModel(width: terminal.size.width, height: terminal.size.height, nodeCount: nodeCount,
                                 timing: timing)
        model.summary.timing = timing
        model.glyphs = terminal.supportsUnicode ? .unicode : .ascii
        model.colors = terminal.hasColors
        model.recordingPath = recordPath
        prepare(&model, terminal.waker)
        let recorder = try recordPath.map {
            try CastRecorder(path: $0, width: terminal.size.width, height: terminal.size.height)
        }
        defer { recorder?.close() }
        var dirty = true
        var animating = false
        var lastFrame = ContinuousClock.now - .seconds(1)
        while true {
            if dirty && ContinuousClock.now - lastFrame >= .milliseconds(33) {
                let screen = ConsoleView.render(model)
                terminal.paint(screen)
                recorder?.frame(screen)
                lastFrame = .now
                dirty = false
            }
            // Idle: wake four times a second at most (a resize signal may land on another thread).
            let keys = terminal.waitForKeys(timeoutMs: dirty || animating ? 33 : 250)
            if keys.contains(.resize) {
                model.width = terminal.size.width
                model.height = terminal.size.height
                recorder?.resize(width: model.width, height: model.height)
            }
            let result = turn(&model, keys, recorder)
            guard result.goOn else { return }
            dirty = dirty || result.changed || !keys.isEmpty
            animating = result.animating
        }
    }
}
