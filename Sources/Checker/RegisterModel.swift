/// The key-value store seen one key at a time: a register with put, get, del and cas, plus the
/// highest fencing token a fenced put has written (a fenced put with a lower token is refused).
struct RegisterState: Hashable, Sendable {
    /// The interned value; `RegisterValues.absent` when the key has none.
    var value: Int32
    /// The highest fence accepted so far; `Int.min` before any fenced put.
    var fence: Int

    static let initial = RegisterState(value: RegisterValues.absent, fence: Int.min)
}

/// One operation on one key, with values interned.
struct RegisterOperation: Sendable {
    enum Kind: Sendable, Equatable {
        /// put (a value, maybe with a fence) and del (writes `absent`).
        case write(value: Int32, fence: Int?)
        case read(value: Int32)
        case compareAndSwap(expected: Int32, new: Int32)
    }

    var kind: Kind
    /// Index of the operation in the checked history.
    var source: Int
    var invoke: Double
    /// Nil when the outcome is unknown: it may take effect at any time after `invoke`, or never.
    var complete: Double?

    /// The value this operation needs the register to hold, if any.
    var observed: Int32? {
        switch kind {
        case .read(let value): value
        case .compareAndSwap(let expected, _): expected
        case .write: nil
        }
    }

    /// The value this operation leaves in the register, if it writes.
    var written: Int32? {
        switch kind {
        case .write(let value, _): value
        case .compareAndSwap(_, let new): new
        case .read: nil
        }
    }

    /// The register after this operation, or nil when it cannot happen in `state`.
    func apply(to state: RegisterState) -> RegisterState? {
        switch kind {
        case .write(let value, nil):
            return RegisterState(value: value, fence: state.fence)
        case .write(let value, let fence?):
            guard fence >= state.fence else { return nil }
            return RegisterState(value: value, fence: fence)
        case .read(let value):
            return state.value == value ? state : nil
        case .compareAndSwap(let expected, let new):
            guard state.value == expected else { return nil }
            return RegisterState(value: new, fence: state.fence)
        }
    }
}

/// Interns one key's values to small integers, so states hash and compare fast.
struct RegisterValues {
    static let absent: Int32 = 0
    private var ids: [String: Int32] = [:]
    private(set) var names: [String] = []

    mutating func id(of value: String?) -> Int32 {
        guard let value else { return Self.absent }
        if let id = ids[value] { return id }
        names.append(value)
        let id = Int32(names.count)
        ids[value] = id
        return id
    }

    func name(of id: Int32) -> String? {
        id == Self.absent ? nil : names[Int(id) - 1]
    }
}

/// The operations of one key, ready for the search.
struct RegisterHistory {
    var key: String
    var operations: [RegisterOperation]
    var values: RegisterValues

    /// Builds one key's history from the operations at `indexes` of `history`. Operations that
    /// certainly had no effect or tell nothing (outcome fail, stale reads, reads without an answer)
    /// are left out, and so are unknown writes whose value nobody observed: leaving such a write
    /// out never makes a linearizable history fail (see `withoutUnobservedUnknownWrites`).
    init(key: String, indexes: [Int], in history: [HistoryOperation]) {
        self.key = key
        var values = RegisterValues()
        var operations: [RegisterOperation] = []
        for index in indexes {
            let operation = history[index]
            guard let kind = Self.kind(of: operation, values: &values) else { continue }
            let complete = operation.outcome == .unknown ? nil : operation.complete
            operations.append(RegisterOperation(kind: kind, source: index, invoke: operation.invoke,
                                                complete: complete))
        }
        self.values = values
        self.operations = Self.withoutUnobservedUnknownWrites(operations)
    }

    private static func kind(of operation: HistoryOperation,
                             values: inout RegisterValues) -> RegisterOperation.Kind? {
        guard operation.outcome != .fail, operation.problem == nil else { return nil }
        switch operation.f {
        case "put":
            return .write(value: values.id(of: operation.value), fence: operation.token)
        case "del":
            return .write(value: RegisterValues.absent, fence: nil)
        case "cas":
            let expected = values.id(of: operation.old)
            return .compareAndSwap(expected: expected, new: values.id(of: operation.new))
        case "get":
            // A read never answered tells nothing; a stale read may lag by design.
            guard operation.outcome == .ok, operation.stale != true else { return nil }
            return .read(value: values.id(of: operation.value))
        default:
            return nil
        }
    }

    /// Drops unknown writes whose value no read or cas observes. In any linearization that uses
    /// such a write, the next operation after it is a write that does not look at the register (no
    /// one reads its value), so removing it leaves every other operation's result as it was; and a
    /// lower fence only ever lets more fenced puts through. This keeps unknown writes from
    /// multiplying the search.
    static func withoutUnobservedUnknownWrites(
        _ operations: [RegisterOperation]
    ) -> [RegisterOperation] {
        let observed = Set(operations.compactMap(\.observed))
        return operations.filter { operation in
            guard operation.complete == nil, let written = operation.written else { return true }
            return observed.contains(written)
        }
    }
}
