import Cluster
import Raft
import Services
import Wire
@testable import Console

/// A fixed cluster picture: n1 leads term 3, n2 and n5 follow, n3 was killed, n4 is paused.
enum Fixtures {
    static func state(_ id: NodeID, role: NodeRole, term: Term = 3, commit: LogIndex = 4, last: LogIndex = 5)
        -> NodeState {
        let tail = (1...last).map { index in
            NodeState.EntrySummary(index: index, term: index == 1 ? 1 : 3,
                                   text: index == 1 || index == 2 ? "noop" : "put k\(index)=v\(index)")
        }
        let followers = role == .leader
            ? [2, 3, 4, 5].map { NodeState.FollowerProgress(node: $0, match: $0 == 3 ? 2 : 4, next: 5,
                                                             mode: .replicate) }
            : []
        return NodeState(id: id, role: role, term: term, votedFor: 1, leader: 1, commitIndex: commit,
                         appliedIndex: commit, firstIndex: 1, lastIndex: last, snapshotIndex: 0,
                         logTail: tail, keyCount: 2, sample: ["k3": "v3", "k4": "v4"],
                         followers: followers, pace: "10ms/tick", frozen: false)
    }

    static var nodes: [NodeView] {
        [
            NodeView(id: 1, status: .up, pid: 101, state: state(1, role: .leader)),
            NodeView(id: 2, status: .up, pid: 102, state: state(2, role: .follower)),
            NodeView(id: 3, status: .down(reason: "killed by SIGKILL"), pid: 103, state: state(3, role: .follower)),
            NodeView(id: 4, status: .paused, pid: 104, state: state(4, role: .follower, commit: 3)),
            NodeView(id: 5, status: .up, pid: 105, state: state(5, role: .follower, commit: 4, last: 4)),
        ]
    }

    /// The same picture with a held lock, a queue and an election on the leader's replica.
    static func modelWithServices(width: Int, height: Int) -> ConsoleModel {
        var model = model(width: width, height: height)
        model.nodes[0].state?.locks = [NodeState.Lock(name: "L", holder: 11, token: 3, leaseRemainingMs: 7_250,
                                                     waiters: [22, 33])]
        model.nodes[0].state?.elections = [NodeState.Election(name: "primary", leader: 22, value: "db-2",
                                                              revision: 41, leaseRemainingMs: 9_800,
                                                              candidates: [33])]
        model.summary.clientNames = [11: "alice", 22: "bob", 33: "carol"]
        return model
    }

    /// Nine nodes, the most a cluster has: n1 leads, the others follow; heartbeats among appends.
    static func nineNodes(width: Int, height: Int) -> ConsoleModel {
        var model = ConsoleModel(width: width, height: height, nodeCount: 9, timing: .real)
        model.nodes = (1...9).map { id in
            var state = state(id, role: id == 1 ? .leader : .follower)
            if id == 1 {
                state.followers = (2...9).map { NodeState.FollowerProgress(node: $0, match: 4, next: 5,
                                                                            mode: .replicate) }
            }
            return NodeView(id: id, status: .up, pid: Int32(100 + id), state: state)
        }
        model.summary = ClusterSummary(network: .none, timing: .real)
        model.apply(.node(1, NodeEvent(kind: .role, text: "became leader in term 3", term: 3)))
        for (index, to) in [2, 5, 9, 9, 3].enumerated() {
            let type: PeerMessageType = index == 3 ? .appendResponse : (index == 4 ? .heartbeat : .append)
            let from = index == 3 ? 9 : 1
            let header = MessageHeader(from: from, to: index == 3 ? 1 : to, type: type, term: 3,
                                       entryCount: type == .append ? 1 : 0)
            model.apply(.message(MessageRecord(header: header, fate: .delivered, timeMs: index * 10)))
        }
        return model
    }

    static func model(width: Int, height: Int, unicode: Bool = true) -> ConsoleModel {
        var model = ConsoleModel(width: width, height: height, nodeCount: 5, timing: .real)
        model.nodes = nodes
        model.glyphs = unicode ? .unicode : .ascii
        model.summary = ClusterSummary(network: NetworkSummary(partition: .groups([[1, 2], [3, 4, 5]])), frozen: false, heldMessages: 0, timing: .real,
                                       delivered: 120, dropped: 7)
        let events: [ClusterEvent] = [
            .nodeStarted(1, pid: 101), .node(1, NodeEvent(kind: .role, text: "became leader in term 3", term: 3)),
            .nodeStopped(3, reason: "killed by SIGKILL"), .action("n4 paused (SIGSTOP)"),
            .action("partitioned: 1,2 | 3,4,5"),
        ]
        for event in events { model.apply(event) }
        let messages: [(NodeID, NodeID, PeerMessageType, Int, MessageFate)] = [
            (1, 2, .append, 1, .delivered), (2, 1, .appendResponse, 0, .delivered), (1, 5, .append, 1, .partitioned),
            (5, 1, .vote, 0, .partitioned), (1, 2, .heartbeat, 0, .delivered),
        ]
        for (index, message) in messages.enumerated() {
            let header = MessageHeader(from: message.0, to: message.1, type: message.2, term: 3,
                                       entryCount: message.3)
            model.apply(.message(MessageRecord(header: header, fate: message.4, timeMs: index * 10)))
        }
        return model
    }
}
