import Testing
@testable import CommandLanguage

/// Regressions for what `clusterdeck fuzz scenario` found.
@Suite("Scenario fuzz findings")
struct ScenarioFuzzFindingsTests {
    private func error(_ text: String, nodeCount: Int? = nil) -> ScenarioError? {
        do {
            let steps = try ScenarioParser.parse(text, file: "t.deck", nodeCount: nodeCount)
            Issue.record("expected an error, parsed \(steps)")
            return nil
        } catch {
            return error
        }
    }

    @Test("a cluster size below 1 refuses node ids instead of trapping on 1...0",
          arguments: [0, -1, Int.min])
    func nodeCountBelowOne(nodeCount: Int) {
        for line in ["expect leader in 1,2", "expect role 1 == leader"] {
            #expect(error(line, nodeCount: nodeCount)?.message.hasPrefix("expected") == true)
        }
    }

    @Test("an error in the command of `expect fails` points into the line, not into the command")
    func expectFailsColumn() {
        // `kill 9` alone fails at column 6; here the 9 is at column 19.
        #expect(error("expect fails kill 9", nodeCount: 3)?.column == 19)
        #expect(error("  expect fails cut 1->1")?.column == 20)
    }

    @Test("an unknown expectation is shown on one line, control characters made visible")
    func unknownExpectationOnOneLine() {
        // (A carriage return now ends the line, as in a file saved on Windows; a bell does not.)
        let message = error("expect \"g\u{7}t\" x == 1")?.description ?? ""
        #expect(message.contains(#"cannot expect `g\u{7}t`"#), "\(message)")
        let lineBreaks = message.filter(\.isNewline)
        #expect(lineBreaks.isEmpty)
    }

    @Test("`expect get` parses the query as written: escaped quotes, error columns")
    func expectGetAsWritten() throws {
        let line = #"expect get "a\"b" == 1"#
        let steps = try ScenarioParser.parse(line, file: "t.deck", nodeCount: 3)
        #expect(steps.map(\.step) == [
            .expect(.value(get: .get(key: "a\"b", staleNode: nil), equals: "1", withinMs: nil)),
        ])
        // The 7 is the error: column 22 of `get x --stale --node 7`, column 29 of the line.
        #expect(error("expect get x --stale --node 7 == 1", nodeCount: 3)?.column == 29)
    }
}
