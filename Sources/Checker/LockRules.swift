// MARK: The three rules

extension LockChecker {
    /// Someone else held the lock at an instant when a grant's process certainly still held it.
    func twoHolders() -> LockFinding? {
        var best: (grant: Grant, hold: Hold)?
        for grant in grants {
            guard let until = grant.certainUntil else { continue }
            var position = firstHold(invokedAtOrAfter: grant.complete)
            while position < holds.count, holds[position].invoke < until {
                let hold = holds[position]
                position += 1
                // Touching at an instant is concurrent: the hold must begin strictly later.
                guard hold.process != grant.process, hold.invoke > grant.complete,
                      hold.complete < until else { continue }
                if best.map({ hold.complete < $0.hold.complete }) ?? true { best = (grant, hold) }
            }
        }
        guard let (grant, hold) = best else { return nil }
        return LockFinding(sources: [grant.source, hold.source],
                           explanation: twoHoldersText(grant, hold), time: hold.complete)
    }

    /// Two different processes were granted the same token.
    func sharedToken() -> LockFinding? {
        var firstByToken: [Int: Grant] = [:]
        for grant in grants {
            guard let first = firstByToken[grant.token] else {
                firstByToken[grant.token] = grant
                continue
            }
            guard first.process != grant.process else { continue }
            let text = "lock \(name) gave token \(grant.token) to both \(first.process) (by "
                + "\(Timeline.seconds(first.complete))) and \(grant.process) (by "
                + "\(Timeline.seconds(grant.complete))): a token is granted once"
            return LockFinding(sources: [first.source, grant.source], explanation: text,
                               time: grant.complete)
        }
        return nil
    }

    /// A grant returned a token no higher than one granted before it was asked for (a holder asking
    /// again gets its own token back, so an equal token from the same process is a renewal).
    func tokenGoingBack() -> LockFinding? {
        let byInvoke = grants.sorted { ($0.invoke, $0.source) < ($1.invoke, $1.source) }
        var highest: Grant?
        var completed = 0
        for later in byInvoke {
            while completed < grants.count, grants[completed].complete < later.invoke {
                if grants[completed].token > highest?.token ?? Int.min {
                    highest = grants[completed]
                }
                completed += 1
            }
            guard let earlier = highest, earlier.token > later.token else { continue }
            let text = "lock \(name) gave token \(later.token) to \(later.process) at "
                + "\(Timeline.seconds(later.invoke))–\(Timeline.seconds(later.complete)) "
                + "after it had given token \(earlier.token) to \(earlier.process) by "
                + "\(Timeline.seconds(earlier.complete)): tokens must strictly increase"
            return LockFinding(sources: [earlier.source, later.source], explanation: text,
                               time: later.complete)
        }
        return nil
    }

    /// The index of the first hold invoked at or after `time` (holds are sorted by invoke).
    private func firstHold(invokedAtOrAfter time: Double) -> Int {
        var low = 0
        var high = holds.count
        while low < high {
            let middle = (low + high) / 2
            if holds[middle].invoke < time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func twoHoldersText(_ grant: Grant, _ hold: Hold) -> String {
        let claim = hold.token.map { "lock \(name) was granted to \(hold.process) (token \($0))" }
            ?? "\(hold.process) released lock \(name), so held it,"
        let when = "at \(Timeline.seconds(hold.invoke))–\(Timeline.seconds(hold.complete))"
        let until = Timeline.seconds(grant.certainUntil ?? grant.complete)
        let end = grant.endedByUnlock
            ? "did not unlock it before \(until)"
            : "could not lose it to lease expiry before \(until)"
        return "\(claim) \(when), but \(grant.process) held it from "
            + "\(Timeline.seconds(grant.complete)) (token \(grant.token)) and \(end)"
    }
}
