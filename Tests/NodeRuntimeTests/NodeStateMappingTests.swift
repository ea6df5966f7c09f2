import ClusterAPI
import Foundation
@testable import NodeRuntime
import Raft
import Replica
import Services
import Testing

/// The node fills ClusterAPI's state and events from the core, the services and the loop: the frames
/// must say what they said when they carried those modules' own text and types.
@Suite("Node state mapping")
struct NodeStateMappingTests {
    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("each Raft role keeps the text frames carried", arguments: [Role.follower, .preCandidate, .candidate, .leader])
    func roles(role: Role) throws {
        #expect(NodeRole(role).rawValue == role.rawValue)
        #expect(try Self.json([NodeRole(role)]) == "[\"\(role.rawValue)\"]")
    }

    @Test("replication modes keep their names")
    func modes() {
        #expect(NodeState.ReplicationMode(.probe) == .probe)
        #expect(NodeState.ReplicationMode(.replicate) == .replicate)
        #expect(NodeState.ReplicationMode(.snapshot(index: 9)) == .snapshot)
        #expect(NodeState.ReplicationMode.allCases.map(\.rawValue) == ["probe", "replicate", "snapshot"])
    }

    @Test("locks and elections encode as the services' own values did")
    func services() throws {
        let held = LockInfo(name: "L", holder: 7, token: 2, leaseRemainingMs: 900, waiters: [8, 9])
        let free = LockInfo(name: "M", holder: nil, token: 4, leaseRemainingMs: nil, waiters: [])
        for lock in [held, free] {
            #expect(try Self.json(NodeState.Lock(lock)) == Self.json(lock))
        }
        let election = ElectionInfo(name: "E", leader: 7, value: "v", revision: 4, leaseRemainingMs: 1_500,
                                    candidates: [8])
        #expect(try Self.json(NodeState.Election(election)) == Self.json(election))
    }

    @Test("the loop's event kinds keep their text", arguments: [ReplicaEvent.Kind.role, .commit, .snapshot])
    func eventKinds(kind: ReplicaEvent.Kind) {
        #expect(NodeEventKind(kind).rawValue == kind.rawValue)
    }
}
