import NodeRuntime
import Raft

/// `WriteAheadLog.open` recovering a data directory whose `wal.log` and `snapshot.bin` are
/// damaged: torn tails, flipped bits, records dropped, doubled or swapped, length fields at edge
/// values, and records whose payload was changed and then sealed with a valid checksum.
///
/// Properties: opening either recovers or throws `WALError.corrupt` / `.recordTooLarge` (any
/// other error is a bug); a recovered log holds contiguous entries right after its snapshot; the
/// torn tail it reports is exactly what it cut from the file; opening it again recovers the same
/// state with nothing to cut; and it accepts the next entry, which a third opening finds.
public struct WALTarget: FuzzTarget {
    /// The two files of a data directory; a nil snapshot means no `snapshot.bin`.
    public struct Input: Sendable {
        public var log: [UInt8]
        public var snapshot: [UInt8]?
    }

    public let name = "wal"
    let samples: [Input]
    let workspace: Workspace
    let mutator = ByteMutator(maximumBytes: 65_536)

    /// A target seeded with logs the real `WriteAheadLog` writes (see `WALCorpus`).
    /// - Throws: when the temporary directory for the samples cannot be made.
    public init() throws {
        samples = try WALCorpus.samples()
        workspace = Workspace(prefix: "wal")
    }

    public func prepare() throws { try workspace.create() }
    public func finish() { workspace.remove() }

    public func makeInput(using random: inout FuzzRandom) -> Input {
        var input = random.pick(samples)
        let logs = samples.map(\.log)
        switch random.below(10) {
        case 0:
            break
        case 1:
            input.log.removeLast(random.below(input.log.count + 1))
        case 2, 3:
            mutator.mutate(&input.log, donors: logs, using: &random)
        case 4, 5:
            input.log = WALMutations.resealed(input.log, using: &random)
        case 6:
            input.log = WALMutations.rearranged(input.log, donors: logs, using: &random)
        case 7:
            input.log = WALMutations.damagedLengthField(input.log, using: &random)
        case 8:
            input.snapshot = WALMutations.snapshot(input.snapshot, samples: samples, using: &random)
        default:
            input.log = WALMutations.garbage(using: &random)
        }
        return input
    }

    public func run(_ input: Input) -> FuzzOutcome {
        do {
            try workspace.store(input)
        } catch {
            return .violation("could not write the input files: \(error)")
        }
        let recovered: PersistentState
        let torn: Int
        do {
            let (log, state) = try WriteAheadLog.open(directory: workspace.path, fsync: false)
            torn = log.tornTailBytesDropped
            log.close()
            recovered = state
        } catch {
            return refusal(error)
        }
        if let problem = WALChecks.stateProblem(recovered) { return .violation(problem) }
        let size = workspace.logSize()
        guard torn >= 0, size == input.log.count - torn else {
            return .violation("reported a torn tail of \(torn) bytes, but the log went from "
                + "\(input.log.count) to \(size.map(String.init) ?? "?") bytes")
        }
        if let problem = WALChecks.reopenProblem(workspace.path, expected: recovered) {
            return .violation(problem)
        }
        return .accepted(torn > 0 ? "recovered, torn tail cut" : "recovered")
    }

    private func refusal(_ error: WALError) -> FuzzOutcome {
        switch error {
        case .corrupt(_, _, let reason):
            return .refused("corrupt: " + OutcomeLabel.normalize(reason))
        case .recordTooLarge:
            return .refused("record too large")
        case .io, .invalidBatch, .locked, .unusable, .closed:
            return .violation("open failed with an error recovery never gives: \(error)")
        }
    }

    public func size(of input: Input) -> Int { input.log.count + (input.snapshot?.count ?? 0) }

    public func describe(_ input: Input) -> String {
        let snapshot = input.snapshot.map { Escaping.hex($0) } ?? "(none)"
        return "wal.log \(Escaping.hex(input.log))\nsnapshot.bin \(snapshot)"
    }
}

/// What must hold of a recovered log.
enum WALChecks {
    static func stateProblem(_ state: PersistentState) -> String? {
        let base = state.snapshot?.position.index ?? 0
        if let first = state.entries.first, first.index &- base != 1 {
            return "recovered entries start at \(first.index), the snapshot ends at \(base)"
        }
        for (previous, next) in zip(state.entries, state.entries.dropFirst())
        where next.index &- previous.index != 1 {
            return "recovered entry \(next.index) follows entry \(previous.index)"
        }
        return nil
    }

    /// Reopens the log (same state, nothing cut), appends the next entry, and reopens again.
    static func reopenProblem(_ directory: String, expected: PersistentState) -> String? {
        let lastIndex = expected.entries.last?.index ?? expected.snapshot?.position.index ?? 0
        let term = max(expected.hardState.term, expected.entries.last?.term ?? 0, 1)
        let next = Entry(term: term, index: lastIndex &+ 1, data: [0x2A])
        do {
            let (log, state) = try WriteAheadLog.open(directory: directory, fsync: false)
            defer { log.close() }
            guard state == expected, log.tornTailBytesDropped == 0 else {
                return "a second open recovered another state or cut "
                    + "\(log.tornTailBytesDropped) bytes"
            }
            // An index at Int.max has no successor; the log is still fine to read.
            guard lastIndex < Int.max - 1 else { return nil }
            var ready = Ready()
            ready.entries = [next]
            try log.persist(ready)
        } catch {
            return "the recovered log cannot be reopened and appended to: \(error)"
        }
        do {
            let (log, state) = try WriteAheadLog.open(directory: directory, fsync: false)
            log.close()
            guard state.entries.last == next else {
                return "the entry appended after recovery is not there on the next open"
            }
        } catch {
            return "the log no longer opens after appending to a recovered log: \(error)"
        }
        return nil
    }
}
