import ClusterAPI
import EtcdClient

/// etcd's two timers, from a console pace: etcd wants the election timeout at least 5 × the
/// heartbeat, so the heartbeat is the pace's election timeout / 5 (real: 30 ms and 150 ms, as the
/// bench has always run; teach: 300 ms and 1.5 s).
public struct EtcdTiming: Sendable, Equatable {
    public var heartbeatMs: Int
    public var electionMs: Int

    public init(heartbeatMs: Int, electionMs: Int) {
        self.heartbeatMs = heartbeatMs
        self.electionMs = electionMs
    }

    /// The timers for `timing`: its shortest election timeout, and a heartbeat 5 times shorter.
    public init(_ timing: Timing) {
        electionMs = max(50, timing.tickMs * timing.electionTicks)
        heartbeatMs = max(10, electionMs / 5)
    }

    /// The bench's (and `--pace real`'s) timers.
    public static let real = EtcdTiming(.real)
}

/// How to start one etcd member: its name, ports and directories. Pure: the command line follows
/// from these and the cluster's other members.
public struct EtcdMemberPlan: Sendable, Equatable {
    /// "n1": the console's node id, also etcd's `--name`.
    public var name: String
    public var clientPort: Int
    /// Where the member listens for its peers.
    public var peerPort: Int
    /// Where its peers reach it: the proxy's listener in front of `peerPort` (the same port when
    /// nothing stands between, as in the bench).
    public var advertisedPeerPort: Int
    public var dataDirectory: String
    public var logPath: String

    public init(name: String, clientPort: Int, peerPort: Int, advertisedPeerPort: Int, dataDirectory: String,
                logPath: String) {
        self.name = name
        self.clientPort = clientPort
        self.peerPort = peerPort
        self.advertisedPeerPort = advertisedPeerPort
        self.dataDirectory = dataDirectory
        self.logPath = logPath
    }

    /// Plans `count` members named n1…nN under `directory`, on `ports` (two per member, or three
    /// when `proxied`: client, peer, and the proxy's listener).
    public static func members(count: Int, directory: String, ports: [Int], proxied: Bool) -> [EtcdMemberPlan] {
        let stride = proxied ? 3 : 2
        precondition(ports.count >= stride * count, "bug: \(ports.count) ports for \(count) members")
        return (0..<count).map { index in
            let base = stride * index
            return EtcdMemberPlan(name: "n\(index + 1)", clientPort: ports[base], peerPort: ports[base + 1],
                                  advertisedPeerPort: ports[base + (proxied ? 2 : 1)],
                                  dataDirectory: "\(directory)/n\(index + 1).etcd",
                                  logPath: "\(directory)/n\(index + 1).etcd.log")
        }
    }

    /// Where its peers reach it, as etcd's flags and member list write it.
    public var peerURL: String { "http://127.0.0.1:\(advertisedPeerPort)" }

    /// etcd's command line for this member (a restart passes the same: etcd then reads its
    /// membership from its data directory and ignores the initial-cluster flags).
    public func arguments(initialCluster: EtcdInitialCluster, timing: EtcdTiming, preVote: Bool, token: String)
        -> [String] {
        [
            "--name", name, "--data-dir", dataDirectory,
            "--listen-client-urls", "http://127.0.0.1:\(clientPort)",
            "--advertise-client-urls", "http://127.0.0.1:\(clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(peerPort)",
            "--initial-advertise-peer-urls", peerURL,
            "--initial-cluster", initialCluster.peers.joined(separator: ","),
            "--initial-cluster-state", initialCluster.joinsExisting ? "existing" : "new",
            "--initial-cluster-token", token,
            "--heartbeat-interval", "\(timing.heartbeatMs)",
            "--election-timeout", "\(timing.electionMs)",
            // etcd 3.4 starts with pre-vote off unless told.
            "--pre-vote=\(preVote)",
            "--logger", "zap", "--log-level", "warn",
        ]
    }
}

/// How a member finds its cluster at its first start: the members it founds the cluster with, or
/// the running cluster it joins after `member add` (etcd checks the list against its own).
public struct EtcdInitialCluster: Sendable, Equatable {
    /// "name=peer-url", one per member, as `--initial-cluster` takes them.
    public var peers: [String]
    /// Whether the member joins a running cluster (`--initial-cluster-state existing`).
    public var joinsExisting: Bool

    public init(peers: [String], joinsExisting: Bool) {
        self.peers = peers
        self.joinsExisting = joinsExisting
    }

    /// The members that found a new cluster together.
    public static func founding(_ plans: [EtcdMemberPlan]) -> Self {
        Self(peers: plans.map { "\($0.name)=\($0.peerURL)" }, joinsExisting: false)
    }

    /// Joining the running cluster whose member list (after the add) is `members`: the newcomer,
    /// not started yet, has no name in etcd's list and goes by `newcomer`'s.
    public static func joining(_ members: [EtcdMember], as newcomer: EtcdMemberPlan) -> Self {
        Self(peers: members.flatMap { member in
            member.peerURLs.map { url in "\(member.name.isEmpty && url == newcomer.peerURL ? newcomer.name : member.name)=\(url)" }
        }, joinsExisting: true)
    }
}
