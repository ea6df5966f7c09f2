/// A first-in, first-out buffer that holds at most `capacity` elements: appending to a full buffer
/// drops the oldest element and counts it in `dropped`, so a producer that outruns its consumer
/// costs memory up to the limit and no more, and the consumer learns how much it missed.
///
/// Limit: `capacity` elements (at least 1). At the limit: drop the oldest, count it.
///
/// Appending is amortized O(1): dropped elements are only skipped, and the storage is compacted
/// once as many have been skipped as are kept.
public struct BoundedBuffer<Element> {
    /// The most elements held at once.
    public let capacity: Int
    /// How many elements were dropped (oldest first) since the buffer was last emptied.
    public private(set) var dropped = 0
    private var storage: [Element] = []
    /// Where the held elements start in `storage`: the ones before it were dropped.
    private var head = 0

    /// An empty buffer holding at most `capacity` elements.
    public init(capacity: Int) {
        precondition(capacity >= 1, "bug: a bounded buffer must hold at least one element")
        self.capacity = capacity
    }

    /// The number of elements held (never more than `capacity`).
    public var count: Int { storage.count - head }

    /// Adds `element` as the newest; when the buffer is full, the oldest is dropped and counted.
    public mutating func append(_ element: Element) {
        storage.append(element)
        guard count > capacity else { return }
        head += 1
        dropped += 1
        if head >= capacity {
            storage.removeFirst(head)
            head = 0
        }
        assert(count == capacity, "bug: a bounded buffer past its capacity")
    }

    /// Empties the buffer and forgets the drop count.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
        dropped = 0
    }
}

// MARK: - RandomAccessCollection

extension BoundedBuffer: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// The element `position` places after the oldest held.
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "bug: index \(position) outside a buffer of \(count)")
        return storage[head + position]
    }
}

// MARK: - Sendable, Equatable

extension BoundedBuffer: Sendable where Element: Sendable {}

extension BoundedBuffer: Equatable where Element: Equatable {
    /// Equal when they hold the same elements in the same order, with the same capacity and count of
    /// drops.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.capacity == rhs.capacity && lhs.dropped == rhs.dropped && lhs.elementsEqual(rhs)
    }
}
