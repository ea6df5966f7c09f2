import CommandLanguage
import NIOCore

/// What a recorded simulated run (`SimulatedTimeline`) records and puts back: what changes the
/// cluster, with the instant it ran at.
enum TimelineInput: Sendable {
    /// The nodes start (frozen first when the options say so).
    case startNodes
    case command(Command, announcing: Bool)
}

/// The simulated cluster's hooks for time travel: inputs run once their instant is over (where a
/// command typed between two steps of time runs), so that a run rebuilt from its record puts each
/// one back exactly where it ran; and the virtual clock moved directly.
extension LocalCluster {
    /// The virtual loop (nil for node processes).
    var virtualLoop: VirtualLoop? {
        if case .virtual(let time) = driver { time.loop } else { nil }
    }

    /// Runs `input` now, once this instant is over, and tells `ranAt` the instant it ran at; returns
    /// what a command printed.
    func runRecorded(_ input: TimelineInput, ranAt: @escaping @Sendable (NIODeadline) -> Void) async
        -> CommandOutput {
        guard let loop = virtualLoop else { return .error("not a simulated cluster") }
        let promise = loop.makePromise(of: CommandOutput.self)
        loop.executeAfterInstant { [engine] in
            ranAt(loop.now)
            promise.completeWith(Self.perform(input, on: engine.value))
        }
        do {
            return try await driver.wait(for: promise.futureResult)
        } catch {
            return .error("\(error)")
        }
    }

    /// Puts `input` back at `instant` of the rebuilt run (once that instant is over).
    func schedule(_ input: TimelineInput, at instant: NIODeadline) -> Scheduled<Void>? {
        virtualLoop?.executeAfterInstant(at: instant) { [engine] in
            _ = Self.perform(input, on: engine.value)
        }
    }

    private static func perform(_ input: TimelineInput, on engine: ClusterEngine) -> EventLoopFuture<CommandOutput> {
        switch input {
        case .startNodes:
            engine.startNodes()
        case .command(let command, let announcing):
            return engine.execute(command, announcing: announcing)
        }
        return engine.loop.makeSucceededFuture(CommandOutput(lines: []))
    }

    /// Moves the virtual clock to `instant` as fast as the CPU allows, doing everything due.
    func fastForward(to instant: NIODeadline) {
        virtualLoop?.advance(to: instant)
    }

    /// Jumps ahead to `instant` within the recorded future: the journal skips the jump (it goes on
    /// from its own time, with the views as of `instant`).
    func jump(to instant: NIODeadline) async {
        let seconds = (try? await onLoop { engine in engine.suspendJournal() }) ?? 0
        fastForward(to: instant)
        try? await onLoop { engine in engine.resumeJournal(atJournalSeconds: seconds) }
    }

    /// Starts pacing virtual time to the wall clock (with `.wallClock` pacing), from where it is.
    func startPacing() {
        driver.startPacing()
    }

    /// Serves `clusterdeck ctl` on this run's control socket, for `backend`.
    func listen(serving backend: any ClusterBackend) async throws {
        _ = try await ControlSocket.listen(backend: backend, loop: driver.socketLoop, path: run.consoleSocketPath).get()
    }

    /// Goes on writing the journal at `path` after a rebuild; `journalSeconds` is the journal's
    /// time now.
    func continueJournal(at path: String, journalSeconds: Double) async {
        try? await onLoop { engine in engine.continueJournal(at: path, journalSeconds: journalSeconds) }
    }

    /// The journal's time now (the session's clock).
    func journalSeconds() async -> Double {
        (try? await onLoop { engine in engine.journalSeconds }) ?? 0
    }
}
