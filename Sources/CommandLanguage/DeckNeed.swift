/// What a deck needs from the cluster it plays on, declared in its header beside `start N` and
/// `bug NAME`:
///
///     engine processes|simulation|etcd
///     protocol raft|primary-backup
///     simulate SEED
///
/// A back end that cannot meet a need refuses the deck before it starts, naming the line.
public enum DeckNeed: Equatable, Sendable {
    /// `engine NAME`: what must run behind the console.
    case engine(EngineKind)
    /// `protocol NAME`: how the nodes replicate.
    case replication(ReplicationProtocol)
    /// `simulate SEED`: the simulated cluster, on this seed (so the lesson plays the same every time).
    case simulation(seed: UInt64)

    /// The header word each need starts with.
    static let words = ["engine", "protocol", "simulate"]

    /// The header line that states this need.
    public var text: String {
        switch self {
        case .engine(let kind): "engine \(kind.rawValue)"
        case .replication(let replication): "protocol \(replication.rawValue)"
        case .simulation(let seed): "simulate \(seed)"
        }
    }

    /// The engine this need implies, if any.
    public var engine: EngineKind? {
        switch self {
        case .engine(let kind): kind
        case .simulation: .simulation
        case .replication: nil
        }
    }
}

/// What runs behind the console.
public enum EngineKind: String, Equatable, Sendable, CaseIterable {
    /// Real node processes on this machine.
    case processes
    /// The same node loop on a virtual clock and network, in one process, seeded.
    case simulation
    /// Real etcd members.
    case etcd
}

/// How a cluster's nodes replicate.
public enum ReplicationProtocol: String, Equatable, Sendable, CaseIterable {
    case raft
    case primaryBackup = "primary-backup"
}

extension DeckNeed {
    /// Parses a header line's need; nil when the line does not start with a need's word.
    static func parse(_ tokens: [Token]) throws(CommandError) -> DeckNeed? {
        guard let first = tokens.first, !first.isQuoted, words.contains(first.text) else { return nil }
        guard tokens.count == 2 else {
            throw CommandError(message: "\(first.text) takes one word", column: first.column, usage: usage(first.text))
        }
        let value = tokens[1]
        switch first.text {
        case "engine":
            guard let kind = EngineKind(rawValue: value.text) else {
                throw CommandError(message: "no engine \(value.text)", column: value.column, usage: usage("engine"))
            }
            return .engine(kind)
        case "protocol":
            guard let replication = ReplicationProtocol(rawValue: value.text) else {
                throw CommandError(message: "no protocol \(value.text)", column: value.column,
                                   usage: usage("protocol"))
            }
            return .replication(replication)
        default:
            guard let seed = UInt64(value.text) else {
                throw CommandError(message: "the seed must be a whole number ≥ 0, not \(value.text)",
                                   column: value.column, usage: usage("simulate"))
            }
            return .simulation(seed: seed)
        }
    }

    private static func usage(_ word: String) -> String {
        switch word {
        case "engine": "engine " + EngineKind.allCases.map(\.rawValue).joined(separator: "|")
        case "protocol": "protocol " + ReplicationProtocol.allCases.map(\.rawValue).joined(separator: "|")
        default: "simulate SEED"
        }
    }
}
