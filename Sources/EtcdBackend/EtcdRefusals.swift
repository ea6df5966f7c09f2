import ClusterAPI
import CommandLanguage

/// Which commands an etcd cluster carries out, and in one line why the others do not apply. Pure:
/// the back end, `play` (before a deck starts) and `drill` (before it plans faults) all ask here.
public enum EtcdRefusals {
    /// Nil when the etcd back end carries out `command`; else why not.
    public static func reason(for command: Command) -> String? {
        switch command {
        case .asClient(_, let inner):
            return reason(for: inner)
        case .link(_, _, let settings) where settings.lossPercent != nil || settings.duplicatePercent != nil:
            return "the proxy relays etcd's byte streams, not messages: losing or duplicating bytes would "
                + "corrupt etcd's framing, not drop a message (delay and jitter apply)"
        case .freeze, .step, .thaw:
            return "etcd's messages travel as byte streams the proxy does not decode: they cannot be held "
                + "and stepped one by one"
        case .timeout:
            return "etcd has no way to fire a member's election timer from outside"
        case .skew:
            return "etcd members read the machine's clock: there is no per-member clock to skew"
        case .pace:
            return "etcd reads its heartbeat and election timeout only at start: start the console with --pace"
        case .set(.checkquorum, _):
            return "etcd always runs with check-quorum on"
        case .set(.fsync, _):
            return "etcd 3.4 always fsyncs its log"
        case .start(_, true):
            return "etcd members cannot start with their clocks stopped"
        case .log:
            return "etcd's API gives no log entries: its status shows the term, commit and applied index"
        case .heartbeats:
            return "the timeline shows what the proxy relays on etcd, not Raft messages: no heartbeats to hide"
        case .back, .seek:
            return "time travel re-runs the simulated cluster from its seed; real etcd members cannot go back"
        case .start, .kill, .pause, .resume, .restart, .partition, .partitionRing, .partitionBridge,
             .isolate, .cut, .link, .heal, .put, .get, .del, .cas, .status, .waitLeader, .sleep, .help,
             .quit, .set(.prevote, _), .check, .fencedPut, .lock, .unlock, .locks, .clientPause, .clients,
             .campaign, .resign, .electionLeader, .waitElected, .transfer, .member, .wipe:
            return nil
        }
    }

    /// Nil when the etcd back end meets a deck's `need`; else why not.
    public static func reason(for need: DeckNeed) -> String? {
        switch need {
        case .engine(.etcd), .replication(.raft): nil
        case .replication(let other): "this deck needs \(other.rawValue) replication; etcd runs Raft"
        case .acknowledgement: "this deck needs primary-backup replication; etcd runs Raft"
        case .engine(let wanted): "this deck needs \(wanted.phrase); it would play on the etcd cluster"
        case .simulation: "this deck needs the simulated cluster; it would play on the etcd cluster"
        }
    }
}
