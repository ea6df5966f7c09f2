/// Violations that one operation shows on its own, found in O(n log n) before the search runs.
///
/// A failing search is exhaustive: on a long, busy key it may explore millions of orders before
/// it gives up. The usual anomalies need no search — a read of a value never written, a read of a
/// value that was certainly overwritten, more successful cas from a value than writes of it, a
/// fence ignored — so they are looked for first. Each rule is sound on its own: when it fires, no
/// order explains the operation it names.
enum CertainViolations {
    /// The earliest-completing operation (an index into `operations`) that some rule proves
    /// unexplainable, or nil when none does.
    static func firstBlocked(in operations: [RegisterOperation]) -> Int? {
        let found = neverWritten(operations) + overwritten(operations) + lostUpdates(operations)
            + fencesIgnored(operations)
        return found.min { completion(of: $0, in: operations) < completion(of: $1, in: operations) }
    }

    /// Reads and cas that saw a value no operation wrote.
    static func neverWritten(_ operations: [RegisterOperation]) -> [Int] {
        let written = Set(operations.compactMap(\.written))
        return operations.indices.filter { index in
            let operation = operations[index]
            guard operation.complete != nil, let value = operation.observed else { return false }
            return value != RegisterValues.absent && !written.contains(value)
        }
    }

    /// Reads and cas that saw value v although a write of another value completed before they began
    /// and no write of v could come after that write. For each reader the best witness is the
    /// completed write that began last (the later it began, the fewer writes of v can follow it).
    static func overwritten(_ operations: [RegisterOperation]) -> [Int] {
        let writesOfValue = WritesOfValue(operations)
        let completedWrites = operations.indices
            .filter { operations[$0].written != nil && operations[$0].complete != nil }
            .sorted { (operations[$0].complete ?? 0) < (operations[$1].complete ?? 0) }
        let readers = operations.indices
            .filter { operations[$0].observed != nil && operations[$0].complete != nil }
            .sorted { operations[$0].invoke < operations[$1].invoke }
        var latest = LatestWrites()
        var next = 0
        var found: [Int] = []
        for reader in readers {
            let operation = operations[reader]
            while next < completedWrites.count,
                  (operations[completedWrites[next]].complete ?? 0) < operation.invoke {
                latest.add(completedWrites[next], in: operations)
                next += 1
            }
            guard let value = operation.observed, let complete = operation.complete,
                  let witness = latest.witness(against: value, in: operations) else { continue }
            // Operations that touch at an instant count as concurrent, hence ≤ and <.
            let latestEnd = writesOfValue.latestEnd(of: value, invokedAtOrBefore: complete)
            if latestEnd < operations[witness].invoke { found.append(reader) }
        }
        return found
    }

    /// Successful cas from v to another value, more of them than writes of v (each needs its own).
    static func lostUpdates(_ operations: [RegisterOperation]) -> [Int] {
        var consumers: [Int32: [Int]] = [:]
        var supply: [Int32: Int] = [RegisterValues.absent: 1]
        for (index, operation) in operations.enumerated() {
            if let written = operation.written { supply[written, default: 0] += 1 }
            guard case .compareAndSwap(let expected, let new) = operation.kind, new != expected,
                  operation.complete != nil else { continue }
            consumers[expected, default: []].append(index)
        }
        return consumers.compactMap { value, indexes in
            let available = supply[value] ?? 0
            guard indexes.count > available else { return nil }
            let sorted = indexes.sorted {
                completion(of: $0, in: operations) < completion(of: $1, in: operations)
            }
            return sorted[available]
        }
    }

    /// Fenced puts that succeeded although a higher fence had certainly been accepted before.
    static func fencesIgnored(_ operations: [RegisterOperation]) -> [Int] {
        let fenced = operations.indices.filter { index in
            guard case .write(_, _?) = operations[index].kind else { return false }
            return operations[index].complete != nil
        }
        let byComplete = fenced.sorted {
            completion(of: $0, in: operations) < completion(of: $1, in: operations)
        }
        let byInvoke = fenced.sorted { operations[$0].invoke < operations[$1].invoke }
        var highest = Int.min
        var next = 0
        var found: [Int] = []
        for index in byInvoke {
            while next < byComplete.count,
                  completion(of: byComplete[next], in: operations).0 < operations[index].invoke {
                highest = max(highest, fence(of: operations[byComplete[next]]))
                next += 1
            }
            if fence(of: operations[index]) < highest { found.append(index) }
        }
        return found
    }

    /// When an operation completed (unknown: never), with its index to break ties.
    private static func completion(of index: Int,
                                   in operations: [RegisterOperation]) -> (Double, Int) {
        (operations[index].complete ?? .infinity, index)
    }

    private static func fence(of operation: RegisterOperation) -> Int {
        guard case .write(_, let fence?) = operation.kind else { return Int.min }
        return fence
    }
}

/// For each value, its writes by invoke time, with the latest end among the first k (an unknown
/// write never ends): "could a write of v be in effect after time t?" in O(log n).
private struct WritesOfValue {
    private var invokes: [Int32: [Double]] = [:]
    private var latestEnds: [Int32: [Double]] = [:]

    init(_ operations: [RegisterOperation]) {
        let writes = operations.filter { $0.written != nil }.sorted { $0.invoke < $1.invoke }
        for write in writes {
            guard let value = write.written else { continue }
            invokes[value, default: []].append(write.invoke)
            let end = max(latestEnds[value]?.last ?? -.infinity, write.complete ?? .infinity)
            latestEnds[value, default: []].append(end)
        }
    }

    /// The latest end of a write of `value` invoked at or before `time`; -infinity when there is
    /// none.
    func latestEnd(of value: Int32, invokedAtOrBefore time: Double) -> Double {
        guard let invokes = invokes[value], let ends = latestEnds[value] else { return -.infinity }
        var low = 0
        var high = invokes.count
        while low < high {
            let middle = (low + high) / 2
            if invokes[middle] <= time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? -.infinity : ends[low - 1]
    }
}

/// The completed write that began last, and the one that began last among those writing another
/// value than it: together they give, for any value v, the latest-begun write of a value other
/// than v.
private struct LatestWrites {
    private var best: Int?
    private var other: Int?

    mutating func add(_ index: Int, in operations: [RegisterOperation]) {
        let write = operations[index]
        guard let current = best else { return best = index }
        if write.invoke > operations[current].invoke {
            if write.written != operations[current].written { other = current }
            best = index
        } else if write.written != operations[current].written,
                  other.map({ write.invoke > operations[$0].invoke }) ?? true {
            other = index
        }
    }

    func witness(against value: Int32, in operations: [RegisterOperation]) -> Int? {
        guard let best else { return nil }
        return operations[best].written != value ? best : other
    }
}
