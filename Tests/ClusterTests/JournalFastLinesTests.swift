import Foundation
import Raft
import Testing
@testable import Cluster

/// The journal's and the history's hand-written lines must be exactly what the JSON coder writes,
/// for every message type, fate, time and string a run can produce; a vote answer must go to the
/// coder.
@Suite("Journal fast lines")
struct JournalFastLinesTests {
    private static func coded(_ event: ClusterEvent, t: Double) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(JournalEntry(event, t: t)))
    }

    private static func coded(_ record: MessageRecord, t: Double) throws -> [UInt8] {
        try coded(.message(record), t: t)
    }

    /// Plain words and every kind of character the coder escapes (or does not).
    static let awkwardStrings = ["", "put x=1", "quote\"d", "back\\slash", "sl/ash", "tab\there",
                                 "new\nline", "cr\rlf", "\u{8}\u{C}", "\u{0}\u{1}\u{1F}", "\u{7F}del",
                                 "ünïcödé", "emoji 🎉", "\u{2028}sep", "n1 → n2 …"]

    private static func randomString(using generator: inout SeededRandom) -> String {
        let pieces = awkwardStrings + ["k0", "v-17", "a", " "]
        return (0..<Int.random(in: 0...3, using: &generator)).map { _ in
            pieces.randomElement(using: &generator)!
        }.joined()
    }

    private static let fates: [MessageFate] = [.delivered, .held, .lost, .partitioned, .receiverDown, .overflow]
    private static let times: [Double] = [0, 1, 2.5, 0.18025, 0.000001, 0.00005, 0.0001, 59.999999,
                                          123_456.789012, 1e16, 0.1 + 0.2, 3_600.000001]

    @Test("every type, fate and awkward time gives the coder's bytes")
    func matchesCoder() throws {
        for type in PeerMessageType.allCases {
            for (offset, fate) in Self.fates.enumerated() {
                for t in Self.times {
                    let header = MessageHeader(from: offset + 1, to: 9 - offset, type: type,
                                               term: offset * 1_000_003, entryCount: offset * 64)
                    let record = MessageRecord(header: header, fate: fate, timeMs: 0)
                    let fast = try #require(JournalFastLines.message(record, t: t))
                    let expected = try Self.coded(record, t: t)
                    #expect(fast == expected, "\(String(decoding: fast, as: UTF8.self))")
                }
            }
        }
    }

    @Test("seeded random records give the coder's bytes (seed printed on failure)")
    func matchesCoderOnRandomRecords() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SeededRandom(seed: seed)
        for _ in 0..<2_000 {
            let header = MessageHeader(
                from: Int.random(in: 1...9, using: &generator), to: Int.random(in: 1...9, using: &generator),
                type: PeerMessageType.allCases.randomElement(using: &generator)!,
                term: Int.random(in: 0...Int.max, using: &generator),
                entryCount: Int.random(in: 0...100_000, using: &generator))
            let micros = Double(UInt64.random(in: 0...10_000_000_000, using: &generator))
            let t = (micros / 1_000_000 * 1_000_000).rounded() / 1_000_000
            let record = MessageRecord(header: header, fate: Self.fates.randomElement(using: &generator)!,
                                       timeMs: 0)
            let fast = JournalFastLines.message(record, t: t)
            #expect(fast == (try Self.coded(record, t: t)), "seed \(seed)")
        }
    }

    @Test("node events and client operations give the coder's bytes (seed printed on failure)")
    func eventsMatchCoder() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SeededRandom(seed: seed)
        func maybe<T>(_ value: T) -> T? { Bool.random(using: &generator) ? value : nil }
        for _ in 0..<1_000 {
            let t = Double(Int.random(in: 0...100_000_000, using: &generator)) / 1_000_000
            let event = NodeEvent(kind: NodeEventKind.allCases.randomElement(using: &generator)!,
                                  text: Self.randomString(using: &generator),
                                  term: Int.random(in: 0...1_000, using: &generator),
                                  index: maybe(Int.random(in: 0...1_000_000, using: &generator)))
            let node = ClusterEvent.node(Int.random(in: 1...9, using: &generator), event)
            #expect(JournalFastLines.line(for: node, t: t) == (try Self.coded(node, t: t)), "seed \(seed)")

            let invoke = Double(Int.random(in: 0...100_000_000, using: &generator)) / 1_000_000
            let operation = HistoryRecord(
                process: Self.randomString(using: &generator), f: ["put", "get", "cas", "lock"].randomElement(using: &generator)!,
                key: Self.randomString(using: &generator), value: maybe(Self.randomString(using: &generator)),
                old: maybe("o"), new: maybe(Self.randomString(using: &generator)), invoke: invoke,
                complete: maybe(invoke + 0.0015), outcome: [.ok, .fail, .unknown].randomElement(using: &generator)!,
                token: maybe(Int.random(in: 0...99, using: &generator)), ttlMs: maybe(500),
                result: maybe(Self.randomString(using: &generator)), stale: maybe(Bool.random(using: &generator)),
                previous: maybe(Self.randomString(using: &generator)))
            let client = ClusterEvent.client(ClientReport(operation: operation, node: maybe(3),
                                                          reason: maybe(Self.randomString(using: &generator))))
            #expect(JournalFastLines.line(for: client, t: t) == (try Self.coded(client, t: t)), "seed \(seed)")
        }
    }

    @Test("strings are escaped as the coder escapes them, with and without slashes",
          arguments: awkwardStrings)
    func quoting(text: String) throws {
        #expect(JSONLine.quoted(text, escapingSlashes: true)
                == String(decoding: try JSONEncoder().encode(text), as: UTF8.self))
        let unslashed = JSONEncoder()
        unslashed.outputFormatting = .withoutEscapingSlashes
        #expect(JSONLine.quoted(text, escapingSlashes: false)
                == String(decoding: try unslashed.encode(text), as: UTF8.self))
    }

    @Test("integers are written as the coder writes them, to both ends of Int")
    func integers() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SeededRandom(seed: seed)
        let fixed = [0, 1, -1, 9, 10, -10, 99, 100, 1_000_003, Int.max, Int.min, Int.max - 1, Int.min + 1]
        let random = (0..<2_000).map { _ in Int.random(in: Int.min...Int.max, using: &generator) >> (Int.random(in: 0...63, using: &generator)) }
        for value in fixed + random {
            var bytes: [UInt8] = []
            JSONLine.appendDecimal(value, to: &bytes)
            #expect(bytes == Array(try JSONEncoder().encode(value)), "seed \(seed)")
        }
    }

    @Test("history times are written as %.6f writes them")
    func sixDecimals() {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SeededRandom(seed: seed)
        let fixed: [Double] = [0, 1, 0.2415, 59.999999, 1e-6, 0.0000005, 123_456.5, 2.675, 1e15, -0.5]
        let random = (0..<2_000).map { _ in Double(Int.random(in: 0...10_000_000_000, using: &generator)) / 1_000_000 }
        for seconds in fixed + random {
            #expect(HistoryRecord.sixDecimals(seconds) == String(format: "%.6f", seconds), "seed \(seed)")
        }
    }

    @Test("a vote answer is left to the coder")
    func voteAnswersFallBack() {
        let header = MessageHeader(from: 1, to: 2, type: .voteResponse, term: 3, entryCount: 0)
        let record = MessageRecord(header: header, fate: .delivered, timeMs: 0, voteAnswer: .granted)
        #expect(JournalFastLines.message(record, t: 1) == nil)
    }
}

