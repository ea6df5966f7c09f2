import Checker
import Raft
import Replica
import Services

/// One seeded client of the simulated cluster, like the console's named clients: one operation
/// at a time, sent to the node it believes leads; redirected by `notLeader`, retried with the same
/// session sequence after a timeout or an `unknown` answer, given up (outcome `unknown`) after a
/// bound. It takes locks with leases, renews them, writes with fencing tokens, and now and then
/// pauses past its lease (a GC pause) and then writes with the token it no longer holds.
struct SimulatedClient {
    /// An operation in flight: what was asked and its history record so far.
    struct InFlight {
        var operation: ClientRequest.Operation
        var session: ClientSession?
        var record: HistoryOperation
        var serial: UInt64
        var attempt: Int = 0
        var startedMs: Int
        /// Not recorded in the history (lease renewals).
        var recorded = true
    }

    /// A lock this client holds, as far as it knows.
    struct HeldLock {
        var name: String
        var token: Int
        var ttlMs: Int
        var renewedAtMs: Int
    }

    static let lockNames = ["L0", "L1"]
    static let keys = ["k0", "k1", "k2", "k3"]
    static let ttlChoicesMs = [300, 600, 1_500]

    let index: Int
    let clientID: UInt64
    var name: String { "c\(index + 1)" }
    var leaderHint: NodeID
    var inFlight: InFlight?
    var held: HeldLock?
    /// A lock this client is queued for (it asks again until granted or it gives up).
    var waiting: (name: String, ttlMs: Int, asks: Int)?
    /// While set and in the future, the client does nothing at all (not even renew).
    var pausedUntilMs: Int?
    /// A token kept from before a pause, written with once the client wakes.
    var staleToken: (lock: String, token: Int)?
    private var sequence: UInt64 = 0
    private var serial: UInt64 = 0
    /// The last value this client saw under each key (for cas).
    private var lastSeen: [String: String] = [:]

    init(index: Int, leaderHint: NodeID) {
        self.index = index
        clientID = UInt64(index + 1)
        self.leaderHint = leaderHint
    }

    // MARK: Choosing the next operation

    /// Starts the next operation at `nowMs`; nil while paused (wake at `pausedUntilMs`).
    mutating func startNext(atMs nowMs: Int, using random: inout SeededRandom) -> InFlight? {
        if let until = pausedUntilMs, until > nowMs { return nil }
        pausedUntilMs = nil
        let invoke = Double(nowMs) / 1000
        if let held, nowMs - held.renewedAtMs >= held.ttlMs / 3 {
            if Double.random(in: 0..<1, using: &random) < 0.08 {
                // A GC pause: past the lease, renewing nothing; then a write with the old token.
                pausedUntilMs = nowMs + held.ttlMs * Int.random(in: 2...3, using: &random)
                staleToken = (held.name, held.token)
                self.held = nil
                return nil
            }
            return begin(.service(.renew(client: clientID)), f: "renew", key: "", invoke: invoke, recorded: false)
        }
        if let stale = staleToken {
            staleToken = nil
            return fencedPut(lock: stale.lock, token: stale.token, invoke: invoke)
        }
        if let waiting {
            return acquire(waiting.name, ttlMs: waiting.ttlMs, invoke: invoke)
        }
        return chooseFreely(invoke: invoke, using: &random)
    }

    private mutating func chooseFreely(invoke: Double, using random: inout SeededRandom) -> InFlight {
        let roll = Int.random(in: 0..<100, using: &random)
        if let held {
            if roll < 25 { return fencedPut(lock: held.name, token: held.token, invoke: invoke) }
            if roll < 37 {
                return begin(.service(.lock(.release(lock: held.name, client: clientID))), f: "unlock",
                             key: held.name, invoke: invoke)
            }
        } else if roll < 12 {
            let lock = Self.lockNames.randomElement(using: &random)!
            return acquire(lock, ttlMs: Self.ttlChoicesMs.randomElement(using: &random)!, invoke: invoke)
        }
        let key = Self.keys.randomElement(using: &random)!
        let value = "\(name)-\(sequence + 1)"
        switch Int.random(in: 0..<100, using: &random) {
        case ..<35:
            var started = begin(.write(.put(key: key, value: value)), f: "put", key: key, invoke: invoke)
            started.record.value = value
            return started
        case ..<70:
            return begin(.read(key: key), f: "get", key: key, invoke: invoke)
        case ..<90:
            let expected = lastSeen[key] ?? ""
            var started = begin(.write(.compareAndSwap(key: key, expected: expected, new: value)), f: "cas",
                                key: key, invoke: invoke)
            started.record.old = expected
            started.record.new = value
            return started
        default:
            return begin(.write(.delete(key: key)), f: "del", key: key, invoke: invoke)
        }
    }

