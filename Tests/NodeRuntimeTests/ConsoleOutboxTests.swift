@testable import NodeRuntime
import Testing

/// The frames a node holds for a slow console: bounded in bytes, state coalesced, drops counted.
@Suite("Console outbox")
struct ConsoleOutboxTests {
    private func frame(_ tag: UInt8, bytes: Int = 10) -> [UInt8] {
        [UInt8](repeating: tag, count: bytes)
    }

    private func drain(_ outbox: inout ConsoleOutbox) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while let payload = outbox.next() { frames.append(payload) }
        return frames
    }

    @Test("up to its limit it keeps every frame, in order, and drops nothing")
    func keepsUpToLimit() {
        var outbox = ConsoleOutbox(maximumBytes: 30)
        outbox.hold(frame(1), kind: .peer)
        outbox.hold(frame(2), kind: .event)
        outbox.hold(frame(3), kind: .reply)
        #expect(outbox.heldBytes == 30)
        #expect(outbox.takeDropped() == nil)
        #expect(drain(&outbox) == [frame(1), frame(2), frame(3)])
        #expect(outbox.isEmpty && outbox.heldBytes == 0)
    }

    @Test("a frame past the limit is dropped and counted by kind; the counts are handed out once")
    func dropsAndCountsPastLimit() {
        var outbox = ConsoleOutbox(maximumBytes: 30)
        for tag: UInt8 in 1...3 { outbox.hold(frame(tag), kind: .event) }
        outbox.hold(frame(4), kind: .event)
        outbox.hold(frame(5), kind: .event)
        outbox.hold(frame(6), kind: .peer)
        outbox.hold(frame(7), kind: .reply)
        #expect(outbox.heldBytes == 30, "never past the limit")
        let dropped = outbox.takeDropped()
        #expect(dropped == ConsoleOutbox.Dropped(peerMessages: 1, events: 2, replies: 1, errors: 0))
        #expect(dropped?.text == "2 events, 1 peer message, 1 client reply")
        #expect(outbox.takeDropped() == nil, "reported once")
        #expect(drain(&outbox) == [frame(1), frame(2), frame(3)], "the held frames keep their order")
    }

    @Test("a small frame still fits beside held ones after a big one was dropped")
    func smallFrameFitsAfterBigDrop() {
        var outbox = ConsoleOutbox(maximumBytes: 30)
        outbox.hold(frame(1, bytes: 25), kind: .peer)
        outbox.hold(frame(2, bytes: 10), kind: .peer)
        outbox.hold(frame(3, bytes: 5), kind: .event)
        #expect(drain(&outbox) == [frame(1, bytes: 25), frame(3, bytes: 5)])
        #expect(outbox.takeDropped()?.peerMessages == 1)
    }

    @Test("state frames coalesce to the newest, cost no room and go out after the held frames")
    func stateCoalesces() {
        var outbox = ConsoleOutbox(maximumBytes: 10)
        outbox.hold(frame(9, bytes: 100), kind: .state)
        outbox.hold(frame(1), kind: .event)
        outbox.hold(frame(8, bytes: 100), kind: .state)
        #expect(outbox.count == 2)
        #expect(outbox.heldBytes == 10)
        #expect(outbox.takeDropped() == nil, "a replaced state is not a drop")
        #expect(drain(&outbox) == [frame(1), frame(8, bytes: 100)])
        #expect(outbox.isEmpty)
    }

    @Test("draining frees the room: after it the outbox holds up to its limit again")
    func drainingFreesRoom() {
        var outbox = ConsoleOutbox(maximumBytes: 20)
        outbox.hold(frame(1), kind: .event)
        outbox.hold(frame(2), kind: .event)
        _ = outbox.next()
        outbox.hold(frame(3), kind: .event)
        #expect(outbox.takeDropped() == nil)
        #expect(drain(&outbox) == [frame(2), frame(3)])
    }
}
