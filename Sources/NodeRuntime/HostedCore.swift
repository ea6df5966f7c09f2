import ClusterAPI
import NIOCore
import Raft
import Replica
import Wire

/// What the node's server needs from a replication core beyond the loop's protocol: how it is made
/// from the node's options, what its state frame shows, and the Raft-only controls. `RaftNode` and
/// `PrimaryBackup` conform; `NodeServer` is generic over it, so each core's server is specialized.
protocol HostedCore: ReplicationCore, Sendable {
    /// The core for node `options.id`, restored from its disk; `seed` drives its timeouts.
    init(options: NodeOptions, seed: UInt64, restoring state: PersistentState) throws
    var nodeRole: NodeRole { get }
    var votedFor: NodeID? { get }
    var commitIndex: LogIndex { get }
    var appliedIndex: LogIndex { get }
    var firstIndex: LogIndex { get }
    var lastIndex: LogIndex { get }
    func entries(from start: LogIndex, through end: LogIndex) -> [Entry]
    /// The leader's (primary's) view of each follower (replica), for its pane.
    var followerProgress: [NodeState.FollowerProgress] { get }
    /// A campaign's tally so far.
    var votesGranted: [NodeID] { get }
    /// The console's `timeout N` (fire the election or down timer now).
    static func campaign(_ driver: inout ReplicaDriver<Self>)
    /// The console's `set prevote|checkquorum` (Raft only; primary/backup has neither).
    static func setFeatures(_ driver: inout ReplicaDriver<Self>, preVote: Bool, checkQuorum: Bool)
}

extension RaftNode: HostedCore {
    init(options: NodeOptions, seed: UInt64, restoring state: PersistentState) throws {
        try self.init(config: options.raftConfig(seed: seed), restoring: state)
    }

    var nodeRole: NodeRole { NodeRole(role) }

    var followerProgress: [NodeState.FollowerProgress] {
        progress.keys.sorted().compactMap { id in
            guard let progress = progress[id] else { return nil }
            return NodeState.FollowerProgress(node: id, match: progress.match, next: progress.next,
                                              mode: NodeState.ReplicationMode(progress.mode))
        }
    }

    static func campaign(_ driver: inout ReplicaDriver<RaftNode>) { driver.campaignNow() }

    static func setFeatures(_ driver: inout ReplicaDriver<RaftNode>, preVote: Bool, checkQuorum: Bool) {
        driver.setFeatures(preVote: preVote, checkQuorum: checkQuorum)
    }
}

extension PrimaryBackup: HostedCore {
    init(options: NodeOptions, seed: UInt64, restoring state: PersistentState) throws {
        try self.init(config: options.primaryBackupConfig(seed: seed), restoring: state)
    }

    var nodeRole: NodeRole {
        switch role {
        case .primary: .primary
        case .replica: .backup
        case .candidate: .candidate
        }
    }

    /// Each replica's offset (its lag is the primary's last offset minus it); `probe` until the
    /// replica's offset is known, `snapshot` while a full copy is on its way.
    var followerProgress: [NodeState.FollowerProgress] {
        replicas.keys.sorted().compactMap { id in
            guard let replica = replicas[id] else { return nil }
            let mode: NodeState.ReplicationMode = replica.copying ? .snapshot : replica.confirmed ? .replicate : .probe
            return NodeState.FollowerProgress(node: id, match: replica.match, next: replica.next, mode: mode)
        }
    }

    static func campaign(_ driver: inout ReplicaDriver<PrimaryBackup>) { driver.campaignNow() }

    /// Nothing to switch: the console refuses `set prevote|checkquorum` under this protocol.
    static func setFeatures(_ driver: inout ReplicaDriver<PrimaryBackup>, preVote: Bool, checkQuorum: Bool) {}
}

/// A node's server as its hosts (the process's socket handler, an in-process node) drive it,
/// whichever core it runs. Every method runs on the node's loop.
protocol NodeServing: AnyObject {
    var hasConsole: Bool { get }
    /// The node's state now (what its next state frame would say).
    func currentState() -> NodeStateFrame
    func attach(console link: any FrameLink)
    func startTicking()
    func suspend()
    func resume()
    func halt()
    func receive(payload buffer: ByteBuffer, from link: any FrameLink)
    /// A frame handed over as a value (the simulated cluster's link skips the coder).
    func receive(_ frame: Frame, from channel: any FrameLink)
    func processReady()
    func refuse(_ reason: String, on channel: any FrameLink)
    func consoleWritabilityChanged()
}

/// The server for the protocol `options.replication` names.
func makeNodeServer(options: NodeOptions, loop: any EventLoop, wal: any DurableLog, recovered: PersistentState,
                    onStop: @escaping (NodeStop) -> Void) throws -> any NodeServing {
    switch options.replication {
    case .raft:
        try NodeServer<RaftNode>(options: options, loop: loop, wal: wal, recovered: recovered, onStop: onStop)
    case .primaryBackup:
        try NodeServer<PrimaryBackup>(options: options, loop: loop, wal: wal, recovered: recovered, onStop: onStop)
    }
}
