import ClusterAPI

/// Moves through a journal in time with the wall clock (times the speed), applying each entry to the
/// console's model as the live console would have.
public struct ReplayRunner<Run: RecordedRun> {
    let replay: Run
    let file: String
    let speed: Double
    let openTerminal: () throws -> any ConsoleTerminal

    public init(replay: Run, file: String, speed: Double, openTerminal: @escaping () throws -> any ConsoleTerminal) {
        self.replay = replay
        self.file = file
        self.speed = speed
        self.openTerminal = openTerminal
    }

    public func run(recordPath: String?) throws {
        var cursor = replay.rewound()
        var lastTurn = ContinuousClock.now
        let timing = replay.initialTiming ?? .teach
        try ScreenLoop(recordPath: recordPath, openTerminal: openTerminal).run(nodeCount: replay.nodeCount, timing: timing) { model, _ in
            model.replay = ReplayProgress(file: file, position: replay.startTime, duration: replay.duration,
                                          speed: speed)
            model.apply(result: .init(lines: ["Replaying \(file): a recorded run; nothing here touches a cluster."]),
                        of: "replay")
            show(&cursor, at: replay.startTime, in: &model, recorder: nil)
        } turn: { model, keys, recorder in
            let now = ContinuousClock.now
            let elapsed = Double((now - lastTurn).components.attoseconds) / 1e18
                + Double((now - lastTurn).components.seconds)
            lastTurn = now
            guard var progress = model.replay else { return ScreenTurn(goOn: false) }
            for key in keys {
                for action in model.handle(key) {
                    switch action {
                    case .quit: return ScreenTurn(goOn: false)
                    case .replay(let control): control.apply(to: &progress)
                    case .run, .continueScript, .toggleScriptPause, .startCluster: break
                    }
                }
            }
            progress.advance(bySeconds: elapsed)
            let moved = progress != model.replay
            model.replay = progress
            show(&cursor, at: progress.position, in: &model, recorder: recorder)
            return ScreenTurn(changed: moved, animating: !progress.paused)
        }
    }

    /// Brings the model to `time`: onwards from the cursor, or again from the start when seeking back.
    private func show(_ cursor: inout Run.Cursor, at time: Double, in model: inout ConsoleModel,
                      recorder: CastRecorder?) {
        if time < cursor.time {
            cursor = replay.rewound()
            model.clearActivity()
        }
        cursor.advance(to: time) { event in
            if case .action(let text) = event { recorder?.marker(text) }
            model.apply(event)
        }
        model.nodes = cursor.views
        model.nodeCount = cursor.views.count
        model.summary = cursor.summary
    }
}
