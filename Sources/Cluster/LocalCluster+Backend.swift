import CommandLanguage

extension LocalCluster: ClusterBackend {
    public var kind: EngineKind { .processes }
    public var nodeCount: Int { options.nodeCount }
    public var seed: UInt64 { options.seed }
    public var isJournaled: Bool { options.journalPath != nil }

    /// Real processes carry out every command of the language.
    public func refusal(of command: Command) -> String? { nil }

    public func refusal(of need: DeckNeed) -> String? {
        switch need {
        case .engine(.processes), .replication(.raft): nil
        case .engine(let other): "this deck needs \(other.phrase); it would play on \(kind.phrase)"
        case .simulation: "this deck needs \(EngineKind.simulation.phrase); it would play on \(kind.phrase)"
        case .replication(let other):
            "this deck needs \(other.rawValue) replication; these nodes run Raft"
        }
    }

    public func fresh(nodes: Int, frozen: Bool) throws -> any ClusterBackend {
        var options = options
        options.nodeCount = nodes
        options.startsFrozen = frozen
        return try LocalCluster(options: options)
    }
}
