import CommandLanguage
import Foundation
import Raft
import Wire

/// How to start a local cluster.
public struct ClusterOptions: Sendable {
    public var nodeCount = 5
    public var timing: Timing = .teach
    /// The `clusterdeck` binary that is started as `clusterdeck node …`.
    public var executablePath: String
    public var fsync = true
    public var preVote = true
    public var checkQuorum = true
    public var bugs: [BugKnob] = []
    public var snapshotEvery = 1_000
    /// How the nodes replicate: Raft (the default) or primary/backup.
    public var replication: ReplicationProtocol = .raft
    /// When a primary/backup primary answers a write (ignored under Raft).
    public var replicationMode: ReplicationMode = .async
    /// Where to write every event as JSON lines (nil: no journal).
    public var journalPath: String?
    /// Where to write the client history (nil: `history.jsonl` in the run directory, removed at exit).
    public var historyPath: String?
    /// Most client operations kept in memory for `check` (the history file keeps all of them).
    public var historyMemoryLimit = 1_000_000
    /// The journal is rotated (to FILE.1) when it grows past this size; the new file starts with the
    /// cluster's state, so it replays on its own.
    public var journalRotateBytes = 256 * 1024 * 1024
    /// Start with the clocks stopped and every peer message held (`start N --frozen`), so the first
    /// election can be stepped.
    public var startsFrozen = false
    /// What started the cluster, recorded in the run directory so that `ctl` finds the right console.
    public var runKind = RunKind.other
    /// Every random choice of the console's engine (fabric loss, duplication and jitter; client ids)
    /// draws from this seed; `drill` and `soak` set theirs, so a run with the same seed decides alike.
    public var seed = UInt64.random(in: 1...999_999)
    /// Run the nodes in this process on a virtual clock (the simulated cluster), instead of as node
    /// processes; nil for processes.
    public var simulation: SimulationPacing?

    public init(executablePath: String) {
        self.executablePath = executablePath
    }

    /// How long a client keeps retrying before it reports a write as unknown: long enough for several
    /// elections.
    var clientDeadlineMs: Int { max(3_000, 4 * timing.maximumElectionMs) }
    /// How long one attempt waits for an answer before trying another node.
    var attemptTimeoutMs: Int { max(500, timing.maximumElectionMs) }
}

/// How the simulated cluster's virtual clock moves.
public enum SimulationPacing: Sendable, Equatable {
    /// With the wall clock, `factor` times as fast: for a person watching the console.
    case wallClock(factor: Double)
    /// Only while a caller waits for the cluster (a command's answer, an `idle`, a poll), as fast as
    /// the CPU allows: for headless lessons, the shell and drills. Nothing moves between calls, so
    /// the same calls land on the same virtual instants in every run.
    case onDemand
}
