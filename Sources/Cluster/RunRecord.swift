import Foundation

/// What started a run. `clusterdeck ctl` without `--run` prefers the consoles people watch (the TUI
/// of `console` and `play`) over the clusters of benchmarks, drills, soaks, shells and scripts.
public enum RunKind: String, Codable, Sendable, CaseIterable {
    case console, play, shell, drill, soak, bench
    /// `play --headless`: a lesson run as a check.
    case playHeadless = "play-headless"
    /// A program that embeds a cluster (the tests), or a run directory from before runs were recorded.
    case other

    /// A terminal UI someone is watching: what `ctl` means when it is not told which run.
    public var isInteractive: Bool { self == .console || self == .play }

    /// "console run", "drill run"; just "run" when the kind is not known.
    public var runName: String { self == .other ? "run" : "\(rawValue) run" }
}

/// The small file (`run.json`) a run leaves in its directory so that `ctl` can tell runs apart.
public struct RunRecord: Codable, Sendable, Equatable {
    public var kind: RunKind
    /// The console's process.
    public var pid: Int32
    /// Seconds since 1970.
    public var startedAt: Double

    public init(kind: RunKind, pid: Int32, startedAt: Date) {
        self.kind = kind
        self.pid = pid
        self.startedAt = startedAt.timeIntervalSince1970
    }

    public var startDate: Date { Date(timeIntervalSince1970: startedAt) }
}

extension RunDirectory {
    public var recordPath: String { "\(path)/run.json" }

    /// Writes what kind of run this is, by whom and since when (best effort: `ctl` copes without it).
    public func writeRecord(kind: RunKind) {
        let record = RunRecord(kind: kind, pid: getpid(), startedAt: Date())
        guard let data = try? JSONEncoder().encode(record) else { return }
        // Best effort: without the record, `ctl` only cannot tell this run's kind.
        _ = FileManager.default.createFile(atPath: recordPath, contents: data, attributes: [.posixPermissions: 0o600])
    }

    /// The record `writeRecord` left, if it is there and readable.
    public func readRecord() -> RunRecord? {
        guard let data = FileManager.default.contents(atPath: recordPath) else { return nil }
        return try? JSONDecoder().decode(RunRecord.self, from: data)
    }
}

extension ClusterOptions {
    /// These options for a run of `kind` (recorded in the run directory for `ctl`).
    public func withRunKind(_ kind: RunKind) -> ClusterOptions {
        var options = self
        options.runKind = kind
        return options
    }
}
