import Services

/// The smallest keys of the store, which a node's state display shows. Finding them sorts every
/// key, which at 20 state frames a second would cost more than the writes themselves once the
/// store holds thousands of keys: the sample is kept up to date as puts apply and found again only
/// after something else changed the set of keys.
struct KeySample: Sendable {
    static let size = 8
    /// Nil: find them again.
    private var keys: [String]?

    /// Keeps the sample current after `command` applied with `result`.
    mutating func note(_ command: ServiceCommand, result: CommandResult) {
        guard case .kv(let operation) = command.operation else { return }
        guard case .put(let key, _, _) = operation, case .applied = result else {
            // A delete (or a failed or other write) may remove keys in ways not tracked here.
            keys = nil
            return
        }
        notePut(key)
    }

    mutating func forget() { keys = nil }

    private mutating func notePut(_ key: String) {
        guard var sample = keys, !sample.contains(key) else { return }
        sample.insertKeepingSmallest(key, limit: Self.size)
        keys = sample
    }

    /// The first keys in order with their current values.
    mutating func current(in services: ServiceState) -> [String: String] {
        let sample = keys ?? services.pairs(limit: Self.size).map(\.key)
        keys = sample
        var values: [String: String] = [:]
        for key in sample {
            if let value = services.value(of: key) { values[key] = value }
        }
        return values
    }
}
