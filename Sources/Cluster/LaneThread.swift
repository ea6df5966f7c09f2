import DequeModule
import Foundation

/// One thread that runs every job of the tasks that prefer it, in the order they arrive.
///
/// A lockstep's lanes run one at a time and hand over by resuming each other's continuations. On
/// the shared pool each hand-over woke another thread (a futex wake and a context switch, per turn,
/// tens of thousands of times a drill); here the resumed lane's job is queued on the thread that
/// resumed it and runs next, with no wake-up at all.
final class LaneThread: TaskExecutor, Sendable {
    private struct Queue {
        var jobs: Deque<UnownedJob> = []
        var stopping = false
    }

    private let condition = NSCondition()
    /// Touched only with `condition` locked.
    private nonisolated(unsafe) var queue = Queue()
    // Safe: every read and write of `queue` happens between `condition.lock()` and `unlock()`.

    /// Starts the thread.
    init() {
        let thread = Thread { [self] in runJobs() }
        thread.name = "clusterdeck lanes"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs queued and end. Call once no task prefers it any more.
    func stop() {
        condition.lock()
        queue.stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while let job = next() {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// The next job, waiting for one; nil once stopped with nothing left.
    private func next() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while queue.jobs.isEmpty {
            if queue.stopping { return nil }
            condition.wait()
        }
        return queue.jobs.removeFirst()
    }
}
