import Checker
import ClusterAPI
import Foundation
import Raft
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

    /// The line as its format is defined, field by field: strings through Foundation's coder, times
    /// through `%.6f`, integers through `String`, absent fields as null.
    private static func reference(_ record: HistoryRecord) throws -> String {
        func quoted(_ text: String?) throws -> String {
            try text.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } ?? "null"
        }
        func time(_ seconds: Double?) -> String { seconds.map { String(format: "%.6f", $0) } ?? "null" }
        let fields: [(String, String)] = [
            ("complete", time(record.complete)), ("f", try quoted(record.f)), ("invoke", time(record.invoke)),
            ("key", try quoted(record.key)), ("new", try quoted(record.new)), ("old", try quoted(record.old)),
            ("outcome", try quoted(record.outcome.rawValue)), ("process", try quoted(record.process)),
            ("result", try quoted(record.result)), ("stale", record.stale.map { "\($0)" } ?? "null"),
            ("token", record.token.map { "\($0)" } ?? "null"), ("ttl", record.ttlMs.map { "\($0)" } ?? "null"),
            ("value", try quoted(record.value)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    @Test("the line is the format's bytes for awkward strings, times and numbers (seed printed on failure)")
    func matchesReference() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SeededRandom(seed: seed)
        func maybe<T>(_ value: T) -> T? { Bool.random(using: &generator) ? value : nil }
        func text() -> String {
            (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                (JournalFastLinesTests.awkwardStrings + ["k/0", "v-17"]).randomElement(using: &generator)!
            }.joined()
        }
        for record in Self.records {
            #expect(record.jsonLine == (try Self.reference(record)))
        }
        for _ in 0..<1_000 {
            let invoke = Double(Int.random(in: 0...100_000_000_000, using: &generator)) / 1_000_000
            let record = HistoryRecord(
                process: text(), f: text(), key: text(), value: maybe(text()), old: maybe(text()), new: maybe(text()),
                invoke: invoke, complete: maybe(invoke + Double(Int.random(in: 0...9_999_999, using: &generator)) / 1_000_000),
                outcome: [.ok, .fail, .unknown].randomElement(using: &generator)!,
                token: maybe(Int.random(in: Int.min...Int.max, using: &generator)),
                ttlMs: maybe(Int.random(in: -5...100_000, using: &generator)), result: maybe(text()),
                stale: maybe(Bool.random(using: &generator)), previous: maybe(text()))
            #expect(record.jsonLine == (try Self.reference(record)), "seed \(seed)")
        }
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
