import Raft

/// A fixed-size set of operation indexes, hashable as a memo key. Its hash is kept up to date
/// as members come and go (Zobrist hashing: the XOR of one random word per member), so hashing
/// costs the same for ten operations as for ten thousand.
struct OperationSet: Hashable, Sendable {
    private var words: [UInt64]
    private var zobrist: UInt64 = 0

    init(count: Int) {
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
        zobrist ^= Self.key(index)
    }

    mutating func remove(_ index: Int) {
        words[index >> 6] &= ~(1 << UInt64(index & 63))
        zobrist ^= Self.key(index)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(zobrist)
    }

    static func == (left: OperationSet, right: OperationSet) -> Bool {
        left.zobrist == right.zobrist && left.words == right.words
    }

    /// A well-mixed word per index: the first draw of the core's SplitMix64 seeded with it.
    private static func key(_ index: Int) -> UInt64 {
        var random = SeededRandom(seed: UInt64(truncatingIfNeeded: index))
        return random.next()
    }
}

/// How far the search got before it had to give up on a history: the longest order of operations
/// that worked, and the operation that could not follow it.
struct SearchFrontier: Sendable {
    /// How many operations the longest linearizable prefix holds.
    var depth: Int
    /// The last write of that prefix (an index into the searched operations): what the register
    /// holds comes from it.
    var lastWrite: Int?
    /// The register after that prefix.
    var state: RegisterState
    /// The operation whose completion came before it could be placed.
    var blocked: Int
}

/// What the search concluded about one key.
enum SearchOutcome: Sendable {
    case linearizable
    case notLinearizable(SearchFrontier)
    /// The step budget ran out first.
    case undecided(steps: Int)
}

/// Wing and Gong's linearizability search with Lowe's just-in-time linearization and memoization
/// (the algorithm of Knossos and Porcupine).
///
/// Calls and returns sit in one list in time order. Walking it from the front, a call may be
/// linearized when the register allows it: the operation leaves the list and the walk restarts. A
/// return reached means its operation should have been linearized by then: undo the last choice
/// and try the next call. A (set of linearized operations, register) pair seen before is never
/// explored twice. An unknown operation has no return: it may be linearized at any point after its
/// call, or never; the search succeeds once every operation that completed is linearized.
struct LinearizationSearch {
    private let operations: [RegisterOperation]
    private let stepBudget: Int
    /// The event list: entry `2i` is operation i's call, `2i + 1` its return; `head` is a sentinel.
    private var next: [Int]
    private var previous: [Int]
    private var head: Int { 2 * operations.count }
    private static let none = -1

    init(operations: [RegisterOperation], stepBudget: Int) {
        self.operations = operations
        self.stepBudget = stepBudget
        let count = 2 * operations.count + 1
        next = Array(repeating: Self.none, count: count)
        previous = Array(repeating: Self.none, count: count)
        linkEvents()
    }

    /// Threads calls and returns into time order; at equal times calls come first, so operations
    /// that touch at an instant count as concurrent (the permissive reading).
    private mutating func linkEvents() {
        var events: [(time: Double, isReturn: Bool, entry: Int)] = []
        events.reserveCapacity(2 * operations.count)
        for (index, operation) in operations.enumerated() {
            events.append((operation.invoke, false, 2 * index))
            if let complete = operation.complete { events.append((complete, true, 2 * index + 1)) }
        }
        events.sort {
            ($0.time, $0.isReturn ? 1 : 0, $0.entry) < ($1.time, $1.isReturn ? 1 : 0, $1.entry)
        }
        var last = head
        for event in events {
            next[last] = event.entry
            previous[event.entry] = last
            last = event.entry
        }
    }

    /// Runs the search to a verdict, or until the step budget is spent.
    mutating func run() -> SearchOutcome {
        var state = RegisterState.initial
        var linearized = OperationSet(count: operations.count)
        var seen: Set<MemoKey> = []
        var stack: [(operation: Int, before: RegisterState)] = []
        var remaining = operations.count(where: { $0.complete != nil })
        var frontier: SearchFrontier?
        var entry = next[head]
        var steps = 0
        while remaining > 0, entry != Self.none {
            steps += 1
            guard steps <= stepBudget else { return .undecided(steps: steps) }
            let index = entry / 2
            if entry % 2 == 0 {
                // A call: linearize it here if the register allows and this state is new.
                if let after = operations[index].apply(to: state) {
                    linearized.insert(index)
                    if seen.insert(MemoKey(linearized: linearized, state: after)).inserted {
                        stack.append((index, state))
                        state = after
                        lift(index)
                        if operations[index].complete != nil { remaining -= 1 }
                        entry = next[head]
                        continue
                    }
                    linearized.remove(index)
                }
                entry = next[entry]
                continue
            }
            // A return before its operation was placed: this path fails; undo the last choice.
            if stack.count > (frontier?.depth ?? -1) {
                let lastWrite = stack.last { operations[$0.operation].written != nil }?.operation
                frontier = SearchFrontier(depth: stack.count, lastWrite: lastWrite, state: state,
                                          blocked: index)
            }
            guard let (undone, before) = stack.popLast() else { break }
            linearized.remove(undone)
            state = before
            unlift(undone)
            if operations[undone].complete != nil { remaining += 1 }
            entry = next[2 * undone]
        }
        guard remaining > 0 else { return .linearizable }
        guard let frontier else { preconditionFailure("bug: a failed search records its frontier") }
        return .notLinearizable(frontier)
    }

    private struct MemoKey: Hashable {
        var linearized: OperationSet
        var state: RegisterState
    }

    /// Takes operation `index`'s call and return out of the list.
    private mutating func lift(_ index: Int) {
        remove(2 * index)
        if operations[index].complete != nil { remove(2 * index + 1) }
    }

    /// Puts them back, in the reverse order of `lift`.
    private mutating func unlift(_ index: Int) {
        if operations[index].complete != nil { restore(2 * index + 1) }
        restore(2 * index)
    }

    private mutating func remove(_ entry: Int) {
        next[previous[entry]] = next[entry]
        if next[entry] != Self.none { previous[next[entry]] = previous[entry] }
    }

    private mutating func restore(_ entry: Int) {
        next[previous[entry]] = entry
        if next[entry] != Self.none { previous[next[entry]] = entry }
    }
}
