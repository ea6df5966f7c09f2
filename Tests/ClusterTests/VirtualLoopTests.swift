import NIOCore
import Synchronization
import Testing
@testable import Cluster

/// The simulated cluster's loop: time moves only when told, tasks run by deadline then by the order
/// they were scheduled (batch by batch, as NIO's testing loop runs them), the caller runs what it
/// submits, and nothing is left hanging at shutdown.
@Suite("Virtual loop")
struct VirtualLoopTests {
    /// What ran, in order.
    private final class Trace: Sendable {
        private let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test("tasks run by deadline, then in scheduling order; time moves only when advanced")
    func order() {
        let loop = VirtualLoop()
        let trace = Trace()
        loop.scheduleTask(in: .milliseconds(5)) { trace.add("b@5") }
        loop.scheduleTask(in: .milliseconds(2)) { trace.add("a@2") }
        loop.scheduleTask(in: .milliseconds(5)) { trace.add("c@5") }
        #expect(trace.all.isEmpty)
        loop.advance(by: .milliseconds(4))
        #expect(trace.all == ["a@2"])
        #expect(loop.now == .uptimeNanoseconds(4_000_000))
        loop.advance(by: .milliseconds(10))
        #expect(trace.all == ["a@2", "b@5", "c@5"])
        #expect(loop.now == .uptimeNanoseconds(14_000_000))
        loop.shutdown()
    }

    @Test("runAfter takes the deadline and place in the order scheduleTask would; shutdown drops it")
    func runAfterKeepsTheOrder() {
        let loop = VirtualLoop()
        let trace = Trace()
        loop.scheduleTask(in: .milliseconds(5)) { trace.add("task@5") }
        loop.runAfter(.milliseconds(5)) { trace.add("after@5") }
        loop.runAfter(.milliseconds(2)) { trace.add("after@2") }
        loop.scheduleTask(in: .milliseconds(2)) { trace.add("task@2") }
        loop.runAfter(.milliseconds(9)) { trace.add("after@9") }
        loop.advance(by: .milliseconds(5))
        #expect(trace.all == ["after@2", "task@2", "task@5", "after@5"])
        loop.shutdown()
        loop.advance(by: .milliseconds(10))
        #expect(trace.all == ["after@2", "task@2", "task@5", "after@5"])
    }

    @Test("a task scheduled for the current instant by a running task waits for the next batch")
    func batches() {
        let loop = VirtualLoop()
        let trace = Trace()
        loop.scheduleTask(in: .milliseconds(1)) {
            trace.add("first")
            loop.execute { trace.add("scheduled by first") }
        }
        loop.scheduleTask(in: .milliseconds(1)) { trace.add("second") }
        loop.advance(by: .milliseconds(1))
        #expect(trace.all == ["first", "second", "scheduled by first"])
        loop.shutdown()
    }

    @Test("a task after an instant runs after everything of that instant, even what it scheduled")
    func afterInstant() {
        let loop = VirtualLoop()
        let trace = Trace()
        let instant = loop.now + .milliseconds(2)
        loop.executeAfterInstant(at: instant) { trace.add("after") }
        loop.scheduleTask(deadline: instant) {
            trace.add("first")
            loop.execute { trace.add("scheduled by first") }
        }
        loop.scheduleTask(deadline: instant + .nanoseconds(1)) { trace.add("next instant") }
        loop.advance(by: .milliseconds(5))
        #expect(trace.all == ["first", "scheduled by first", "after", "next instant"])
        loop.executeAfterInstant { trace.add("now, from outside") }
        #expect(trace.all.last == "now, from outside")
        loop.shutdown()
    }

    @Test("execute and submit from outside run at once, on the loop, without moving time")
    func submitRunsAtOnce() throws {
        let loop = VirtualLoop()
        #expect(!loop.inEventLoop)
        let future = loop.submit { loop.inEventLoop }
        #expect(try future.wait())
        #expect(loop.now == .uptimeNanoseconds(0))
        loop.shutdown()
    }

    @Test("a cancelled task does not run; its promise fails")
    func cancel() {
        let loop = VirtualLoop()
        let trace = Trace()
        let scheduled = loop.scheduleTask(in: .milliseconds(3)) { trace.add("ran") }
        scheduled.cancel()
        loop.advance(by: .milliseconds(5))
        #expect(trace.all.isEmpty)
        #expect(throws: EventLoopError.self) { try scheduled.futureResult.wait() }
        loop.shutdown()
    }

    @Test("shutdown fails what is still scheduled, and later work still completes")
    func shutdownFailsPending() throws {
        let loop = VirtualLoop()
        let pending = loop.scheduleTask(in: .seconds(60)) { 1 }
        loop.shutdown()
        #expect(throws: EventLoopError.self) { try pending.futureResult.wait() }
        let late = loop.scheduleTask(in: .milliseconds(1)) { 2 }
        #expect(throws: EventLoopError.self) { try late.futureResult.wait() }
        #expect(try loop.submit { 3 }.wait() == 3)
    }

    @Test("two threads asking for work take turns: every task runs once, in order")
    func concurrentCallers() async {
        let loop = VirtualLoop()
        let trace = Trace()
        await withTaskGroup(of: Void.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    for step in 0..<200 {
                        loop.execute { trace.add("\(caller)-\(step)") }
                        if step % 10 == 0 { loop.advance(by: .microseconds(250)) }
                    }
                }
            }
        }
        loop.run()
        let all = trace.all
        #expect(all.count == 800)
        for caller in 0..<4 {
            let mine = all.filter { $0.hasPrefix("\(caller)-") }
            #expect(mine == (0..<200).map { "\(caller)-\($0)" })
        }
        loop.shutdown()
    }
}
