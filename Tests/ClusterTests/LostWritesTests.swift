import ClusterAPI
import Testing
@testable import Cluster

@Suite("Lost writes and write latency in a drill's report")
struct LostWritesTests {
    @Test("the report line reads the same on either protocol, with examples")
    func line() {
        let lost = LostWrites(acknowledged: 12, lost: [.init(key: "w-c1-3", value: "c1-3")], unread: 0)
        #expect(lost.line == "lost acknowledged writes: 1 (of 12 acknowledged)")
        #expect(lost.examples == ["  lost: put w-c1-3=c1-3 was acknowledged; final read: none"])
        #expect(LostWrites(acknowledged: 3, lost: [], unread: 0).line == "lost acknowledged writes: 0 (of 3 acknowledged)")
    }

    @Test("throughput and percentiles come from acknowledged puts only")
    func latency() {
        func put(_ invoke: Double, _ complete: Double?, _ outcome: HistoryRecord.Outcome) -> HistoryRecord {
            HistoryRecord(process: "c1", f: "put", key: "k", value: "v", invoke: invoke, complete: complete,
                          outcome: outcome)
        }
        var history = (0..<99).map { put(Double($0), Double($0) + 0.001, .ok) }
        history.append(put(200, 200.5, .ok))
        history.append(put(300, nil, .unknown))
        history.append(HistoryRecord(process: "c1", f: "get", key: "k", invoke: 0, complete: 9, outcome: .ok))
        let writes = WriteLatency(history: history, seconds: 10)
        #expect(writes.acknowledged == 100)
        #expect(writes.perSecond == 10)
        #expect(abs(writes.p50Ms - 1) < 0.01)
        #expect(abs(writes.p99Ms - 1) < 0.01, "the 99th of 100 is still 1 ms")
    }
}
