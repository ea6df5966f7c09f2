import Raft
import Testing
@testable import Services

@Suite("KV store")
struct KVStoreTests {
    private func entry(_ index: LogIndex, _ operation: KVOperation, client: UInt64? = nil,
                       sequence: UInt64 = 1) -> Entry {
        let session = client.map { ClientSession(clientID: $0, sequence: sequence) }
        return Entry(term: 1, index: index, data: ServiceCommand(session: session, operation: operation).encoded())
    }

    @Test("put, get and delete")
    func putGetDelete() {
        var store = KVStore()
        #expect(store.apply(entry(1, .put(key: "x", value: "1"))) == .applied(previous: nil))
        #expect(store.value(of: "x") == "1")
        #expect(store.apply(entry(2, .put(key: "x", value: "2"))) == .applied(previous: "1"))
        #expect(store.apply(entry(3, .delete(key: "x"))) == .applied(previous: "2"))
        #expect(store.value(of: "x") == nil)
        #expect(store.appliedIndex == 3)
    }

    @Test("compare-and-swap applies only when the expected value holds")
    func compareAndSwap() {
        var store = KVStore()
        store.apply(entry(1, .put(key: "k", value: "a")))
        #expect(store.apply(entry(2, .compareAndSwap(key: "k", expected: "b", new: "c")))
                == .compareFailed(current: "a"))
        #expect(store.value(of: "k") == "a")
        #expect(store.apply(entry(3, .compareAndSwap(key: "k", expected: "a", new: "c"))) == .applied(previous: "a"))
        #expect(store.value(of: "k") == "c")
        #expect(store.apply(entry(4, .compareAndSwap(key: "absent", expected: "a", new: "c")))
                == .compareFailed(current: nil))
    }

    @Test("a retried write with the same client id and sequence applies once")
    func exactlyOnce() {
        var store = KVStore()
        store.apply(entry(1, .put(key: "n", value: "0")))
        let first = store.apply(entry(2, .compareAndSwap(key: "n", expected: "0", new: "1"), client: 7, sequence: 1))
        store.apply(entry(3, .put(key: "n", value: "5")))
        let retry = store.apply(entry(4, .compareAndSwap(key: "n", expected: "0", new: "1"), client: 7, sequence: 1))
        #expect(first == .applied(previous: "0"))
        #expect(retry == first, "the retry gets the first result back")
        #expect(store.value(of: "n") == "5", "the retry did not apply again")
        let older = store.apply(entry(5, .put(key: "n", value: "9"), client: 7, sequence: 0))
        #expect(older == .staleSequence)
        #expect(store.value(of: "n") == "5")
    }

    @Test("no-op entries and garbage change nothing but the applied index")
    func noopsAndGarbage() {
        var store = KVStore()
        #expect(store.apply(Entry(term: 1, index: 1, kind: .noop)) == nil)
        #expect(store.apply(Entry(term: 1, index: 2, data: [0xFF, 0x00, 0x12])) == .malformed)
        #expect(store.count == 0)
        #expect(store.appliedIndex == 2)
    }

    @Test("a snapshot restores the same state, and equal states encode to equal bytes")
    func snapshot() throws {
        var store = KVStore()
        for index in 1...50 {
            store.apply(entry(index, .put(key: "k\(index % 7)", value: "\(index)"), client: UInt64(index % 5),
                              sequence: UInt64(index)))
        }
        let restored = try KVStore(snapshotData: store.snapshotData())
        #expect(restored == store)
        #expect(restored.snapshotData() == store.snapshotData())
        #expect(throws: (any Error).self) { try KVStore(snapshotData: [1, 2, 3]) }
    }

    @Test("sessions are bounded, the least recently active forgotten first")
    func sessionBound() {
        var store = KVStore()
        let total = KVStore.maximumSessions + 10
        for client in 1...total {
            store.apply(entry(client, .put(key: "k", value: "\(client)"), client: UInt64(client), sequence: 1))
        }
        // Client 1 was forgotten, so its old sequence looks new again and applies.
        let replay = store.apply(entry(total + 1, .put(key: "k", value: "replayed"), client: 1, sequence: 1))
        #expect(replay == .applied(previous: "\(total)"))
        // The newest client is still remembered.
        let recent = store.apply(entry(total + 2, .put(key: "k", value: "again"), client: UInt64(total), sequence: 1))
        #expect(recent == .applied(previous: "\(total - 1)"))
    }
}
