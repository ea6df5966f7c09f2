import Synchronization

/// Holds a scenario at `pause` until Enter, and before its next step while the user paused it (`P`).
final class ScriptGate: Sendable {
    private struct State {
        var paused = false
        var enterPressed = false
        var waitingForEnter = false
        /// Counts waits for Enter, so an automatic go-on meant for one wait never ends a later one.
        var waitNumber = 0
        var cancelled = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var isPaused: Bool { state.withLock { $0.paused } }

    /// Enter: a script waiting at `pause` goes on.
    func proceed() {
        changeAndWake { state in
            guard state.waitingForEnter else { return }
            state.enterPressed = true
        }
    }

    /// `P`: holds the script before its next step, or lets it go on. Returns whether it is now held.
    @discardableResult
    func togglePause() -> Bool {
        var paused = false
        changeAndWake { state in
            state.paused.toggle()
            paused = state.paused
        }
        return paused
    }

    /// Lets every waiter go: the console is closing.
    func cancel() {
        changeAndWake { $0.cancelled = true }
    }

    /// Waits for Enter, or goes on by itself after `duration` when one is given.
    func waitForEnter(orAfter duration: Duration? = nil) async {
        let number = state.withLock {
            $0.enterPressed = false
            $0.waitingForEnter = true
            $0.waitNumber += 1
            return $0.waitNumber
        }
        let timer = duration.map { duration in
            Task { [self] in
                try? await Task.sleep(for: duration)
                changeAndWake { state in
                    guard state.waitingForEnter, state.waitNumber == number, !state.paused else { return }
                    state.enterPressed = true
                }
            }
        }
        await wait { $0.enterPressed }
        timer?.cancel()
        state.withLock { $0.waitingForEnter = false }
    }

    func waitWhilePaused() async {
        await wait { !$0.paused }
    }

    private func changeAndWake(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until `ready` holds (or the gate is cancelled); every change wakes waiters to look again.
    private func wait(until ready: @escaping @Sendable (State) -> Bool) async {
        while true {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if ready(state) || state.cancelled { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
            if state.withLock({ ready($0) || $0.cancelled }) { return }
        }
    }
}
