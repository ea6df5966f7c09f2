import Checker
import ClusterAPI
import Foundation
import Testing
@testable import Cluster

/// The console writes history lines that `check` reads: one type (ClientHistory's), one line of
/// docs/HISTORY.md each.
@Suite("History lines")
struct HistoryLineTests {
    static let records: [HistoryRecord] = [
        HistoryRecord(process: "default", f: "put", key: "x", value: "1", invoke: 1.187022, complete: 1.204311,
                      outcome: .ok),
        HistoryRecord(process: "default", f: "get", key: "x", value: "1", invoke: 1.99, complete: 2.0012,
                      outcome: .ok, stale: false),
        HistoryRecord(process: "default", f: "put", key: "y", value: "2", invoke: 3.5, complete: nil,
                      outcome: .unknown),
        HistoryRecord(process: "alice", f: "lock", key: "L", new: "granted, token 1", invoke: 4.09, complete: 4.102,
                      outcome: .ok, token: 1, ttlMs: 2_000, result: "granted"),
        HistoryRecord(process: "bob", f: "cas", key: "k", old: "a", new: "b", invoke: 5, complete: 5.5,
                      outcome: .fail, result: "compareFailed", stale: true, previous: "c"),
    ]

    @Test("the line the console writes is the line `check` reads", arguments: records)
    func historyLine(record: HistoryRecord) throws {
        // The console's line has no `previous` (only the simulator's clients record it).
        var written = record
        written.previous = nil
        let read = try HistoryOperation.decodeLines(record.jsonLine)
        #expect(read == [written])
        let decoded = try JSONDecoder().decode(HistoryRecord.self, from: Data(record.jsonLine.utf8))
        #expect(decoded == written)
    }

    @Test("docs/HISTORY.md's example lines read the same through check's reader as through a decoder")
    func documentedLines() throws {
        let lines = [
            #"{"complete":1.204311,"f":"put","invoke":1.187022,"key":"x","new":null,"old":null,"outcome":"ok","process":"default","result":null,"stale":null,"token":null,"ttl":null,"value":"1"}"#,
            #"{"complete":4.102000,"f":"lock","invoke":4.090000,"key":"L","new":"granted, token 1","old":null,"outcome":"ok","process":"alice","result":"granted","stale":null,"token":1,"ttl":2000,"value":null}"#,
        ]
        let operations = try HistoryOperation.decodeLines(lines.joined(separator: "\n"))
        let records = try lines.map { try JSONDecoder().decode(HistoryRecord.self, from: Data($0.utf8)) }
        #expect(records == operations)
        #expect(records[1].ttlMs == 2_000)
    }
}

@Suite("History records from client answers")
struct HistoryRecordingTests {
    @Test("an acknowledged write records what it replaced, so a drill can check exactly-once")
    func writesRecordWhatTheyReplaced() {
        var put = HistoryRecord(process: "c1", f: "put", key: "k", invoke: 1, complete: 1.5, outcome: .ok)
        let write = ClientOperation.write(.put(key: "k", value: "new"))
        put.describe(write)
        put.note(.ok(value: "old"), of: write)
        #expect(put.previous == "old")
        #expect(put.value == "new")
        var get = HistoryRecord(process: "c1", f: "get", key: "k", invoke: 2, complete: 2.5, outcome: .ok)
        get.note(.ok(value: "new"), of: ClientOperation.read(key: "k"))
        #expect(get.value == "new")
        #expect(get.previous == nil)
        // Two acknowledged writes that replaced the same value written once: applied twice.
        let original = HistoryRecord(process: "c1", f: "put", key: "k", value: "v1", invoke: 0, complete: 0.5,
                                  outcome: .ok)
        var first = HistoryRecord(process: "c2", f: "put", key: "k", value: "v2", invoke: 1, complete: 1.5,
                                  outcome: .ok)
        first.previous = "v1"
        var second = HistoryRecord(process: "c3", f: "put", key: "k", value: "v3", invoke: 2, complete: 2.5,
                                   outcome: .ok)
        second.previous = "v1"
        #expect(ExactlyOnceChecker.firstFinding(in: [original, first]) == nil)
        #expect(ExactlyOnceChecker.firstFinding(in: [original, first, second]) != nil)
    }
}
