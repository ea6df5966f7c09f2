/// What a lock operation's record says, from its `result` and `token` fields or, in histories
/// written before those fields existed, from the result text in `new` (`granted, token 3`).
enum LockEvidence {
    /// `granted`, `queued`, `released`, `withdrawn`, `notHeld`, …; nil when not known.
    static func result(of operation: HistoryOperation) -> String? {
        if let result = operation.result { return result }
        guard let text = operation.new else { return nil }
        if text.hasPrefix("granted") { return "granted" }
        if text.hasPrefix("queued") { return "queued" }
        if text == "not held" { return "notHeld" }
        return ["released", "withdrawn"].first { $0 == text }
    }

    /// The fencing token a granted acquire returned.
    static func token(of operation: HistoryOperation) -> Int? {
        if let token = operation.token { return token }
        guard let text = operation.new, text.hasPrefix("granted, token ") else { return nil }
        return Int(text.dropFirst("granted, token ".count))
    }
}

/// A lock violation: the operations involved (indexes into the history) and what went wrong.
struct LockFinding {
    var sources: [Int]
    var explanation: String
    /// When the later of the operations completed; the earliest finding is the one reported.
    var time: Double
}

/// Checks one lock's operations against the lock service's model (docs/HISTORY.md, "What `check`
/// checks"). Every rule flags only what no timing of a correct service could produce.
struct LockChecker {
    /// An acquire answered `granted`: the process held the lock at some instant of
    /// [invoke, complete], and its lease then ran at least `ttl` from that instant.
    struct Grant {
        var source: Int
        var process: String
        var token: Int
        var invoke: Double
        var complete: Double
        /// Until when the process certainly still holds the lock; nil when nothing is certain.
        var certainUntil: Double?
        var endedByUnlock = false
    }

    /// Proof of holding at some instant of [invoke, complete]: a grant, or an unlock answered
    /// `released` (only the holder can release).
    struct Hold {
        var source: Int
        var process: String
        var invoke: Double
        var complete: Double
        var token: Int?
    }

    let name: String
    let history: [HistoryOperation]
    private(set) var grants: [Grant] = []
    private(set) var holds: [Hold] = []

    init(name: String, indexes: [Int], in history: [HistoryOperation], leaseSlackSeconds: Double) {
        self.name = name
        self.history = history
        for index in indexes {
            let operation = history[index]
            guard operation.outcome == .ok, let complete = operation.complete else { continue }
            let result = LockEvidence.result(of: operation)
            let process = operation.process
            let token = LockEvidence.token(of: operation)
            if operation.f == "lock", result == "granted", let token {
                grants.append(Grant(source: index, process: process, token: token,
                                    invoke: operation.invoke, complete: complete))
                holds.append(Hold(source: index, process: process, invoke: operation.invoke,
                                  complete: complete, token: token))
            } else if operation.f == "unlock", result == "released" {
                holds.append(Hold(source: index, process: process, invoke: operation.invoke,
                                  complete: complete, token: nil))
            }
        }
        let unlocks = indexes.filter { history[$0].f == "unlock" && history[$0].outcome != .fail }
        for position in grants.indices {
            bound(&grants[position], unlocks: unlocks, leaseSlackSeconds: leaseSlackSeconds)
        }
        grants.sort { ($0.complete, $0.source) < ($1.complete, $1.source) }
        holds.sort { ($0.invoke, $0.source) < ($1.invoke, $1.source) }
    }

    /// Until when `grant`'s process certainly holds: its lease runs at least ttl from the grant's
    /// linearization (an acquire by the holder restarts the lease), so it cannot expire before
    /// invoke + ttl (less the slack allowed for service time lagging behind); and an unlock that
    /// may take effect after the grant may end it at the unlock's invoke.
    private func bound(_ grant: inout Grant, unlocks: [Int], leaseSlackSeconds: Double) {
        guard let ttlMs = history[grant.source].ttlMs else { return }
        var until = grant.invoke + Double(ttlMs) / 1000 - leaseSlackSeconds
        for index in unlocks {
            let unlock = history[index]
            guard unlock.process == grant.process, (unlock.complete ?? .infinity) >= grant.invoke,
                  unlock.invoke < until else { continue }
            until = unlock.invoke
            grant.endedByUnlock = true
        }
        grant.certainUntil = until > grant.complete ? until : nil
    }

    /// The earliest violation on this lock, or nil.
    func firstFinding() -> LockFinding? {
        let findings = [twoHolders(), sharedToken(), tokenGoingBack()].compactMap { $0 }
        return findings.min { $0.time < $1.time }
    }
}
