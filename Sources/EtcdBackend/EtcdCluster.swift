import Cluster
import ClusterAPI
import CommandLanguage
import EtcdClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Real etcd members behind the `ClusterBackend` API: started and owned by the console (through
/// `EtcdMemberProcesses`), their peer traffic through the console's `PeerProxy`, their state from
/// the status API a few times a second, and KV clients through the v3 gateway, recorded in the same
/// history `check` reads. Safe from any task.
public final class EtcdCluster: Sendable {
    public let options: ClusterOptions
    public let run: RunDirectory
    let etcdTiming: EtcdTiming
    let processes: EtcdMemberProcesses
    let group: MultiThreadedEventLoopGroup
    let book: PeerTrafficBook
    let pool: EtcdConnectionPool
    let members: EtcdMemberTable
    let hub: EventHub
    let history: Mutex<HistoryLog>
    /// `set prevote`'s last word (members read it at their next start).
    let preVoteSetting: Mutex<Bool>
    /// Named clients' leases, locks and leaderships.
    let sessions = EtcdSessionTable()
    /// Locks as etcd last showed them (the poller reads each known lock's keys), for the panes and
    /// `expect locks`.
    let lockViews = Mutex<[NodeState.Lock]>([])
    /// Elections as etcd last showed them, likewise.
    let electionViews = Mutex<[NodeState.Election]>([])
    /// Renewal loops and waiting campaigns, cancelled at shutdown.
    let background = Mutex<[Task<Void, Never>]>([])
    private let proxy = Mutex<PeerProxy?>(nil)
    let poller = Mutex<Task<Void, Never>?>(nil)
    /// The journal (`--journal FILE`): events as published, views and settings after each poll.
    let journal = Mutex(JournalState())
    private let control = Mutex<(any Channel)?>(nil)
    private let stopped = Mutex(false)
    private let started = ContinuousClock.now

    /// Plans a cluster: finds etcd, picks free ports, creates the run directory; `start()` starts it.
    /// - Parameters:
    ///   - options: node count, timing, pre-vote, history path and the launcher (`executablePath`).
    ///   - etcdBinary: `etcd` or a path (`--etcd-binary`).
    /// - Throws: `EtcdStartError` (no etcd, no free ports), `ClusterError` for a bad size.
    public init(options: ClusterOptions, etcdBinary: String = "etcd") throws {
        guard (1...9).contains(options.nodeCount) else {
            throw ClusterError("a cluster has 1–9 nodes, not \(options.nodeCount)")
        }
        let run = try RunDirectory.create()
        do {
            // Every slot a `member add` may fill is planned now: its ports are picked (and the
            // proxy listens on its peer port) from the start.
            let plans = EtcdMemberPlan.members(count: Self.memberSlots, directory: run.path,
                                               ports: try FreePorts.pick(count: 3 * Self.memberSlots),
                                               proxied: true)
            let members = EtcdMemberTable(count: options.nodeCount)
            let hub = EventHub()
            processes = try EtcdMemberProcesses(
                binary: etcdBinary, launcher: options.executablePath, plans: plans, founders: options.nodeCount,
                timing: EtcdTiming(options.timing), preVote: options.preVote,
                token: "clusterdeck-\(getpid())-\(options.seed)",
                exited: { index, exit in members.exited(index, exit, hub: hub) })
            self.members = members
            self.hub = hub
        } catch {
            run.remove()
            throw error
        }
        run.writeRecord(kind: options.runKind)
        self.options = options
        self.run = run
        etcdTiming = EtcdTiming(options.timing)
        book = PeerTrafficBook(seed: options.seed)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pool = EtcdConnectionPool(loop: group.next(), endpoints: processes.plans.map {
            EtcdEndpoint(host: "127.0.0.1", port: $0.clientPort)
        })
        preVoteSetting = Mutex(options.preVote)
        history = Mutex(HistoryLog(path: options.historyPath ?? run.historyPath,
                                   memoryLimit: options.historyMemoryLimit))
    }

    /// The most members a console shows (node ids 1–9), over the cluster's life: a removed member's
    /// number goes to the next `member add`.
    public static let memberSlots = 9

    /// What the peer proxy saw on each link, and its rules.
    public var trafficBook: PeerTrafficBook { book }

    /// "etcd 3.4.23", for the header.
    public var label: String { "etcd \(processes.version)" }

    /// Starts the proxy and every member, and waits until they elect a leader; on any failure
    /// everything started is stopped again before the error is thrown.
    public func start() async throws {
        do {
            try await openJournal()
            let listeners = processes.plans.enumerated().map { index, plan in
                PeerProxy.Listener(node: index + 1, port: plan.advertisedPeerPort, upstreamPort: plan.peerPort)
            }
            let hub = hub
            let listening = try await PeerProxy.start(listeners, book: book, group: group) { from, to, kind in
                hub.publish(.action("proxy: n\(from)->n\(to) is cut: closed a \(kind) connection"))
            }
            proxy.withLock { $0 = listening }
            for index in 0..<options.nodeCount { try await spawn(index) }
            try await waitUntilElected(timeoutSeconds: 20)
            startPolling()
            let channel = try await ControlSocket.listen(backend: self, loop: group.next(),
                                                         path: run.consoleSocketPath).get()
            control.withLock { $0 = channel }
        } catch {
            await shutdown()
            throw error
        }
    }

    /// Starts member `index` (0-based) and tells the event log.
    func spawn(_ index: Int) async throws {
        let pid = try await processes.spawn(index)
        members.update(index) { slot in
            slot.status = .starting
            slot.pid = pid
            // A new life: its first answer is compared with nothing (not with how the last one
            // ended), and the pane says "starting…" until it answers.
            slot.state = nil
            slot.unanswered = nil
        }
        hub.publish(.nodeStarted(index + 1, pid: pid))
    }

    /// Polls until every member answers and they agree on a leader.
    /// - Throws: `EtcdStartError` with the member's own words when one exits, or after the timeout.
    private func waitUntilElected(timeoutSeconds: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while ContinuousClock.now < deadline {
            await pollOnce()
            let slots = members.all
            if let down = slots.indices.first(where: { if case .down = slots[$0].status { true } else { false } }),
               case .down(let reason) = slots[down].status {
                throw EtcdStartError("etcd member n\(down + 1) did not start: \(reason)")
            }
            if slots.allSatisfy({ $0.status == .up }), slots.compactMap(\.state).contains(where: { $0.role == .leader }) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let tails = processes.plans.prefix(options.nodeCount).enumerated().compactMap { index, plan in
            EtcdLogTail.explanation(ofFile: plan.logPath).map { "n\(index + 1): \($0)" }
        }
        throw EtcdStartError("etcd elected no leader within \(Int(timeoutSeconds)) s"
            + (tails.isEmpty ? "" : " (" + tails.joined(separator: "; ") + ")"))
    }

    // MARK: Status

    private func startPolling() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                await self.pollOnce()
                await self.pollServices()
                self.book.sample()
                await self.journalChanges()
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        poller.withLock { $0 = task }
    }

    /// Asks every running member for its status at once, then updates the views: member ids are
    /// learned first, so each view names its leader by node.
    func pollOnce() async {
        let asked = members.all.indices.filter { members.all[$0].status.isRunning }
        let answers = await withTaskGroup(of: (Int, Result<EtcdStatus, any Error>).self) { group in
            for index in asked {
                group.addTask { [pool] in
                    do {
                        let connection = try await pool.connection(client: "status", member: index)
                        return (index, .success(try await connection.call(EtcdStatusRequest(), withinMs: 500)))
                    } catch {
                        await pool.discard(client: "status", member: index)
                        return (index, .failure(error))
                    }
                }
            }
            var all: [(Int, Result<EtcdStatus, any Error>)] = []
            for await answer in group { all.append(answer) }
            return all.sorted { $0.0 < $1.0 }
        }
        for case (let index, .success(let status)) in answers {
            book.learn(memberID: status.memberID, node: index + 1)
        }
        for (index, answer) in answers {
            switch answer {
            case .success(let status):
                let state = EtcdStatusMapping.state(of: index + 1, status,
                                                    leaderNode: book.node(ofMember: status.leaderID),
                                                    timing: etcdTiming)
                members.answered(index, state, hub: hub)
            case .failure(let error):
                members.unanswered(index, "\(error)", hub: hub)
            }
        }
    }

    // MARK: Stopping

    /// Stops polling, the proxy, the control socket and every member; removes the run directory.
    public func shutdown() async {
        guard stopped.withLock({ was in defer { was = true }; return !was }) else { return }
        // Members killed on the way out are not news (and after a failed start, the error alone
        // says what went wrong).
        hub.close()
        poller.withLock { $0 }?.cancel()
        journal.withLock { $0.close() }
        for task in background.withLock({ $0 }) { task.cancel() }
        sessions.releaseParked()
        try? await control.withLock({ $0 })?.close()
        await processes.shutdown()
        await proxy.withLock({ $0 })?.close()
        await pool.closeAll()
        history.withLock { $0.close() }
        try? await group.shutdownGracefully()
        run.remove()
    }

    /// Kills every member synchronously (signal handlers, exit paths) and removes the run directory.
    public func shutdownNow() {
        journal.withLock { $0.journal?.flush() }
        processes.shutdownNow()
        run.remove()
    }

    /// Seconds since this back end was made: the history's clock.
    var now: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Subscribers to a back end's events, until the back end shuts down.
final class EventHub: Sendable {
    private let handlers = Mutex<[@Sendable (ClusterEvent) -> Void]>([])

    func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) {
        handlers.withLock { $0.append(handler) }
    }

    func publish(_ event: ClusterEvent) {
        for handler in handlers.withLock({ $0 }) { handler(event) }
    }

    /// Forgets every subscriber: nothing is published from now on.
    func close() {
        handlers.withLock { $0 = [] }
    }
}

/// What the console knows of each member: process status, pid and last status answer.
final class EtcdMemberTable: Sendable {
    struct Slot: Sendable {
        var status: NodeStatus = .starting
        var pid: Int32?
        var state: NodeState?
        /// Why the last status request failed while the process ran (nil: it answered).
        var unanswered: String?
        /// Taken out of the cluster by `member remove` (or on its way out: its exit is no news).
        var removed = false
    }

    private let slots: Mutex<[Slot]>

    init(count: Int) {
        slots = Mutex(Array(repeating: Slot(), count: count))
    }

    var all: [Slot] { slots.withLock { $0 } }

    /// How many node ids the console shows: members, learners and removed members' places.
    var count: Int { slots.withLock { $0.count } }

    /// A place for a new member, below `limit`: `preferred` when it is a removed member's, else a
    /// removed member's (the lowest), else the next id.
    /// - Returns: its index (0-based), or nil when all `limit` places hold members.
    func claimPlace(limit: Int, preferring preferred: Int? = nil) -> Int? {
        slots.withLock { slots in
            let free = preferred.flatMap { slots.indices.contains($0) && slots[$0].removed ? $0 : nil }
            if let reused = free ?? slots.firstIndex(where: \.removed) {
                slots[reused] = Slot()
                return reused
            }
            guard slots.count < limit else { return nil }
            slots.append(Slot())
            return slots.count - 1
        }
    }

    /// Gives back a place claimed for an add that failed: the next id again, or a removed member's.
    func releasePlace(_ index: Int) {
        slots.withLock { slots in
            if index == slots.count - 1 {
                slots.removeLast()
            } else {
                slots[index] = Slot(status: .down(reason: "removed from the cluster"), removed: true)
            }
        }
    }

    func update(_ index: Int, _ change: (inout Slot) -> Void) {
        slots.withLock { change(&$0[index]) }
    }

    /// A status answer: the member is up; its changes are events.
    func answered(_ index: Int, _ state: NodeState, hub: EventHub) {
        let (old, wasUnanswered) = slots.withLock { slots -> (NodeState?, Bool) in
            guard slots[index].status.isRunning else { return (nil, false) }
            defer {
                slots[index].status = .up
                slots[index].state = state
                slots[index].unanswered = nil
            }
            return (slots[index].state, slots[index].unanswered != nil)
        }
        if wasUnanswered {
            hub.publish(.node(index + 1, NodeEvent(kind: .recovered, text: "answers again", term: state.term)))
        }
        for event in EtcdStatusMapping.events(from: old, to: state) { hub.publish(.node(index + 1, event)) }
    }

    /// A status request failed: said once, and shown in the pane while it lasts.
    func unanswered(_ index: Int, _ reason: String, hub: EventHub) {
        let news = slots.withLock { slots -> Term? in
            // A member still starting has not answered yet: that is no news.
            guard slots[index].status == .up else { return nil }
            let first = slots[index].unanswered == nil
            slots[index].unanswered = reason
            slots[index].state?.etcd?.unanswered = reason
            return first ? slots[index].state?.term ?? 0 : nil
        }
        if let term = news {
            hub.publish(.node(index + 1, NodeEvent(kind: .error, text: "stopped answering: \(reason)", term: term)))
        }
    }

    /// A member process exited: news unless the console killed it (then `status` is down already)
    /// or it is an earlier life's exit.
    func exited(_ index: Int, _ exit: EtcdExit, hub: EventHub) {
        let news = slots.withLock { slots -> Bool in
            guard slots[index].pid == exit.pid, !slots[index].removed else { return false }
            if case .down = slots[index].status { return false }
            slots[index].status = .down(reason: exit.reason)
            return true
        }
        if news { hub.publish(.nodeStopped(index + 1, reason: exit.reason)) }
    }
}
