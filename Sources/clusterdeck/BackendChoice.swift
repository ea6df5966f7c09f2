import Cluster
import CommandLanguage

/// Which back end runs a cluster, from what a deck's header asks (local processes when it asks
/// nothing), and the one place that builds it.
struct BackendChoice {
    var engine: EngineKind = .processes
    /// The header line that chose the engine, for the error when this build cannot run it.
    var choosingLine: ScenarioLine?

    /// The engine `flag` names, else the first `engine`/`simulate` line of `script` (a deck needing
    /// another is then refused by the back end, naming that line).
    init(flag: EngineKind?, script: [ScenarioLine] = []) {
        if let flag {
            engine = flag
            return
        }
        for line in script {
            guard case .need(let need) = line.step, let engine = need.engine else { continue }
            self.engine = engine
            choosingLine = line
            return
        }
    }


    /// Builds the back end (not started).
    /// - Throws: `BackendUnavailable` when this build has no such back end.
    func make(options: ClusterOptions) throws -> any ClusterBackend {
        switch engine {
        case .processes: return try LocalCluster(options: options)
        case .simulation, .etcd: throw BackendUnavailable(engine: engine, line: choosingLine)
        }
    }
}

/// A deck asked for a back end this build does not have.
struct BackendUnavailable: Error, CustomStringConvertible {
    var engine: EngineKind
    var line: ScenarioLine?

    var description: String {
        let place = line.map { "line \($0.line): `\($0.text)`: " } ?? ""
        return "\(place)\(engine.phrase) cannot run here yet (this build runs \(EngineKind.processes.phrase))"
    }
}
