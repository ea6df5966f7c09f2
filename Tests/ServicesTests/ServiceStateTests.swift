import Raft
import Testing
@testable import Services

@Suite("Service state")
struct ServiceStateTests {
    @Test("the clock never goes backwards")
    func clockMonotonic() {
        var replica = Replica()
        #expect(replica.clock(500) == .ticked(nowMs: 500))
        #expect(replica.clock(200) == .ticked(nowMs: 500), "a new leader's clock may be behind")
        #expect(replica.state.nowMs == 500)
        replica.acquire("L", 1, ttl: 100) // until 600
        replica.clock(-1_000)
        replica.clock(590)
        #expect(replica.state.holder(of: "L")?.client == 1)
        #expect(replica.clock(700) == .ticked(nowMs: 700))
        #expect(replica.state.holder(of: "L") == nil)
    }

    /// Some of everything: values, fences, sessions, locks with waiters, elections with candidates.
    private func busyReplica() -> Replica {
        var replica = Replica()
        for step in 1...40 {
            let client = UInt64(step % 5 + 1)
            let session = ClientSession(clientID: client, sequence: UInt64(step))
            switch step % 4 {
            case 0: replica.run(.kv(.put(key: "k\(step % 7)", value: "\(step)", fence: step)), session: session)
            case 1: replica.acquire("lock\(step % 3)", client, ttl: 100 + step, session: session)
            case 2: replica.campaign("e\(step % 2)", client, "v\(step)", ttl: 200)
            default: replica.clock(step * 10)
            }
        }
        return replica
    }

    @Test("pairs(limit:) gives the smallest keys in order, as sorting all of them would", arguments: [1, 2, 3])
    func pairsAreTheSmallestKeys(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var replica = Replica()
        for step in 1...300 {
            let key = "k\(Int.random(in: 0..<500, using: &random))"
            replica.run(.kv(.put(key: key, value: "\(step)", fence: nil)),
                        session: ClientSession(clientID: 1, sequence: UInt64(step)))
        }
        let state = replica.state
        let all = state.pairs()
        #expect(all.map(\.key) == all.map(\.key).sorted(), "seed \(seed)")
        for limit in [0, 1, 8, all.count - 1, all.count, all.count + 5] {
            let some = state.pairs(limit: limit)
            #expect(some.map(\.key) == Array(all.prefix(max(0, limit)).map(\.key)), "seed \(seed), limit \(limit)")
            #expect(some.map(\.value) == Array(all.prefix(max(0, limit)).map(\.value)), "seed \(seed), limit \(limit)")
        }
    }

    @Test("a snapshot restores an equal state and equal states give equal bytes")
    func snapshotRoundTrip() throws {
        let replica = busyReplica()
        #expect(!replica.state.locks().isEmpty)
        #expect(!replica.state.elections().isEmpty)
        let bytes = replica.state.snapshotData()
        let restored = try ServiceState(snapshotData: bytes)
        #expect(restored == replica.state)
        #expect(restored.snapshotData() == bytes)
        // A second replica applying the same entries encodes the same bytes.
        #expect(busyReplica().state.snapshotData() == bytes)
        // And the restored state carries on exactly as the original.
        var original = replica
        var copy = replica
        copy.state = restored
        for replicaResult in [(original.clock(10_000), copy.clock(10_000)),
                              (original.acquire("lock1", 77), copy.acquire("lock1", 77))] {
            #expect(replicaResult.0 == replicaResult.1)
        }
        #expect(original.state == copy.state)
        #expect(throws: (any Error).self) { try ServiceState(snapshotData: [1, 2, 3]) }
    }

    @Test("a snapshot from before the lock and election services still restores")
    func oldSnapshot() throws {
        let old = #"{"appliedIndex":3,"sessions":[],"values":{"x":"1"}}"#
        let state = try ServiceState(snapshotData: Array(old.utf8))
        #expect(state.value(of: "x") == "1")
        #expect(state.appliedIndex == 3)
        #expect(state.locks().isEmpty)
        #expect(state.nowMs == 0)
    }

