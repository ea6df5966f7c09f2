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
    /// `replication async|semi-sync K [wait]`: when a primary/backup primary answers a write.
    case acknowledgement(ReplicationMode)

    /// The header word each need starts with.
    static let words = ["engine", "protocol", "simulate", "replication"]

    /// The header line that states this need.
    public var text: String {
        switch self {
        case .engine(let kind): "engine \(kind.rawValue)"
        case .replication(let replication): "protocol \(replication.rawValue)"
        case .simulation(let seed): "simulate \(seed)"
        case .acknowledgement(let mode): "replication \(mode)"
        }
    }

    /// The engine this need implies, if any.
    public var engine: EngineKind? {
        switch self {
        case .engine(let kind): kind
        case .simulation: .simulation
        case .replication, .acknowledgement: nil
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
        if first.text == "replication" {
            switch ReplicationMode.parse(tokens.dropFirst().map(\.text)) {
            case .success(let mode): return .acknowledgement(mode)
            case .failure(let error):
                throw CommandError(message: error.description, column: tokens.dropFirst().first?.column ?? first.column,
                                   usage: usage("replication"))
            }
        }
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
        case "replication": "replication " + ReplicationModeError.usage
        default: "simulate SEED"
        }
    }
}

/// When a primary/backup cluster's primary answers a write (`--replication`, and a deck's
/// `replication` header line): `async`, `semi-sync K` (once K replicas hold it, falling back to async
/// after a timeout as MySQL does), or `semi-sync K wait` (never falling back: the write waits).
public enum ReplicationMode: Equatable, Sendable, CustomStringConvertible {
    case async
    case semiSync(replicas: Int, waitsForever: Bool)

    /// The words that name it: `async`, `semi-sync 1`, `semi-sync 2 wait`.
    public var description: String {
        switch self {
        case .async: "async"
        case .semiSync(let replicas, let waits): "semi-sync \(replicas)" + (waits ? " wait" : "")
        }
    }

    /// Parses the words `description` writes (`semi-sync` alone means one replica).
    /// - Returns: nil, with the reason in `error`, when the words name no mode.
    public static func parse(_ words: [String]) -> Result<ReplicationMode, ReplicationModeError> {
        switch words.first {
        case "async" where words.count == 1:
            return .success(.async)
        case "semi-sync" where (1...3).contains(words.count):
            let replicas = words.count >= 2 ? Int(words[1]) : 1
            guard let replicas, replicas >= 1 else { return .failure(ReplicationModeError(words)) }
            guard words.count < 3 || words[2] == "wait" else { return .failure(ReplicationModeError(words)) }
            return .success(.semiSync(replicas: replicas, waitsForever: words.count == 3))
        default:
            return .failure(ReplicationModeError(words))
        }
    }

    /// Parses one string of words (`"semi-sync 1"`), as a flag carries it.
    public static func parse(_ text: String) -> Result<ReplicationMode, ReplicationModeError> {
        parse(text.split(separator: " ").map(String.init))
    }
}

/// Words that name no replication mode.
public struct ReplicationModeError: Error, CustomStringConvertible, Equatable {
    public static let usage = "async | semi-sync K [wait]"
    public let description: String

    init(_ words: [String]) {
        description = "no replication mode `\(words.joined(separator: " "))`: use \(Self.usage)"
    }
}
