import Raft
@testable import Services

/// A service state fed through real log entries (encoded, then applied), one index per command.
struct Replica {
    var state: ServiceState
    var index: LogIndex = 0

    init(limits: ServiceLimits = ServiceLimits()) {
        state = ServiceState(limits: limits)
    }

    @discardableResult
    mutating func run(_ operation: ServiceOperation, session: ClientSession? = nil) -> CommandResult? {
        index += 1
        let data = ServiceCommand(session: session, operation: operation).encoded()
        return state.apply(Entry(term: 1, index: index, data: data))
    }

    @discardableResult
    mutating func clock(_ nowMs: Int) -> CommandResult? { run(.clock(nowMs: nowMs)) }

    @discardableResult
    mutating func acquire(_ lock: String, _ client: UInt64, ttl: Int = 1000, session: ClientSession? = nil)
        -> CommandResult? {
        run(.lock(.acquire(lock: lock, client: client, ttlMs: ttl)), session: session)
    }

    @discardableResult
    mutating func release(_ lock: String, _ client: UInt64) -> CommandResult? {
        run(.lock(.release(lock: lock, client: client)))
    }

    @discardableResult
    mutating func renew(_ client: UInt64) -> CommandResult? { run(.renew(client: client)) }

    @discardableResult
    mutating func campaign(_ name: String, _ client: UInt64, _ value: String, ttl: Int = 1000) -> CommandResult? {
        run(.election(.campaign(name: name, client: client, value: value, ttlMs: ttl)))
    }

    @discardableResult
    mutating func resign(_ name: String, _ client: UInt64) -> CommandResult? {
        run(.election(.resign(name: name, client: client)))
    }

    @discardableResult
    mutating func put(_ key: String, _ value: String, fence: Int?) -> CommandResult? {
        run(.kv(.put(key: key, value: value, fence: fence)))
    }

    func token(_ result: CommandResult?) -> Int? {
        if case .granted(let token)? = result { return token }
        return nil
    }
}
