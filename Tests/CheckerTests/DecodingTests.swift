import Foundation
import Testing
@testable import Checker

@Suite("Reading history files")
struct DecodingTests {
    /// The example of docs/HISTORY.md, before the lock fields existed.
    static let oldFormat = [
        #"{"complete":1.204311,"f":"put","invoke":1.187022,"key":"x","new":null,"old":null,"#
            + #""outcome":"ok","process":"default","value":"1"}"#,
        #"{"complete":2.001200,"f":"get","invoke":1.990010,"key":"x","new":null,"old":null,"#
            + #""outcome":"ok","process":"default","value":"1"}"#,
        #"{"complete":null,"f":"put","invoke":3.500000,"key":"y","new":null,"old":null,"#
            + #""outcome":"unknown","process":"default","value":"2"}"#,
    ].joined(separator: "\n")

    @Test("lines written before the lock fields existed still decode")
    func oldFormatDecodes() throws {
        let operations = try HistoryOperation.decodeLines(Self.oldFormat)
        #expect(operations.count == 3)
        #expect(operations[0] == Make.put("default", "x", "1", 1.187022, 1.204311))
        #expect(operations[1].value == "1")
        #expect(operations[2].outcome == .unknown && operations[2].complete == nil)
        #expect(operations.allSatisfy { $0.token == nil && $0.ttlMs == nil && $0.result == nil })
    }

    @Test("the lock fields decode: token, ttl (ms), result, stale")
    func newFields() throws {
        let line = #"{"complete":0.5,"f":"lock","invoke":0.25,"key":"L","new":"granted, token 3","#
            + #""old":null,"outcome":"ok","process":"alice","result":"granted","stale":null,"#
            + #""token":3,"ttl":2000,"value":null}"#
        let operation = try #require(try HistoryOperation.decodeLines(line).first)
        #expect(operation.token == 3)
        #expect(operation.ttlMs == 2000)
        #expect(operation.result == "granted")
        #expect(operation.stale == nil)
    }

    @Test("blank lines and CRLF endings are accepted")
    func blankLines() throws {
        let text = "\n" + Self.oldFormat.replacingOccurrences(of: "\n", with: "\r\n\r\n") + "\n  \n"
        #expect(try HistoryOperation.decodeLines(text).count == 3)
    }

    @Test("encoding and decoding give the operation back")
    func roundTrip() throws {
        let operations = [Make.lock("alice", "L", token: 4, ttl: 2.5, 1, 1.5),
                          Make.get("bob", "x", nil, 2, 2.25, stale: true),
                          Make.cas("carol", "x", "a b", "c\"d", 3, nil)]
        let encoder = JSONEncoder()
        let lines = try operations.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        #expect(lines[0].contains("\"ttl\":2500"))
        #expect(try HistoryOperation.decodeLines(lines.joined(separator: "\n")) == operations)
    }

    @Test("bad lines are refused with their line number and what is wrong", arguments: [
        ("{\"f\":", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (#"{"f":"put","key":"x","value":"1","complete":1,"outcome":"ok","process":"p"}"#,
         "missing field \"invoke\""),
        (#"{"f":"put","key":"x","value":"1","invoke":"soon","complete":1,"outcome":"ok","#
            + #""process":"p"}"#, "field \"invoke\" has the wrong type"),
        (#"{"f":"put","key":"x","value":"1","invoke":0,"complete":1,"outcome":"maybe","#
            + #""process":"p"}"#, "field \"outcome\" has an unknown value"),
        (#"{"f":"put","key":"x","value":"1","invoke":2,"complete":1,"outcome":"ok","process":"p"}"#,
         "complete (1.0) is before invoke (2.0)"),
        (#"{"f":"get","key":"x","value":"1","invoke":2,"complete":null,"outcome":"ok","#
            + #""process":"p"}"#, "an operation whose outcome is ok needs a complete time"),
        (#"{"f":"cas","key":"x","old":"1","invoke":0,"complete":1,"outcome":"ok","process":"p"}"#,
         "a cas needs old and new"),
    ])
    func refusesBadLines(line: String, message: String) {
        let text = Self.oldFormat.split(separator: "\n")[0] + "\n\n" + line
        #expect(throws: HistoryDecodingError(line: 3, message: message)) {
            try HistoryOperation.decodeLines(String(text))
        }
    }

    @Test("the error reads as one line: line N: message")
    func errorText() {
        let error = HistoryDecodingError(line: 7, message: "not valid JSON")
        #expect(error.description == "line 7: not valid JSON")
    }
}
