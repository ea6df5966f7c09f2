import Foundation
import Raft
import Testing
import Wire
@testable import Cluster

@Suite("Journal and replay")
struct JournalTests {
    private func state(_ id: NodeID, role: NodeRole, term: Term, last: LogIndex) -> NodeStateFrame {
        NodeStateFrame(id: id, role: role, term: term, votedFor: 1, leader: 1, commitIndex: last,
                       appliedIndex: last, firstIndex: 1, lastIndex: last, snapshotIndex: 0,
                       logTail: [.init(index: last, term: term, text: "put x=\(last)")], keyCount: 1,
                       sample: ["x": "\(last)"], followers: [], pace: "100ms/tick", frozen: false)
    }

    /// Writes a journal of a small run to a temporary file and returns its text.
    private func writeJournal(rotateBytes: Int = .max, _ body: (Journal) -> Void) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("clusterdeck-journal-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("run.jsonl").path
        let journal = try #require(Journal(path: path, rotateBytes: rotateBytes))
        body(journal)
        journal.close()
        if rotateBytes < .max {
            #expect(FileManager.default.fileExists(atPath: path + ".1"), "the journal never rotated")
            let older = try #require(FileManager.default.attributesOfItem(atPath: path + ".1")[.size] as? Int)
            #expect(older < 2 * rotateBytes)
        }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("a replay reaches the views, settings and digest the run ended with")
    func replayReachesFinalState() throws {
        var summary = ClusterSummary(network: NetworkSummary(partition: .groups([[1, 2], [3]])), timing: .teach)
        summary.clientNames = [7: "alice"]
        var views = (1...3).map { NodeView(id: $0, status: .starting, pid: Int32(100 + $0)) }
        let text = try writeJournal { journal in
            journal.begin(nodes: 3, summary: ClusterSummary())
            journal.record(.nodeStarted(1, pid: 101), atSeconds: 0.1)
            views[0] = NodeView(id: 1, status: .up, pid: 101, state: state(1, role: .leader, term: 2, last: 4))
            views[1] = NodeView(id: 2, status: .up, pid: 102, state: state(2, role: .follower, term: 2, last: 4))
            journal.noteChanges(views: views, summary: summary, atSeconds: 1.5)
            views[2] = NodeView(id: 3, status: .down(reason: "killed by SIGKILL"), pid: 103)
            journal.record(.action("n3 killed"), atSeconds: 2)
            journal.noteChanges(views: views, summary: summary, atSeconds: 2)
            let header = RoutingHeader(from: 1, to: 2, type: .append, term: 2, entryCount: 1)
            journal.record(.message(MessageRecord(header: header, fate: .delivered, timeMs: 2100)), atSeconds: 2.1)
        }
        let replay = try JournalReplay(text: text)
        #expect(replay.nodeCount == 3)
        #expect(replay.duration == 2.1)
        let end = replay.finalState()
        #expect(end.views == views)
        #expect(end.summary.network.partition == .groups([[1, 2], [3]]))
        #expect(end.summary.delivered == 1)
        #expect(end.digest == ClusterDigest.lines(views: views, summary: summary))
    }

    @Test("a cursor hands out events in order, and only up to the time asked")
    func cursorStopsAtTime() throws {
        let text = try writeJournal { journal in
            journal.begin(nodes: 2, summary: ClusterSummary())
            for second in 1...5 { journal.record(.action("step \(second)"), atSeconds: Double(second)) }
        }
        var cursor = JournalCursor(replay: try JournalReplay(text: text))
        var seen: [String] = []
        cursor.advance(to: 3.5) { seen.append($0.text) }
        #expect(seen == ["step 1", "step 2", "step 3"])
        cursor.advance(to: 10) { seen.append($0.text) }
        #expect(seen.count == 5)
        #expect(cursor.isAtEnd)
        #expect(cursor.time == 5)
    }

    @Test("events survive the round trip through the journal")
    func eventsRoundTrip() throws {
        var record = HistoryRecord(process: "bob", f: "put", key: "k", value: "v", old: nil, new: nil,
                                   invoke: 1, complete: 1.25, outcome: .ok)
        record.value = "v"
        var refused = HistoryRecord(process: "alice", f: "put", key: "balance", value: "0", invoke: 1, complete: 3,
                                    outcome: .fail, token: 1, result: "fenced")
        refused.stale = nil
        let header = RoutingHeader(from: 2, to: 3, type: .heartbeat, term: 4, entryCount: 0)
        let events: [ClusterEvent] = [
            .node(2, NodeEventFrame(kind: .role, text: "became leader in term 4", term: 4, index: 9)),
            .nodeStarted(3, pid: 42), .nodeStopped(3, reason: "exited with code 2: boom"),
            .action("network healed"), .message(MessageRecord(header: header, fate: .partitioned, timeMs: 3000)),
            .client(ClientReport(operation: record, node: 2)),
            .client(ClientReport(operation: refused, node: 1, reason: "token lower than 2")),
            .narration(Narration(file: "demos/x.deck", caption: "A caption.", step: 2, steps: 5)),
        ]
        let text = try writeJournal { journal in
            journal.begin(nodes: 3, summary: ClusterSummary())
            for event in events { journal.record(event, atSeconds: 3) }
        }
        let decoded = try JournalReplay(text: text).entries.compactMap(\.event)
        #expect(decoded.map(\.text) == events.map(\.text))
        #expect(decoded.map(\.text).contains("alice: put balance=0 fence 1 → refused: token lower than 2 after 2.0 s"))
        guard case .narration(let narration) = decoded.last else {
            Issue.record("the caption did not come back: \(decoded.last.map(\.text) ?? "nothing")")
            return
        }
        #expect(narration == Narration(file: "demos/x.deck", caption: "A caption.", step: 2, steps: 5))
    }

    @Test("a damaged journal is refused with the line that is wrong", arguments: [
        ("", 1), ("{\"type\":\"action\",\"t\":1,\"text\":\"x\"}\n", 1),
        ("{\"type\":\"begin\",\"t\":0,\"nodes\":3}\nnot json\n", 2),
        ("{\"type\":\"begin\",\"t\":0,\"nodes\":3}\n{\"type\":\"action\"}\n", 2),
        ("{\"type\":\"begin\",\"t\":0,\"nodes\":12}\n", 1),
        ("{\"type\":\"begin\",\"t\":0,\"nodes\":3}\n{\"type\":\"action\",\"t\":-4}\n", 2),
    ])
    func refusesDamage(text: String, line: Int) {
        #expect(throws: JournalError.self) { try JournalReplay(text: text) }
        do {
            _ = try JournalReplay(text: text)
        } catch {
            #expect(error.line == line, "\(error)")
        }
    }

    @Test("a rotated journal starts with the cluster's state and still replays to the final views")
    func rotationKeepsTheNewestFileWhole() throws {
        var views = (1...3).map { NodeView(id: $0, status: .up, pid: Int32($0)) }
        let text = try writeJournal(rotateBytes: 4_096) { journal in
            journal.begin(nodes: 3, summary: ClusterSummary())
            for step in 1...200 {
                let id = step % 3 + 1
                views[id - 1].state = state(id, role: id == 1 ? .leader : .follower, term: 2, last: step)
                journal.noteChanges(views: views, summary: ClusterSummary(), atSeconds: Double(step) / 10)
                journal.record(.action("step \(step)"), atSeconds: Double(step) / 10)
            }
        }
        let replay = try JournalReplay(text: text)
        #expect(replay.startTime > 0)
        #expect(replay.finalState().views == views)
    }
}
