#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import HeapModule
import NIOCore
import Synchronization
import NIOPosix
import NodeRuntime

/// The simulated cluster's event loop: time moves only when told to (`advance`), and whoever asks
/// for work runs it, on its own thread, one caller at a time. Tasks run in the order of their
/// deadlines, then of their scheduling — the order NIO's testing loop keeps, batch by batch — so a
/// seed replays exactly.
///
/// Why not `NIOAsyncTestingEventLoop`: it runs every task on its own dispatch queue, so each step
/// of virtual time and each command a drill's client sends cost two thread switches; a simulated
/// drill spent a quarter of its time switching threads. Here the caller runs the loop itself: a
/// lockstep's lanes and its time steps never leave their threads.
///
/// `execute` and `submit` from outside the loop run the task at once on the caller's thread (as
/// the testing loop runs such tasks at once on its queue), unless another thread is running the
/// loop, which then runs it. `inEventLoop` is true on the thread running the loop's tasks.
final class VirtualLoop: DeferringEventLoop, Sendable {
    private struct Job: Comparable {
        var deadline: NIODeadline
        /// Where it runs among the jobs of its deadline: `late` in the top bit, then `order`. One
        /// word rather than a Bool and a word: the heap moves and compares jobs all the time.
        private var rank: UInt64
        var run: @Sendable () -> Void
        var cancel: @Sendable (any Error) -> Void

        private static let lateBit: UInt64 = 1 << 63

        /// - Parameters:
        ///   - late: runs once its instant is over (`executeAfterInstant`): after every other job
        ///     of that instant, even those scheduled while the instant runs.
        ///   - order: its place in the scheduling order, below 2⁶³.
        init(deadline: NIODeadline, late: Bool, order: UInt64, run: @escaping @Sendable () -> Void,
             cancel: @escaping @Sendable (any Error) -> Void) {
            precondition(order < Self.lateBit, "virtual loop: scheduling order overflow")
            self.deadline = deadline
            rank = (late ? Self.lateBit : 0) | order
            self.run = run
            self.cancel = cancel
        }

        var late: Bool { rank & Self.lateBit != 0 }
        var order: UInt64 { rank & ~Self.lateBit }

        static func < (lhs: Job, rhs: Job) -> Bool {
            lhs.deadline < rhs.deadline || (lhs.deadline == rhs.deadline && lhs.rank < rhs.rank)
        }

        static func == (lhs: Job, rhs: Job) -> Bool {
            lhs.deadline == rhs.deadline && lhs.rank == rhs.rank
        }
    }

    private struct State {
        var now = NIODeadline.uptimeNanoseconds(0)
        var tasks = Heap<Job>()
        var cancelled: Set<UInt64> = []
        var nextOrder: UInt64 = 0
        var isShutDown = false

        /// The earliest task due by `limit`, and all others due at its instant (a batch: tasks
        /// scheduled meanwhile for the same instant wait for the next batch, as in NIO's loop).
        mutating func takeBatch(dueBy limit: NIODeadline) -> [Job] {
            var batch: [Job] = []
            while let first = tasks.min, first.deadline <= limit,
                  batch.isEmpty || (first.deadline == batch[0].deadline && first.late == batch[0].late) {
                let task = tasks.removeMin()
                // Nearly always none are cancelled: no hashing then.
                if cancelled.isEmpty || cancelled.remove(task.order) == nil { batch.append(task) }
            }
            return batch
        }
    }

    private let state = Mutex(State())
    /// Held while tasks run: one runner at a time.
    private let running = Mutex(())

    init() {}

    var now: NIODeadline { state.withLock { $0.now } }

    var inEventLoop: Bool {
        pthread_getspecific(Self.runnerKey) == mark
    }

    // MARK: Scheduling

    func execute(_ task: @escaping @Sendable () -> Void) {
        let inLoop = inEventLoop
        guard schedule(at: nil, task, onCancel: { _ in }) != nil else {
            // Shut down: run it at once rather than drop it (a dropped task would leave its
            // promise unfulfilled, and whoever waits on it waiting forever).
            return asRunner(task)
        }
        if !inLoop { run() }
    }

