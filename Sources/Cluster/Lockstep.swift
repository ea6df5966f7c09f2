import NIOCore
import Synchronization

/// Callers that run side by side on the simulated cluster (a drill's clients and its nemesis) and
/// still replay exactly: they take turns. One lane runs at a time, until it waits for the cluster;
/// when every lane waits, the lowest-numbered lane whose wait is over goes on, and only when none
/// is over does virtual time move, one millisecond at a time. What each lane does between its
/// waits, and so every task it hands the loop, comes in the same order in every run.
final class Lockstep: Sendable {
    /// Which lane the current task is (nil outside a lockstep).
    @TaskLocal static var lane: Int?

    /// What a waiting lane waits for.
    enum Condition: Sendable {
        /// A future's completion (the flag its callback sets).
        case done(CompletionFlag)
        /// Virtual time reaching this instant.
        case time(NIODeadline)

        func isOver(now: NIODeadline) -> Bool {
            switch self {
            case .done(let flag): flag.isSet
            case .time(let deadline): now >= deadline
            }
        }
    }

    private struct Waiting {
        var condition: Condition
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        /// Lanes not finished.
        var active: Set<Int>
        /// Lanes waiting, by lane.
        var waiting: [Int: Waiting] = [:]
        /// The coordinator waits for every active lane to wait (or finish).
        var settled: CheckedContinuation<Void, Never>?

        var allWaiting: Bool { waiting.count == active.count }

        mutating func takeSettled() -> CheckedContinuation<Void, Never>? {
            defer { settled = nil }
            return settled
        }
    }

    private let loop: VirtualLoop
    private let state: Mutex<State>
    private static let step = TimeAmount.milliseconds(1)

    init(loop: VirtualLoop, lanes: Int) {
        self.loop = loop
        state = Mutex(State(active: Set(0..<lanes)))
    }

    /// Runs `lanes` (as many as this lockstep was made for) side by side, taking turns; returns
    /// when all have finished.
    func run(_ lanes: [@Sendable () async -> Void]) async {
        // Only one lane runs at a time anyway: on one thread of their own they hand over without
        // waking another thread.
        let thread = LaneThread()
        defer { thread.stop() }
        await withTaskExecutorPreference(thread) { await runTakingTurns(lanes) }
    }

    private func runTakingTurns(_ lanes: [@Sendable () async -> Void]) async {
        let loop = loop
        await withTaskGroup(of: Void.self) { group in
            for (number, lane) in lanes.enumerated() {
                group.addTask {
                    await Self.$lane.withValue(number) {
                        // Every lane starts by waiting for its turn: the first turns go in lane order.
                        await self.park(number, until: .time(loop.now))
                        await lane()
                    }
                    self.finish(number)
                }
            }
            group.addTask { await self.coordinate() }
        }
    }

    /// The current lane waits until `condition` is over and it is its turn.
    func park(_ lane: Int, until condition: Condition) async {
        await withCheckedContinuation { continuation in
            let settled = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.waiting[lane] = Waiting(condition: condition, continuation: continuation)
                return state.allWaiting ? state.takeSettled() : nil
            }
            settled?.resume()
        }
    }

    private func finish(_ lane: Int) {
        let settled = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.active.remove(lane)
            return state.allWaiting ? state.takeSettled() : nil
        }
        settled?.resume()
    }

    /// Waits until every lane waits; then lets the lowest lane whose wait is over go on, or moves
    /// time when none is over.
    private func coordinate() async {
        while true {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.allWaiting { return true }
                    state.settled = continuation
                    return false
                }
                if now { continuation.resume() }
            }
            let time = loop.now
            let next = state.withLock { state -> (finished: Bool, lane: Waiting?) in
                guard !state.active.isEmpty else { return (true, nil) }
                guard let lane = state.waiting.keys.sorted().first(where: {
                    state.waiting[$0]!.condition.isOver(now: time)
                }) else { return (false, nil) }
                return (false, state.waiting.removeValue(forKey: lane))
            }
            if next.finished { return }
            if let lane = next.lane {
                lane.continuation.resume()
            } else {
                loop.advance(by: Self.step)
            }
        }
    }
}

/// Set once, by a future's callback on the loop; read by whoever waits for it.
final class CompletionFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }
}
