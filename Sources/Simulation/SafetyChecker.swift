import Raft

/// A broken guarantee: Raft's, named as in the paper's Figure 3 (plus liveness and read
/// linearizability), or the services' (checked on the clients' history).
public struct Violation: Sendable, CustomStringConvertible {
    public enum Invariant: String, Sendable {
        case electionSafety = "election safety"
        case logMatching = "log matching"
        case leaderCompleteness = "leader completeness"
        case stateMachineSafety = "state machine safety"
        case linearizableRead = "linearizable read"
        case liveness
        // The services, checked on the clients' history:
        /// Every key behaves as a register (put, get, cas, del, fenced puts) in real-time order.
        case kvLinearizability = "kv linearizability"
        /// One lock holder at a time; fencing tokens increase in real-time order.
        case lockSafety = "lock safety"
        /// A retried write (same session and sequence) applies once.
        case exactlyOnce = "exactly-once"
        /// Every replica's services reach the same state at the same index (compared at snapshots).
        case serviceDeterminism = "service determinism"
        // Primary/backup:
        /// Each epoch has at most one primary (a quorum of monitors voted for it).
        case onePrimaryPerEpoch = "one primary per epoch"
        /// A replica applies its epoch's primary's stream, in order: a prefix of it.
        case streamPrefix = "replica stream prefix"
    }

    public var invariant: Invariant
    public var detail: String
    public var timeMs: Int

    public var description: String {
        "\(invariant.rawValue) violated at \(formatTime(ms: timeMs).trimmingPrefixSpaces): \(detail)"
    }
}

extension String {
    var trimmingPrefixSpaces: String { String(drop { $0 == " " }) }
}

/// Checks the Raft safety properties incrementally: each observation costs O(1) (O(log n) for an
/// election), whatever the length of the logs.
struct SafetyChecker {
    private struct Written {
        var previousTerm: Term
        var dataHash: UInt64
    }

    /// Election safety: the one leader of each term.
    private var leaderOfTerm: [Term: NodeID] = [:]
    /// Log matching: every (index, term) ever written must carry the same predecessor term and data.
    /// By induction on the index this is the whole prefix-matching property.
    private var written: [LogPosition: Written] = [:]
    /// The term of the entry committed at each index (slot 0 unused).
    private(set) var committedTerms: [Term] = [0]
    /// For leader completeness: (leader term when committed, highest index committed in that term).
    private var commitCheckpoints: [(term: Term, index: LogIndex)] = []
    /// State machine safety: the replica hash after applying each index (slot 0 = empty state).
    private var appliedHashes: [UInt64] = [SafetyChecker.emptyHash]
    /// The services' snapshot bytes' hash at each index some node took a snapshot at.
    private var snapshotHashes: [LogIndex: UInt64] = [:]

    static let emptyHash: UInt64 = 0xCBF2_9CE4_8422_2325

    /// The hash of the applied history through `index` (the empty history's when unknown).
    func appliedHash(through index: LogIndex) -> UInt64 {
        index < appliedHashes.count ? appliedHashes[index] : Self.emptyHash
    }

    /// The next link of an applied-history hash chain.
    static func chain(_ hash: UInt64, _ entry: Entry) -> UInt64 {
        var next = (hash ^ fnv1a(entry.data, kind: entry.kind)) &* 0x0000_0100_0000_01B3
        next = (next ^ UInt64(entry.index)) &* 0x0000_0100_0000_01B3
        return next
    }

    /// Two replicas that snapshot at one index must hold the same services' state there.
    mutating func snapshotTaken(_ snapshot: Snapshot, by node: NodeID) -> String? {
        let hash = fnv1a(snapshot.data, kind: .command)
        let index = snapshot.position.index
        guard let earlier = snapshotHashes[index] else {
            snapshotHashes[index] = hash
            return nil
        }
        return earlier == hash ? nil : "n\(node)'s services at index \(index) differ from another replica's"
    }

    var highestCommitted: LogIndex { committedTerms.count - 1 }
    /// The highest index any node applied.
    var highestApplied: LogIndex { appliedHashes.count - 1 }

    mutating func leaderElected(_ node: NodeID, term: Term, log: RaftNode) -> String? {
        if let other = leaderOfTerm[term], other != node {
            return "n\(other) and n\(node) are both leaders of term \(term)"
        }
        leaderOfTerm[term] = node
        guard let checkpoint = commitCheckpoints.last(where: { $0.term < term }) else { return nil }
        let index = checkpoint.index
        if index <= log.snapshotPosition.index { return nil }
        let held = log.term(at: index)
        guard held == committedTerms[index] else {
            let holds = held.map { "term \($0)" } ?? "nothing"
            return "n\(node) leads term \(term) but holds \(holds) at index \(index), "
                + "committed in term \(committedTerms[index]) by a term-\(checkpoint.term) leader"
        }
        return nil
    }

    mutating func entryWritten(_ entry: Entry, previousTerm: Term, by node: NodeID) -> String? {
        let position = LogPosition(term: entry.term, index: entry.index)
        let fresh = Written(previousTerm: previousTerm, dataHash: fnv1a(entry.data, kind: entry.kind))
        guard let earlier = written[position] else {
            written[position] = fresh
            return nil
        }
        if earlier.previousTerm != fresh.previousTerm {
            return "n\(node) wrote \(entry.index)@t\(entry.term) after term \(previousTerm), "
                + "another node after term \(earlier.previousTerm)"
        }
        if earlier.dataHash != fresh.dataHash {
            return "n\(node) wrote different data at \(entry.index)@t\(entry.term)"
        }
        return nil
    }

    /// Records that `node` (in `nodeTerm`) has committed `index` holding an entry of `entryTerm`.
    mutating func committed(index: LogIndex, entryTerm: Term, by node: NodeID, nodeTerm: Term) -> String? {
        if index <= highestCommitted {
            guard committedTerms[index] == entryTerm else {
                return "n\(node) committed term \(entryTerm) at index \(index), "
                    + "where term \(committedTerms[index]) was committed before"
            }
            return nil
        }
        precondition(index == highestCommitted + 1, "bug: commits are recorded in order")
        committedTerms.append(entryTerm)
        if let last = commitCheckpoints.last, last.term >= nodeTerm {
            commitCheckpoints[commitCheckpoints.count - 1].index = index
        } else {
            commitCheckpoints.append((nodeTerm, index))
        }
        return nil
    }

    mutating func applied(index: LogIndex, hash: UInt64, by node: NodeID) -> String? {
        if index < appliedHashes.count {
            guard appliedHashes[index] == hash else {
                return "n\(node) applied a different history through index \(index)"
            }
            return nil
        }
        guard index == appliedHashes.count else {
            return "n\(node) applied index \(index) before anyone applied \(appliedHashes.count)"
        }
        appliedHashes.append(hash)
        return nil
    }
}

func fnv1a(_ bytes: [UInt8], kind: EntryKind) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(kind.rawValue)
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return hash
}
