import Testing
@testable import Console

@Suite("Bounded buffer")
struct BoundedBufferTests {
    @Test("up to its capacity it keeps everything, in order, and counts no drops")
    func keepsUpToCapacity() {
        var buffer = BoundedBuffer<Int>(capacity: 3)
        #expect(buffer.isEmpty)
        for value in 1...3 { buffer.append(value) }
        #expect(Array(buffer) == [1, 2, 3])
        #expect(buffer.count == 3)
        #expect(buffer.dropped == 0)
    }

    @Test("one past its capacity it drops the oldest and counts it")
    func dropsOldestAtLimit() {
        var buffer = BoundedBuffer<Int>(capacity: 3)
        for value in 1...4 { buffer.append(value) }
        #expect(Array(buffer) == [2, 3, 4])
        #expect(buffer.dropped == 1)
        #expect(buffer.first == 2 && buffer.last == 4)
    }

    @Test("a long flood keeps only the newest, counts every drop, and never holds more")
    func floodStaysBounded() {
        var buffer = BoundedBuffer<Int>(capacity: 5)
        for value in 1...1_000 {
            buffer.append(value)
            #expect(buffer.count == min(value, 5))
        }
        #expect(Array(buffer) == Array(996...1_000))
        #expect(buffer.dropped == 995)
    }

    @Test("emptying forgets the elements and the drop count; the capacity stays")
    func removeAllResets() {
        var buffer = BoundedBuffer<String>(capacity: 1)
        buffer.append("a")
        buffer.append("b")
        #expect(Array(buffer) == ["b"] && buffer.dropped == 1)
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.dropped == 0 && buffer.capacity == 1)
        buffer.append("c")
        #expect(Array(buffer) == ["c"] && buffer.dropped == 0)
    }
}

@Suite("Console inbox limit")
struct ConsoleInboxLimitTests {
    @Test("one event past the inbox's limit drops the oldest; the event log is told once")
    func inboxDropsOldestAndSaysSo() {
        var inbox = ConsoleInbox()
        for number in 0...ConsoleInbox.maximumEvents {
            _ = inbox.deliver { $0.events.append(.action("event \(number)")) }
        }
        let news = inbox.take()
        #expect(news.events.count == ConsoleInbox.maximumEvents)
        #expect(news.events.first?.text == "event 1")
        #expect(news.droppedNotice?.text == "1 event dropped: the console fell behind the cluster")
        #expect(inbox.events.isEmpty && inbox.droppedNotice == nil, "said once: the next turn starts afresh")
    }
}
