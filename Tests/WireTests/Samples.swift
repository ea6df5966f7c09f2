import Raft
import Testing
import Services
import Wire

/// Messages covering every `MessageBody` case and the edges of the peer layout.
enum Samples {
    static let vote = VoteRequest(lastLogIndex: 42, lastLogTerm: 6)

    /// A message with a short label, so test output does not print 70 KB of entry data.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var message: Message
        var testDescription: String { label }
    }

    static var messages: [Message] { cases.map(\.message) }

    static let cases: [Case] = zip(labels, all).map { Case(label: $0, message: $1) }

    static let labels = [
        "PreVote", "PreVoteResp granted", "PreVoteResp refused", "PreVoteResp refused in n2's lease", "Vote",
        "VoteResp granted", "VoteResp refused", "VoteResp refused without a reason (an old frame)",
        "VoteResp refused, stale term", "VoteResp refused, voted for n255", "VoteResp refused, n3 leads",
        "empty Append", "Append of one noop", "Append of five entries (binary, JSON, empty, 70 KB)",
        "AppendResp accepted", "AppendResp accepted 0", "AppendResp rejected", "AppendResp rejected, hint term 0",
        "Heartbeat", "Heartbeat with read round", "HeartbeatResp", "Snapshot", "empty Snapshot",
        "Vote with Int.max term, ids 255→1", "Heartbeat with Int.max, ids 1→255", "Append with big numbers",
        "AppendResp rejected with Int.max", "Snapshot at Int.max",
    ]

    static let all: [Message] = [
        Message(from: 1, to: 2, term: 7, body: .preVote(vote)),
        Message(from: 2, to: 1, term: 7, body: .preVoteResponse(.granted)),
        Message(from: 3, to: 1, term: 7, body: .preVoteResponse(.refused(.logBehind))),
        Message(from: 3, to: 1, term: 6, body: .preVoteResponse(.refused(.leaderLease(2)))),
        Message(from: 1, to: 3, term: 7, body: .vote(vote)),
        Message(from: 3, to: 1, term: 7, body: .voteResponse(.granted)),
        Message(from: 2, to: 1, term: 7, body: .voteResponse(.refused(.logBehind))),
        Message(from: 2, to: 1, term: 7, body: .voteResponse(.refused(.unstated))),
        Message(from: 2, to: 1, term: 9, body: .voteResponse(.refused(.staleTerm))),
        Message(from: 2, to: 1, term: 7, body: .voteResponse(.refused(.alreadyVoted(for: 255)))),
        Message(from: 2, to: 1, term: 7, body: .voteResponse(.refused(.hasLeader(3)))),
        // Empty append (an AppendEntries probe).
        Message(from: 1, to: 2, term: 7, body: .append(AppendRequest(
            prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0))),
        // One entry.
        Message(from: 1, to: 2, term: 7, body: .append(AppendRequest(
            prevLogIndex: 10, prevLogTerm: 6,
            entries: [Entry(term: 7, index: 11, kind: .noop)], leaderCommit: 10))),
        // Several entries, binary and JSON data, an empty command.
        Message(from: 9, to: 4, term: 12, body: .append(AppendRequest(
            prevLogIndex: 100, prevLogTerm: 11,
            entries: [
                Entry(term: 12, index: 101, kind: .noop),
                Entry(term: 12, index: 102, kind: .command, data: Array(#"{"operation":{"put":{"key":"x","value":"1"}}}"#.utf8)),
                Entry(term: 12, index: 103, kind: .command, data: [0, 1, 2, 255, 254, 0]),
                Entry(term: 12, index: 104, kind: .command, data: []),
                Entry(term: 12, index: 105, kind: .command, data: Array(repeating: 0xAB, count: 70_000)),
            ],
            leaderCommit: 101))),
        Message(from: 2, to: 1, term: 7, body: .appendResponse(.accepted(matchIndex: 11))),
        Message(from: 2, to: 1, term: 7, body: .appendResponse(.accepted(matchIndex: 0))),
        Message(from: 3, to: 1, term: 7, body: .appendResponse(.rejected(rejectedIndex: 10, hintIndex: 8, hintTerm: 5))),
        Message(from: 3, to: 1, term: 7, body: .appendResponse(.rejected(rejectedIndex: 10, hintIndex: 4, hintTerm: 0))),
        Message(from: 1, to: 2, term: 7, body: .heartbeat(commit: 11, readRound: 0)),
        Message(from: 1, to: 2, term: 7, body: .heartbeat(commit: 11, readRound: 3)),
        Message(from: 2, to: 1, term: 7, body: .heartbeatResponse(readRound: 3)),
        Message(from: 1, to: 3, term: 7, body: .installSnapshot(Snapshot(
            position: LogPosition(term: 6, index: 50), data: Array(#"{"x":"1"}"#.utf8)))),
        Message(from: 1, to: 3, term: 7, body: .installSnapshot(Snapshot(
            position: LogPosition(term: 0, index: 0), data: []))),
        // Big numbers and the extreme node ids.
        Message(from: 255, to: 1, term: Int.max, body: .vote(VoteRequest(lastLogIndex: Int.max, lastLogTerm: Int.max - 1))),
        Message(from: 1, to: 255, term: Int(UInt32.max) + 1, body: .heartbeat(commit: Int.max, readRound: Int.max)),
        Message(from: 128, to: 127, term: 1 << 40, body: .append(AppendRequest(
            prevLogIndex: 1 << 50, prevLogTerm: 1 << 39,
            entries: [Entry(term: 1 << 40, index: (1 << 50) + 1, data: [7])], leaderCommit: 1 << 50))),
        Message(from: 5, to: 6, term: Int.max, body: .appendResponse(.rejected(
            rejectedIndex: Int.max, hintIndex: Int.max - 1, hintTerm: Int.max))),
        Message(from: 5, to: 6, term: 0, body: .installSnapshot(Snapshot(
            position: LogPosition(term: Int.max, index: Int.max), data: [0xFF]))),
    ]

    /// Small messages (no 70 KB entry), for exhaustive truncation and mutation.
    static var small: [Message] {
        messages.filter { PeerCodec.encodedSize(of: $0) < 1_000 }
    }
}
