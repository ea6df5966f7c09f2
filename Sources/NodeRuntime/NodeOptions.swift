import ClusterAPI
import CommandLanguage
import Raft
import Replica

/// Everything a node process is started with (`clusterdeck node …`).
public struct NodeOptions: Sendable {
    public var id: NodeID
    public var members: [NodeID]
    /// Where the write-ahead log and snapshot live; survives restarts.
    public var dataDirectory: String
    /// The Unix socket the node listens on for its console.
    public var socketPath: String
    public var timing: Timing
    public var preVote = true
    public var checkQuorum = true
    /// fsync each batch before the messages that depend on it go out. Off only for demos.
    public var fsync = true
    /// Applied entries between snapshots.
    public var snapshotEvery = 1_000
    public var bugs: Set<BugKnob> = []
    /// The seed of this life's election timeouts; nil draws one from the system (a node started by hand).
    public var seed: UInt64?
    /// Exit if no console connects within this time.
    public var connectTimeoutMs = 15_000
    /// How the nodes replicate: Raft, or primary/backup.
    public var replication: ReplicationProtocol = .raft
    /// When a primary/backup primary answers a write.
    public var replicationMode: ReplicationMode = .async
    /// AppendEntries a leader keeps unacknowledged per follower (see `raftConfig`).
    var maxInflightAppends = 1

    public init(id: NodeID, members: [NodeID], dataDirectory: String, socketPath: String, timing: Timing) {
        self.id = id
        self.members = members
        self.dataDirectory = dataDirectory
        self.socketPath = socketPath
        self.timing = timing
    }

    func raftConfig(seed: UInt64) -> Config {
        var config = Config(id: id, members: members)
        config.heartbeatTicks = timing.heartbeatTicks
        config.electionTicks = timing.electionTicks
        config.preVote = preVote
        config.checkQuorum = checkQuorum
        config.randomSeed = seed
        config.bugs = bugs
        // Batching for real processes, where every message costs a console hop and a follower
        // fsync: with few appends in flight, writes that arrive meanwhile leave together in the
        // next append (up to 256 entries) instead of one append and one acknowledgement each.
        config.maxInflightAppends = maxInflightAppends
        config.maxEntriesPerAppend = 256
        return config
    }

    /// The primary/backup core's settings: the monitors' down timeout is the election timeout (it
    /// follows `--pace`), and a semi-sync primary falls back to async after four of them.
    func primaryBackupConfig(seed: UInt64) -> PrimaryBackupConfig {
        var config = PrimaryBackupConfig(id: id, members: members)
        config.heartbeatTicks = timing.heartbeatTicks
        config.downTicks = timing.electionTicks
        config.randomSeed = seed
        config.bugs = bugs
        config.acknowledgement = switch replicationMode {
        case .async: .async
        case .semiSync(let replicas, let waits):
            .semiSync(replicas: replicas, fallbackTicks: waits ? nil : Self.semiSyncFallbackElections * timing.electionTicks)
        }
        return config
    }

    /// Election timeouts a semi-sync primary waits for an acknowledgement before it falls back.
    public static let semiSyncFallbackElections = 4
}
