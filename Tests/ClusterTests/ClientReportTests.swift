@testable import Cluster
import Testing

@Suite("Client results in the event log")
struct ClientReportTests {
    private func record(_ f: String, key: String = "x", value: String? = nil, outcome: HistoryRecord.Outcome = .ok,
                        process: String = "alice") -> HistoryRecord {
        HistoryRecord(process: process, f: f, key: key, value: value, invoke: 1, complete: outcome == .unknown ? nil : 1.25,
                      outcome: outcome)
    }

    @Test("reads say whether they were stale or linearizable, and which node answered")
    func reads() {
        var stale = record("get", value: "1")
        stale.stale = true
        #expect(ClientReport(operation: stale, node: 1).text == "alice: get x → 1 (stale read from n1)")
        var linearizable = record("get", value: "2", process: "default")
        linearizable.stale = false
        #expect(ClientReport(operation: linearizable, node: 3).text == "get x → 2 (linearizable, via n3)")
        #expect(ClientReport(operation: record("get"), node: 3).text == "alice: get x → none (linearizable, via n3)")
    }

    @Test("locks show their token or place in line; refused writes and unknown outcomes say why")
    func servicesAndFailures() {
        var granted = record("lock", key: "L")
        granted.result = "granted"
        granted.token = 2
        #expect(ClientReport(operation: granted, node: 2).text == "alice: lock L → granted, token 2")
        var fenced = record("put", key: "balance", value: "0", outcome: .fail)
        fenced.token = 1
        fenced.result = "fenced"
        #expect(ClientReport(operation: fenced, node: 2, reason: "token lower than 2").text
            == "alice: put balance=0 fence 1 → refused: token lower than 2")
        #expect(ClientReport(operation: record("put", value: "1", outcome: .unknown), reason: "no answer in 2 s").text
            == "alice: put x=1 → unknown: no answer in 2 s (it may or may not have applied)")
        #expect(ClientReport(operation: record("put", value: "1"), node: 1).text == "alice: put x=1 → ok (committed via n1)")
    }

    @Test("an operation that took a second or more says how long: waiting is part of what happened")
    func slowOperationsSayHowLong() {
        var slow = record("put", value: "1")
        slow.complete = 4.26
        #expect(ClientReport(operation: slow, node: 2).text == "alice: put x=1 → ok (committed via n2) after 3.3 s")
        slow.complete = 1.999
        #expect(ClientReport(operation: slow, node: 2).text == "alice: put x=1 → ok (committed via n2)")
        var refused = record("put", value: "1", outcome: .fail)
        refused.complete = 7
        #expect(ClientReport(operation: refused, node: 2, reason: "no leader").text
            == "alice: put x=1 → failed: no leader after 6.0 s")
    }
}