    private mutating func acquire(_ lock: String, ttlMs: Int, invoke: Double) -> InFlight {
        var started = begin(.service(.lock(.acquire(lock: lock, client: clientID, ttlMs: ttlMs))), f: "lock",
                            key: lock, invoke: invoke)
        started.record.ttlMs = ttlMs
        return started
    }

    private mutating func fencedPut(lock: String, token: Int, invoke: Double) -> InFlight {
        let key = "f" + lock
        let value = "\(name)-\(sequence + 1)"
        var started = begin(.write(.put(key: key, value: value, fence: token)), f: "put", key: key, invoke: invoke)
        started.record.value = value
        started.record.token = token
        return started
    }

    /// Every operation but a read carries the next session sequence (reads change nothing).
    private mutating func begin(_ operation: ClientRequest.Operation, f: String, key: String, invoke: Double,
                                recorded: Bool = true) -> InFlight {
        let startedMs = Int((invoke * 1000).rounded())
        var session: ClientSession?
        if case .read = operation {} else {
            sequence += 1
            session = ClientSession(clientID: clientID, sequence: sequence)
        }
        serial += 1
        let record = HistoryOperation(process: name, f: f, key: key, invoke: invoke, complete: nil, outcome: .unknown)
        return InFlight(operation: operation, session: session, record: record, serial: serial,
                        startedMs: startedMs, recorded: recorded)
    }

    // MARK: Answers

    /// What the client does with an answer to its operation in flight.
    enum Next {
        /// The operation ended (its record is complete; nil when not recorded).
        case finished(HistoryOperation?)
        /// Send it again (same session sequence), to the leader hint.
        case retry
    }

    /// Takes an answer to the operation in flight at `nowMs`.
    mutating func take(_ outcome: ClientReply.Outcome, atMs nowMs: Int) -> Next {
        guard var flight = inFlight else { preconditionFailure("bug: an answer with no operation in flight") }
        let complete = Double(nowMs) / 1000
        switch outcome {
        case .notLeader(let hint):
            if let hint { leaderHint = hint }
            return .retry
        case .unknown:
            // The write may or may not have applied: the retry (same sequence) applies it at most once.
            return .retry
        case .ok(let value, _):
            flight.record.outcome = .ok
            flight.record.complete = complete
            noteOk(value, &flight.record)
        case .compareFailed(let current):
            flight.record.outcome = .fail
            flight.record.complete = complete
            flight.record.result = "compareFailed"
            lastSeen[flight.record.key] = current
        case .failed(let reason):
            flight.record.outcome = .fail
            flight.record.complete = complete
            flight.record.result = reason.hasPrefix("fenced") ? "fenced" : "failed"
        case .serviceResult(let result, _):
            flight.record.outcome = .ok
            flight.record.complete = complete
            flight.record.result = result.name
            noteService(result, atMs: nowMs, &flight.record)
        }
        inFlight = nil
        return .finished(flight.recorded ? flight.record : nil)
    }

    /// The operation in flight is given up at `nowMs`: a write may or may not have applied.
    mutating func giveUp() -> HistoryOperation? {
        guard let flight = inFlight else { return nil }
        inFlight = nil
        if case .service(.lock(.acquire)) = flight.operation { waiting = nil }
        guard flight.recorded, flight.record.f != "get" else { return nil }
        return flight.record
    }

    private mutating func noteOk(_ value: String?, _ record: inout HistoryOperation) {
        if record.f == "get" {
            record.value = value
            lastSeen[record.key] = value
        } else {
            record.previous = value
            lastSeen[record.key] = record.f == "put" ? record.value : record.new
        }
    }

    private mutating func noteService(_ result: CommandResult, atMs nowMs: Int, _ record: inout HistoryOperation) {
        switch result {
        case .granted(let token):
            record.token = token
            held = HeldLock(name: record.key, token: token, ttlMs: record.ttlMs ?? 0, renewedAtMs: nowMs)
            waiting = nil
        case .queued:
            let asks = (waiting?.asks ?? 0) + 1
            // Waiting too long: leave the line (the next unlock withdraws).
            waiting = asks < 12 ? (record.key, record.ttlMs ?? 0, asks) : nil
        case .released, .withdrawn, .notHeld:
            if held?.name == record.key { held = nil }
        case .renewed(let leases):
            if leases == 0 { held = nil } else { held?.renewedAtMs = nowMs }
        case .applied, .compareFailed, .fenced, .elected, .candidate, .resigned, .ticked, .tooMany, .invalid,
             .staleSequence, .malformed:
            break
        }
    }
}
