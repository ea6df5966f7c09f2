import ClusterAPI
import Raft
import Services
import Wire

/// Valid frames of every kind and every body case, encoded as the node and console send them.
public enum FrameCorpus {
    /// Each frame's payload: the kind byte, then the body.
    public static let payloads: [[UInt8]] = frames.map { $0.encoded() }

    /// The frames themselves.
    public static let frames: [Frame] = peerMessages.map(Frame.peer) + clientRequests
        + clientResponses + [state] + events + controls + [.error(ErrorFrame(message: "bad frame"))]

    static let vote = VoteRequest(lastLogIndex: 42, lastLogTerm: 6)

    static let entries = [
        Entry(term: 7, index: 11, kind: .noop),
        Entry(term: 7, index: 12, data: WALCorpus.put),
        Entry(term: 7, index: 13, data: [0, 1, 2, 255]),
        Entry(term: 7, index: 14, data: []),
    ]

    static let peerMessages: [Message] = [
        Message(from: 1, to: 2, term: 7, body: .preVote(vote)),
        Message(from: 2, to: 1, term: 7, body: .preVoteResponse(.granted)),
        Message(from: 3, to: 1, term: 6, body: .preVoteResponse(.refused(.leaderLease(2)))),
        Message(from: 1, to: 3, term: 7, body: .vote(vote)),
        Message(from: 3, to: 1, term: 7, body: .voteResponse(.refused(.unstated))),
        Message(from: 3, to: 1, term: 7, body: .voteResponse(.refused(.logBehind))),
        Message(from: 2, to: 1, term: 7, body: .voteResponse(.refused(.alreadyVoted(for: 255)))),
        Message(from: 1, to: 2, term: 7, body: .append(AppendRequest(
            prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0))),
        Message(from: 1, to: 2, term: 7, body: .append(AppendRequest(
            prevLogIndex: 10, prevLogTerm: 6, entries: entries, leaderCommit: 10))),
        Message(from: 2, to: 1, term: 7, body: .appendResponse(.accepted(matchIndex: 11))),
        Message(from: 3, to: 1, term: 7, body: .appendResponse(
            .rejected(rejectedIndex: 10, hintIndex: 8, hintTerm: 5))),
        Message(from: 1, to: 2, term: 7, body: .heartbeat(commit: 11, readRound: 3)),
        Message(from: 2, to: 1, term: 7, body: .heartbeatResponse(readRound: 3)),
        Message(from: 1, to: 3, term: 7, body: .installSnapshot(Snapshot(
            position: LogPosition(term: 6, index: 50), data: Array(#"{"x":"1"}"#.utf8)))),
        Message(from: 255, to: 1, term: Int.max, body: .heartbeat(commit: Int.max, readRound: 0)),
    ]

    static let session = ClientSession(clientID: 7, sequence: 3)

    static let clientRequests: [Frame] = [
        ClientRequestFrame.Operation.write(.put(key: "x", value: "1")),
        .write(.put(key: "x", value: "é\"\n", fence: 3)),
        .write(.delete(key: "x")),
        .write(.compareAndSwap(key: "x", expected: "1", new: "2")),
        .read(key: "x"),
        .staleRead(key: "x"),
        .service(.lock(.acquire(lock: "L", client: 7, ttlMs: 1_000))),
        .service(.lock(.release(lock: "L", client: 7))),
        .service(.election(.campaign(name: "E", client: 7, value: "v", ttlMs: 2_000))),
        .service(.election(.resign(name: "E", client: 7))),
        .service(.renew(client: 7)),
        .service(.clock(nowMs: 12_345)),
    ].enumerated().map { index, operation in
        .clientRequest(ClientRequestFrame(requestID: UInt64(index + 1),
                                          session: index % 2 == 0 ? session : nil,
                                          operation: operation))
    }

    static let clientResponses: [Frame] = [
        ClientResponseFrame.Outcome.ok(value: nil, index: 12),
        .ok(value: "1", index: 12),
        .compareFailed(current: "5"),
        .compareFailed(current: nil),
        .notLeader(leaderHint: 3),
        .notLeader(leaderHint: nil),
        .unknown(reason: "leadership lost"),
        .failed(reason: "stale sequence"),
        .serviceResult(.granted(token: 2), index: 9),
        .serviceResult(.queued(position: 1), index: 9),
        .serviceResult(.fenced(highest: 4), index: 9),
        .serviceResult(.invalid(reason: "ttl"), index: 9),
    ].map { .clientResponse(ClientResponseFrame(requestID: 4, outcome: $0)) }

    static let state = Frame.state(NodeStateFrame(
        id: 1, role: .leader, term: 3, votedFor: 1, leader: 1, commitIndex: 5, appliedIndex: 5,
        firstIndex: 1, lastIndex: 6, snapshotIndex: 0,
        logTail: [.init(index: 5, term: 3, text: "put x=1"),
                  .init(index: 6, term: 3, text: "noop")],
        keyCount: 1, sample: ["x": "1"],
        followers: [.init(node: 2, match: 5, next: 6, mode: .replicate)],
        pace: "100ms/tick", frozen: false,
        locks: [NodeState.Lock(name: "L", holder: 7, token: 2, leaseRemainingMs: 900, waiters: [8])],
        elections: [NodeState.Election(name: "E", leader: 7, value: "v", revision: 4,
                                       leaseRemainingMs: 1_500, candidates: [8, 9])]))

    static let events: [Frame] = [
        .event(NodeEventFrame(kind: .role, text: "became leader in term 1", term: 1)),
        .event(NodeEventFrame(kind: .commit, text: "applied through 2", term: 1, index: 2)),
    ]

    static let controls: [Frame] = [
        ControlFrame.pace(tickMs: 100), .freeze, .thaw, .campaign,
        .settings(preVote: true, checkQuorum: false, fsync: true), .skew(factor: 2.5), .shutdown,
    ].map(Frame.control)
}