    @Test("malformed bytes give .malformed and change nothing but the applied index")
    func malformed() {
        var replica = Replica()
        replica.acquire("L", 1)
        let before = replica.state.locks()
        let garbage: [[UInt8]] = [
            [0xFF, 0x00, 0x12],
            Array(#"{"operation":{"scan":{}}}"#.utf8),
            Array(#"{"operation":{}}"#.utf8),
            Array(#"{"operation":{"clock":{"nowMs":1},"renew":{"client":1}}}"#.utf8),
            Array(#"{"operation":{"acquire":{"lock":"L","client":-1,"ttlMs":5}}}"#.utf8),
            Array(#"{"operation":{"clock":{}}}"#.utf8),
        ]
        for (offset, bytes) in garbage.enumerated() {
            #expect(replica.state.apply(Entry(term: 1, index: 10 + offset, data: bytes)) == .malformed)
        }
        #expect(replica.state.locks() == before)
        #expect(replica.state.appliedIndex == 10 + garbage.count - 1)
    }

    @Test("command JSON: KV commands encode as before; the new operations are flat objects")
    func commandJSON() throws {
        let session = ClientSession(clientID: 7, sequence: 3)
        let examples: [(ServiceCommand, String)] = [
            (ServiceCommand(session: session, operation: .put(key: "x", value: "1")),
             #"{"operation":{"put":{"key":"x","value":"1"}},"session":{"clientID":7,"sequence":3}}"#),
            (ServiceCommand(session: session, operation: .put(key: "x", value: "1", fence: 34)),
             #"{"operation":{"put":{"fence":34,"key":"x","value":"1"}},"session":{"clientID":7,"sequence":3}}"#),
            (ServiceCommand(session: nil, operation: .delete(key: "x")), #"{"operation":{"delete":{"key":"x"}}}"#),
            (ServiceCommand(session: session, operation: .lock(.acquire(lock: "L", client: 7, ttlMs: 5000))),
             #"{"operation":{"acquire":{"client":7,"lock":"L","ttlMs":5000}},"session":{"clientID":7,"sequence":3}}"#),
            (ServiceCommand(session: nil, operation: .lock(.release(lock: "L", client: 7))),
             #"{"operation":{"release":{"client":7,"lock":"L"}}}"#),
            (ServiceCommand(session: nil, operation: .election(.campaign(name: "E", client: 7, value: "n1", ttlMs: 5000))),
             #"{"operation":{"campaign":{"client":7,"name":"E","ttlMs":5000,"value":"n1"}}}"#),
            (ServiceCommand(session: nil, operation: .election(.resign(name: "E", client: 7))),
             #"{"operation":{"resign":{"client":7,"name":"E"}}}"#),
            (ServiceCommand(session: nil, operation: .renew(client: 7)), #"{"operation":{"renew":{"client":7}}}"#),
            (ServiceCommand(session: nil, operation: .clock(nowMs: 12000)), #"{"operation":{"clock":{"nowMs":12000}}}"#),
        ]
        for (command, json) in examples {
            #expect(String(decoding: command.encoded(), as: UTF8.self) == json)
            #expect(ServiceCommand(encoded: Array(json.utf8)) == command)
        }
    }

    @Test("summaries for the log view")
    func summaries() {
        let cases: [(ServiceOperation, String)] = [
            (.kv(.put(key: "x", value: "1")), "put x=1"),
            (.kv(.put(key: "x", value: "1", fence: 3)), "put x=1 fence 3"),
            (.kv(.delete(key: "x")), "del x"),
            (.kv(.compareAndSwap(key: "x", expected: "1", new: "2")), "cas x 1→2"),
            (.lock(.acquire(lock: "L", client: 7, ttlMs: 500)), "acquire L c7 500ms"),
            (.lock(.release(lock: "L", client: 7)), "release L c7"),
            (.election(.campaign(name: "E", client: 7, value: "v", ttlMs: 500)), "campaign E c7=v 500ms"),
            (.election(.resign(name: "E", client: 7)), "resign E c7"),
            (.renew(client: 7), "renew c7"),
            (.clock(nowMs: 42), "clock 42"),
        ]
        for (operation, text) in cases {
            #expect(ServiceCommand(session: nil, operation: operation).summary == text)
        }
    }
}
