import Raft
import Services
import Wire

/// A client operation as the console issues it.
enum ClientOperation: Sendable {
    case write(KVOperation)
    case read(key: String)
    case staleRead(key: String, node: NodeID)
    /// A lock, election or renewal.
    case service(ServiceOperation)

    var historyName: String {
        switch self {
        case .write(.put): "put"
        case .write(.delete): "del"
        case .write(.compareAndSwap): "cas"
        case .read, .staleRead: "get"
        case .service(.lock(.acquire)): "lock"
        case .service(.lock(.release)): "unlock"
        case .service(.election(.campaign)): "campaign"
        case .service(.election(.resign)): "resign"
        case .service(.renew): "renew"
        case .service(.clock), .service(.kv): "service"
        }
    }

    var isRenewal: Bool {
        if case .service(.renew) = self { true } else { false }
    }

    var isWrite: Bool {
        switch self {
        case .write, .service: true
        case .read, .staleRead: false
        }
    }
}

/// How a client operation ended.
enum ClientOutcome: Sendable {
    case ok(value: String?)
    case compareFailed(current: String?)
    case failed(String)
    /// A write that may or may not have taken effect.
    case unknown(String)
    /// A lock or election command's result.
    case result(CommandResult)

    /// Why it failed or stayed unknown, in words for the event log.
    var reason: String? {
        switch self {
        case .ok, .result: nil
        case .compareFailed(let current): "the key holds \(current.map { "\"\($0)\"" } ?? "nothing")"
        case .failed(let reason):
            // The service names a refused fenced write `fenced: token lower than N`.
            reason.hasPrefix("fenced: ") ? String(reason.dropFirst("fenced: ".count)) : reason
        case .unknown(let reason): reason
        }
    }
}
