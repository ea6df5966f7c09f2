import CommandLanguage

extension LocalCluster: ClusterBackend {
    public var kind: EngineKind { options.simulation == nil ? .processes : .simulation }
    public var nodeCount: Int { options.nodeCount }
    public var seed: UInt64 { options.seed }
    public var isJournaled: Bool { options.journalPath != nil }

    /// Processes and in-process nodes alike carry out every command of the language, except Raft's
    /// teaching controls on primary/backup nodes, and time travel, which needs a recorded simulated
    /// run (`SimulatedTimeline`).
    public func refusal(of command: Command) -> String? {
        switch command {
        case .back, .seek, .asClient(_, .back), .asClient(_, .seek):
            Self.timeTravelRefusal(inProcess: options.simulation != nil)
        default: CommandRouter.etcdOnlyRefusal(of: command)
            ?? CommandRouter.protocolRefusal(of: command, replication: options.replication)
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
        case .replication(let wanted) where wanted == options.replication: nil
        case .replication(let wanted): "this deck needs \(wanted.phrase); these nodes run \(options.replication.phrase)"
        case .acknowledgement(let wanted) where options.replication == .primaryBackup:
            wanted == options.replicationMode ? nil
                : "this deck needs a primary that answers \(wanted); this one answers \(options.replicationMode)"
        case .acknowledgement: "this deck needs primary-backup replication; these nodes run Raft"
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

extension ReplicationProtocol {
    /// How an error names it: "Raft", "primary-backup replication".
    var phrase: String {
        switch self {
        case .raft: "Raft"
        case .primaryBackup: "primary-backup replication"
        }
    }
}
