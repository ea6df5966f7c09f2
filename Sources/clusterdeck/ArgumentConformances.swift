import ArgumentParser
import Bench
import Cluster
import CommandLanguage
import Raft

extension BugKnob: ExpressibleByArgument {}

extension EngineKind: ExpressibleByArgument {}

extension ReplicationProtocol: ExpressibleByArgument {}

extension ReplicationMode {
    /// The words of `--replication async | semi-sync K [wait]` (an option that takes the words up to
    /// the next option); nil when none were given.
    static func parse(flag words: [String]) throws -> ReplicationMode? {
        guard !words.isEmpty else { return nil }
        switch parse(words) {
        case .success(let mode): return mode
        case .failure(let error): throw ValidationError("--replication: \(error)")
        }
    }
}

extension FaultKind: ExpressibleByArgument {}

extension BenchTarget: ExpressibleByArgument {}
