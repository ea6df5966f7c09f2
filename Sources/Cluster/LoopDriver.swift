import NIOCore
import NIOPosix
import Synchronization

/// What makes the engine's loop go: a real event loop thread (node processes, wall time), or a
/// virtual clock moved by the simulated cluster (`VirtualTime`).
enum LoopDriver: Sendable {
    case processes(MultiThreadedEventLoopGroup)
    case virtual(VirtualTime)

    /// The result of `future`, once there.
    func wait<Result: Sendable>(for future: EventLoopFuture<Result>) async throws -> Result {
        switch self {
        case .processes: try await future.get()
        case .virtual(let time): try await time.wait(for: future)
        }
    }

    func idle(milliseconds: Int) async {
        switch self {
        case .processes: try? await Task.sleep(for: .milliseconds(milliseconds))
        case .virtual(let time): await time.idle(milliseconds: milliseconds)
        }
    }

    func startPacing() {
        if case .virtual(let time) = self { time.startPacing() }
    }

    func sideBySide(_ lanes: [@Sendable () async -> Void]) async {
        switch self {
        case .processes:
            await runConcurrently(lanes)
        case .virtual(let time):
            await time.sideBySide(lanes)
        }
    }

    /// A real event loop for the control socket `ctl` talks to (a virtual loop has no sockets).
    var socketLoop: any EventLoop {
        switch self {
        case .processes(let group): group.next()
        case .virtual(let time): time.sockets.next()
        }
    }

    func stop() async {
        switch self {
        case .processes(let group): try? await group.shutdownGracefully()
        case .virtual(let time): await time.stop()
        }
    }
}

/// The simulated cluster's clock: a virtual event loop (`VirtualLoop`, whose time moves only when
/// told to) and what moves it. With `.wallClock`, a pacer moves it along with the wall clock;
/// with `.onDemand`, each caller moves it while it waits, in steps of one millisecond, so the same
/// calls see the same virtual instants in every run.
final class VirtualTime: Sendable {
    let loop: VirtualLoop
    let pacing: SimulationPacing
    /// One thread for the control socket: commands from `ctl` still run on the virtual loop.
    let sockets = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let pacer = Mutex<Task<Void, Never>?>(nil)
    /// The smallest step of virtual time a waiting caller moves: the node's tick is coarser.
    private static let step = TimeAmount.milliseconds(1)

    init(loop: VirtualLoop, pacing: SimulationPacing) {
        self.loop = loop
        self.pacing = pacing
    }

    /// With the wall clock: every few milliseconds, virtual time catches up with the wall's, from
    /// where it is now (a pacer already running stops: after a seek, time goes on from there).
    func startPacing() {
        pacer.withLock { $0 }?.cancel()
        guard case .wallClock(let factor) = pacing else { return }
        let loop = loop
        let task = Task {
            let start = ContinuousClock.now
            let origin = loop.now
            while !Task.isCancelled {
                let wall = ContinuousClock.now - start
                let target = origin + .nanoseconds(Int64(Double(TimeAmount(wall).nanoseconds) * factor))
                loop.advance(to: target)
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        pacer.withLock { $0 = task }
    }

    /// The lockstep the calling task runs in, if any.
    private let lockstep = Mutex<Lockstep?>(nil)

    func wait<Result: Sendable>(for future: EventLoopFuture<Result>) async throws -> Result {
        if case .onDemand = pacing {
            let done = CompletionFlag()
            future.whenComplete { _ in done.set() }
            loop.run()
            if !done.isSet {
                if let lane = Lockstep.lane, let lockstep = lockstep.withLock({ $0 }) {
                    await lockstep.park(lane, until: .done(done))
                } else if lockstep.withLock({ $0 }) != nil {
                    // Not a lane (a progress line reading views): time is the lanes' to move.
                    while !done.isSet {
                        try? await Task.sleep(for: .milliseconds(1))
                        loop.run()
                    }
                } else {
                    while !done.isSet { loop.advance(by: Self.step) }
                }
            }
        }
        return try await future.get()
    }

    /// Runs `lanes` side by side: in lockstep when time moves on demand (so a drill replays
    /// exactly), else as plain concurrent tasks.
    func sideBySide(_ lanes: [@Sendable () async -> Void]) async {
        // With the wall clock, or nested in a lockstep (sharing the outer lanes' turns): plain tasks.
        guard case .onDemand = pacing, lockstep.withLock({ $0 }) == nil else {
            return await runConcurrently(lanes)
        }
        let lockstep = Lockstep(loop: loop, lanes: lanes.count)
        self.lockstep.withLock { $0 = lockstep }
        await lockstep.run(lanes)
        self.lockstep.withLock { $0 = nil }
    }

    func idle(milliseconds: Int) async {
        switch pacing {
        case .onDemand:
            if let lane = Lockstep.lane, let lockstep = lockstep.withLock({ $0 }) {
                return await lockstep.park(lane, until: .time(loop.now + .milliseconds(Int64(milliseconds))))
            }
            // A step at a time, so other callers waiting meanwhile take turns.
            for _ in 0..<max(1, milliseconds) { loop.advance(by: Self.step) }
        case .wallClock(let factor):
            try? await Task.sleep(for: .milliseconds(Int(Double(milliseconds) / factor)))
        }
    }

    func stop() async {
        pacer.withLock { $0 }?.cancel()
        loop.shutdown()
        try? await sockets.shutdownGracefully()
    }
}

/// Runs `lanes` as concurrent tasks and returns when all have finished.
/// Runs `lanes` as concurrent tasks and returns when all have finished (real time: any back end on
/// real processes runs side-by-side lanes this way).
public func runConcurrently(_ lanes: [@Sendable () async -> Void]) async {
    await withTaskGroup(of: Void.self) { group in
        for lane in lanes { group.addTask { await lane() } }
    }
}