    @discardableResult
    func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduled(at: deadline, late: false, task)
    }

    /// Runs `task` at `deadline` (by default now) once that instant is over: after every other
    /// task of the instant, even those scheduled while it runs — where a command typed between two
    /// steps of time runs. A simulated run records its commands with their instants, and a run
    /// rebuilt from the record puts them back exactly there. From outside the loop, a task due now
    /// runs at once, on the caller's thread.
    @discardableResult
    func executeAfterInstant(at deadline: NIODeadline? = nil, _ task: @escaping @Sendable () -> Void)
        -> Scheduled<Void> {
        let inLoop = inEventLoop
        let handle = scheduled(at: deadline, late: true, task)
        if !inLoop, deadline == nil { run() }
        return handle
    }

    /// A task whose result completes a promise, cancellable until it runs; failed at once when the
    /// loop is shut down.
    private func scheduled<T>(at deadline: NIODeadline?, late: Bool, _ task: @escaping @Sendable () throws -> T)
        -> Scheduled<T> {
        let promise = makePromise(of: T.self)
        let order = schedule(at: deadline, late: late, {
            // The task runs on this loop: the promise may take a result that is not Sendable.
            do { promise.assumeIsolated().succeed(try task()) } catch { promise.fail(error) }
        }, onCancel: { promise.fail($0) })
        guard let order else {
            asRunner { promise.fail(EventLoopError.cancelled) }
            return Scheduled(promise: promise, cancellationTask: {})
        }
        return Scheduled(promise: promise) { [self] in
            _ = state.withLock { $0.cancelled.insert(order) }
        }
    }

    func runAfter(_ delay: TimeAmount, _ task: @escaping @Sendable () -> Void) {
        // The deadline and the place in the order `scheduleTask(in:)` would take, without its
        // promise.
        _ = schedule(at: now + delay, task, onCancel: { _ in })
    }

    @discardableResult
    func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduleTask(deadline: now + delay, task)
    }

    /// Adds a task (at `deadline`, or now) and returns its place in the order; nil once the loop
    /// is shut down.
    private func schedule(at deadline: NIODeadline?, late: Bool = false, _ run: @escaping @Sendable () -> Void,
                          onCancel: @escaping @Sendable (any Error) -> Void) -> UInt64? {
        state.withLock { state in
            guard !state.isShutDown else { return nil }
            let order = state.nextOrder
            state.nextOrder += 1
            state.tasks.insert(Job(deadline: deadline ?? state.now, late: late, order: order, run: run,
                                   cancel: onCancel))
            return order
        }
    }

    // MARK: Moving time

    /// Runs the tasks due now.
    func run() {
        advance(to: now)
    }

    /// Moves time forward by `amount`, running every task due meanwhile at its own instant.
    func advance(by amount: TimeAmount) {
        advance(to: now + amount)
    }

    /// Moves time forward to `deadline` (never back), running every task due by then, in order.
    /// Called from within the loop's own tasks, it does nothing: the running caller goes on.
    func advance(to deadline: NIODeadline) {
        guard !inEventLoop else { return }
        asRunner {
            let target = max(deadline, now)
            while true {
                let batch = state.withLock { state -> [Job] in
                    let batch = state.takeBatch(dueBy: target)
                    if let first = batch.first { state.now = max(state.now, first.deadline) }
                    return batch
                }
                if batch.isEmpty { break }
                for task in batch { task.run() }
            }
            state.withLock { $0.now = max($0.now, target) }
        }
    }

    /// Runs `body` as the loop's one runner (waiting for another runner to finish), so that what
    /// it completes runs its callbacks inline, as on the loop.
    private func asRunner(_ body: () -> Void) {
        guard !inEventLoop else { return body() }
        running.withLock { _ in
            let outer = pthread_getspecific(Self.runnerKey)
            pthread_setspecific(Self.runnerKey, mark)
            defer { pthread_setspecific(Self.runnerKey, outer) }
            body()
        }
    }

    // MARK: Shutting down

    /// Runs what is due now, then fails every task still scheduled (as NIO's loops do).
    func shutdown() {
        run()
        asRunner {
            let remaining = state.withLock { state -> [Job] in
                state.isShutDown = true
                var remaining: [Job] = []
                while let task = state.tasks.popMin() {
                    if state.cancelled.remove(task.order) == nil { remaining.append(task) }
                }
                return remaining
            }
            for task in remaining { task.cancel(EventLoopError.shutdown) }
        }
    }

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        shutdown()
        queue.async { callback(nil) }
    }

    func preconditionInEventLoop(file: StaticString, line: UInt) {
        precondition(inEventLoop, "not on the virtual loop", file: file, line: line)
    }

    func preconditionNotInEventLoop(file: StaticString, line: UInt) {
        precondition(!inEventLoop, "on the virtual loop", file: file, line: line)
    }

    /// Which loop the current thread is running the tasks of: the loop's address, in a
    /// thread-specific slot. Thread-specific storage, not `pthread_self()`: the compiler may treat
    /// that as constant within an async function and reuse its value after the task moved to
    /// another thread (seen: a pacer in release builds). A bare pthread key rather than NIO's
    /// `ThreadSpecificVariable`, whose boxed value cost a retain, a release and a generic metadata
    /// lookup on every `inEventLoop` — asked for every frame and every loop-bound value.
    private static let runnerKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key for the virtual loop")
        return key
    }()

    /// This loop's mark in `runnerKey`: only ever compared, never dereferenced. A thread's slot
    /// holds it only while that thread runs this loop's tasks (`asRunner` puts the outer value
    /// back), and the loop is alive then, so no other loop can have taken its address meanwhile.
    private var mark: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}
