import CommandLanguage

extension LocalCluster: ClusterBackend {
    public var kind: EngineKind { options.simulation == nil ? .processes : .simulation }
    public var nodeCount: Int { options.nodeCount }
    public var seed: UInt64 { options.seed }
    public var isJournaled: Bool { options.journalPath != nil }

    /// Processes and in-process nodes alike carry out every command of the language but time
    /// travel, which needs a recorded simulated run (`SimulatedTimeline`).
    public func refusal(of command: Command) -> String? {
        switch command {
        case .back, .seek, .asClient(_, .back), .asClient(_, .seek):
            Self.timeTravelRefusal(inProcess: options.simulation != nil)
        default: nil
        }
    }

    /// Why `back` and `seek` do not apply here, in one line.
    static func timeTravelRefusal(inProcess: Bool) -> String {
        inProcess
            ? "time travel needs a recorded run: the console, shell and play record one; drills do not"
            : "time travel needs the simulated cluster: run with --simulate SEED (real processes cannot go back)"
    }

    public func refusal(of need: DeckNeed) -> String? {
        switch need {
        case .replication(.raft): nil
        case .replication(let other): "this deck needs \(other.rawValue) replication; these nodes run Raft"
        case .engine(let wanted) where wanted == kind: nil
        case .simulation(let wanted) where kind == .simulation && wanted == seed: nil
        case .simulation(let wanted) where kind == .simulation:
            "this deck plays on seed \(wanted); this cluster runs seed \(seed)"
        case .engine(let wanted): "this deck needs \(wanted.phrase); it would play on \(kind.phrase)"
        case .simulation: "this deck needs \(EngineKind.simulation.phrase); it would play on \(kind.phrase)"
        }
    }

    public func fresh(nodes: Int, frozen: Bool) async throws -> any ClusterBackend {
        var options = options
        options.nodeCount = nodes
        options.startsFrozen = frozen
        return try await LocalCluster.make(options: options)
    }
}
