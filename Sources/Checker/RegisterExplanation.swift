/// Turns a failed search on one key into the operations to show and one sentence a person can
/// check against the timeline. The search has already decided; this only picks the clearest words.
struct RegisterExplanation {
    let register: RegisterHistory
    let history: [HistoryOperation]
    let frontier: SearchFrontier

    /// The operation that could not be placed.
    private var blocked: RegisterOperation { register.operations[frontier.blocked] }

    /// Operations to draw: the blocked one, the writes that explain the sentence, and the last
    /// write of the longest order that worked; at most six, as indexes into the history.
    func sources(witnesses: [Int]) -> [Int] {
        var picked = [blocked.source] + witnesses
        if let last = frontier.lastWrite {
            picked.append(register.operations[last].source)
        }
        var unique: [Int] = []
        for source in picked where !unique.contains(source) { unique.append(source) }
        return Array(unique.prefix(6))
    }

    /// The sentence and the operations it names (history indexes).
    func explain() -> (text: String, witnesses: [Int]) {
        if let observed = blocked.observed {
            if let text = neverWritten(observed) { return (text, []) }
            if let found = overwritten(observed) { return found }
            if let found = lostUpdate(observed) { return found }
        }
        if case .write(_, let fence?) = blocked.kind, let found = fenceRefused(fence) {
            return found
        }
        return fallback()
    }

    // MARK: Explanations, most specific first

    private func neverWritten(_ value: Int32) -> String? {
        guard value != RegisterValues.absent,
              !register.operations.contains(where: { $0.written == value }) else { return nil }
        return "\(phrase(blocked)) at \(time(blocked)), but no operation wrote "
            + "\(OperationText.word(register.values.name(of: value))) to \(key)"
    }

    /// Two successful cas from the same value, which was written fewer times than that.
    private func lostUpdate(_ value: Int32) -> (String, [Int])? {
        guard case .compareAndSwap(_, let new) = blocked.kind, new != value else { return nil }
        let consumers = register.operations.filter {
            guard case .compareAndSwap(value, let other) = $0.kind else { return false }
            return other != value && $0.complete != nil
        }
        let writes = register.operations.filter { $0.written == value }
        let supply = writes.count + (value == RegisterValues.absent ? 1 : 0)
        guard consumers.count >= 2, supply < consumers.count,
              let other = consumers.first(where: { $0.source != blocked.source }) else {
            return nil
        }
        let shown = name(value)
        let written = writes.first.map { " (\(phrase($0)) at \(time($0)))" } ?? ""
        let times = supply == 1 ? "once" : "\(supply) times"
        let text = "\(phrase(blocked)) and \(phrase(other)) both found \(shown), but \(key) was "
            + "set to \(shown) only \(times)\(written): an update was lost"
        return (text, [other.source] + writes.prefix(1).map(\.source))
    }

    /// A definite write of another value completed before the blocked operation began, and no write
    /// of the value it saw could have come after that write.
    private func overwritten(_ value: Int32) -> (String, [Int])? {
        let candidates = register.operations.filter { write in
            guard let written = write.written, written != value, let complete = write.complete,
                  complete < blocked.invoke else { return false }
            return !register.operations.contains { other in
                other.written == value && (other.complete ?? .infinity) >= write.invoke
                    && other.invoke <= (blocked.complete ?? .infinity)
            }
        }
        let latest = candidates.max { ($0.complete ?? 0) < ($1.complete ?? 0) }
        guard let write = latest else { return nil }
        let between = register.operations.contains { other in
            other.source != write.source && other.source != blocked.source && other.written != nil
                && other.invoke <= (blocked.complete ?? 0)
                && (other.complete ?? .infinity) >= write.invoke
        }
        let completed = "\(phrase(write)) completed at \(time(write))"
        let text = between
            ? "\(phrase(blocked)) at \(time(blocked)), but \(completed) and no write of "
                + "\(name(value)) could come after it"
            : "\(phrase(blocked)) at \(time(blocked)), but \(key) was \(name(write.written ?? 0)) "
                + "since \(completed)"
        return (text, [write.source])
    }

    /// A fenced put that succeeded although a higher token had certainly been accepted before it.
    private func fenceRefused(_ fence: Int) -> (String, [Int])? {
        let higher = register.operations.first { other in
            guard case .write(_, let otherFence?) = other.kind, otherFence > fence,
                  let complete = other.complete else { return false }
            return complete < blocked.invoke
        }
        guard let higher else { return nil }
        let text = "\(phrase(blocked)) succeeded at \(time(blocked)), but \(phrase(higher)) had "
            + "completed at \(time(higher)): a lower fencing token must be refused"
        return (text, [higher.source])
    }

    private func fallback() -> (String, [Int]) {
        let lastWrite = frontier.lastWrite
        let held = lastWrite.map { " (last written by \(phrase(register.operations[$0])))" } ?? ""
        let text = "no order of the operations on \(key) explains \(phrase(blocked)) at "
            + "\(time(blocked)): in the longest order that works, \(key) holds "
            + "\(name(frontier.state.value))\(held)"
        return (text, [])
    }

    // MARK: Words

    private var key: String { OperationText.word(register.key) }

    private func name(_ value: Int32) -> String {
        OperationText.word(register.values.name(of: value))
    }

    private func phrase(_ operation: RegisterOperation) -> String {
        OperationText.describe(history[operation.source])
    }

    private func time(_ operation: RegisterOperation) -> String {
        Timeline.seconds(operation.complete ?? operation.invoke)
    }
}
