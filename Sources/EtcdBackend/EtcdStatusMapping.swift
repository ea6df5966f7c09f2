import ClusterAPI
import EtcdClient

/// An etcd member's status answer as a node state and the events its change is worth. Pure.
enum EtcdStatusMapping {
    /// The member id as etcdctl prints it: lowercase hex without leading zeros.
    static func hex(_ memberID: UInt64) -> String {
        String(memberID, radix: 16)
    }

    /// The node state a status answer shows; what etcd does not say stays at its placeholder
    /// (no vote, no log bounds or entries, no keys), which panes leave out for an etcd member.
    static func state(of node: Int, _ status: EtcdStatus, leaderNode: Int?, timing: EtcdTiming) -> NodeState {
        let role: NodeRole = status.isLearner ? .learner
            : status.leaderID != 0 && status.leaderID == status.memberID ? .leader : .follower
        let facts = EtcdMemberFacts(memberID: hex(status.memberID), databaseBytes: status.databaseBytes,
                                    errors: status.errors)
        return NodeState(id: node, role: role, term: Int(clamping: status.raftTerm), votedFor: nil, leader: leaderNode,
                         commitIndex: Int(clamping: status.raftIndex),
                         appliedIndex: Int(clamping: status.raftAppliedIndex), firstIndex: 0,
                         lastIndex: Int(clamping: status.raftIndex), snapshotIndex: 0, logTail: [], keyCount: 0, sample: [:],
                         followers: [],
                         pace: "heartbeat \(timing.heartbeatMs)ms election \(timing.electionMs)ms",
                         frozen: false, etcd: facts)
    }

    /// What changed between two answers, as events: leadership won or lost, a new term.
    static func events(from old: NodeState?, to new: NodeState) -> [NodeEvent] {
        var events: [NodeEvent] = []
        if new.role != old?.role, new.role == .leader {
            events.append(NodeEvent(kind: .role, text: "became leader in term \(new.term)", term: new.term))
        } else if new.role != old?.role, old?.role == .leader {
            events.append(NodeEvent(kind: .role, text: "stepped down to \(new.role) in term \(new.term)",
                                    term: new.term))
        } else if let old, new.term != old.term {
            let leader = new.leader.map { ", leader n\($0)" } ?? ", no leader known"
            events.append(NodeEvent(kind: .role, text: "term \(new.term)\(leader)", term: new.term))
        }
        if let errors = new.etcd?.errors, errors != old?.etcd?.errors ?? [], !errors.isEmpty {
            events.append(NodeEvent(kind: .error, text: "reports " + errors.joined(separator: ", "), term: new.term))
        }
        return events
    }
}
