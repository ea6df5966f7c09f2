import ClusterAPI
import Foundation
import NIOCore
import Raft
import Replica
import Services
import Wire

/// The node process's glue around its loop (`ReplicaDriver`): the event loop's timers, the socket
/// to the console and the write-ahead log. Every decision — what to propose, when to answer, in
/// which order to persist and send — is the driver's; this class does its actions.
/// Every method runs on `loop`; the class is reached from other closures through `NIOLoopBound`.
///
/// Frames to a console whose socket is full wait in a bounded `ConsoleOutbox` (state frames
/// coalesce, others are dropped and counted past its limit) instead of piling up in the channel.
final class NodeServer<Core: HostedCore>: NodeServing {
    let options: NodeOptions
    let loop: any EventLoop
    private let deferral: Deferral
    private var replica: ReplicaDriver<Core>
    private let wal: any DurableLog
    private var console: (any FrameLink)?
    private var frozen = false
    private var timing: Timing
    /// How many times as fast this node's clock runs (`skew`).
    private var skew = 1.0
    private var tickTask: RepeatedTask?
    private var stateDirty = false
    private var stateSendScheduled = false
    /// Frames for the console while its channel is not writable.
    private var outbox = ConsoleOutbox()
    /// What ends this node's life when it must end (a process exits; an in-process node is taken
    /// down by its host). Nothing is processed after it was called.
    private let onStop: (NodeStop) -> Void
    private var stopped = false
    /// Paused by an in-process host (a node process is paused by SIGSTOP instead): no ticks, no
    /// state frames.
    private var suspended = false

    private var core: Core { replica.core }

    init(options: NodeOptions, loop: any EventLoop, wal: any DurableLog, recovered: PersistentState,
         onStop: @escaping (NodeStop) -> Void) throws {
        self.onStop = onStop
        self.options = options
        self.loop = loop
        deferral = Deferral(loop)
        self.wal = wal
        timing = options.timing
        var system = SystemRandomNumberGenerator()
        let core = try Core(options: options, seed: options.seed ?? system.next(), restoring: recovered)
        let settings = ReplicaSettings(tickMs: timing.tickMs, heartbeatTicks: timing.heartbeatTicks,
                                       snapshotEvery: options.snapshotEvery, bugs: options.bugs)
        replica = try ReplicaDriver(core: core, restoring: recovered, settings: settings)
    }

    // MARK: Lifecycle

    var hasConsole: Bool { console != nil }

    func attach(console link: any FrameLink) {
        console = link
        publish(NodeEventFrame(kind: .recovered, text: "node \(options.id) up: term \(core.term), "
            + "log \(core.firstIndex)…\(core.lastIndex), commit \(core.commitIndex)", term: core.term))
        markStateDirty()
        processReady()
    }

    func startTicking() {
        tickTask?.cancel()
        let bound = NIOLoopBound(self, eventLoop: loop)
        let interval = TimeAmount.microseconds(Int64(max(100, Double(timing.tickMs) * 1_000 / skew)))
        tickTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.tick()
        }
    }

    /// Stops the clock and the state frames until `resume()`: an in-process host's `pause`.
    func suspend() {
        suspended = true
        tickTask?.cancel()
        tickTask = nil
    }

    func resume() {
        suspended = false
        startTicking()
        markStateDirty()
    }

    /// Stops every timer: the host takes this node down.
    func halt() {
        stopped = true
        tickTask?.cancel()
        tickTask = nil
    }

    @_specialize(where Core == RaftNode)
    private func tick() {
        guard !frozen, !stopped, !suspended else { return }
        replica.tick()
        processReady()
    }

    // MARK: Frames from the console

    /// Steps the loop with one frame. The ready loop runs once the whole read is processed
    /// (`NodeConnectionHandler.channelReadComplete`), so every frame that arrived together shares
    /// one write-ahead-log fsync and one flush: group commit, without weakening the rule that what
    /// is acknowledged was made durable first.
    @_specialize(where Core == RaftNode)
    func receive(_ frame: Frame, from channel: any FrameLink) {
        guard !stopped else { return }
        switch frame {
        case .peer(let message):
            guard message.to == options.id else {
                return refuse("peer message for node \(message.to) sent to node \(options.id)", on: channel)
            }
            replica.step(message)
            // A vote answer may change a campaign's tally without producing any output.
            if message.body.voteAnswer != nil { markStateDirty() }
        case .clientRequest(let request):
            replica.receive(request)
        case .control(let control):
            handleControl(control)
        case .clientResponse, .state, .event, .error:
            return refuse("a node does not accept \(frame.kind) frames", on: channel)
        }
    }

    /// Steps the loop with one encoded frame as it arrived (a put in the console's exact encoding is
    /// read without Foundation's decoder); a malformed frame is refused.
    @_specialize(where Core == RaftNode)
    func receive(payload buffer: ByteBuffer, from link: any FrameLink) {
        if let request = Self.fastClientRequest(buffer) {
            return receive(.clientRequest(request), from: link)
        }
        do {
            receive(try buffer.withUnsafeReadableBytes { raw throws(WireError) in try Frame(decoding: raw) },
                    from: link)
        } catch {
            refuse("malformed frame: \(error)", on: link)
        }
    }

    private static func fastClientRequest(_ buffer: ByteBuffer) -> ClientRequestFrame? {
        guard buffer.readableBytesView.first == FrameKind.clientRequest.rawValue else { return nil }
        return buffer.withUnsafeReadableBytes { raw in
            FastFrames.clientRequest(UnsafeRawBufferPointer(rebasing: raw.dropFirst()))
        }
    }

    func refuse(_ reason: String, on channel: any FrameLink) {
        let frame = Frame.error(ErrorFrame(message: reason))
        write(frame, kind: .error, to: channel)
        channel.flush()
    }

    private func handleControl(_ control: ControlFrame) {
        switch control {
        case .pace(let tickMs):
            timing.tickMs = max(1, tickMs)
            replica.setTickMs(timing.tickMs)
            startTicking()
        case .freeze:
            frozen = true
        case .thaw:
            frozen = false
        case .campaign:
            Core.campaign(&replica)
        case .settings(let preVote, let checkQuorum, let fsync):
            Core.setFeatures(&replica, preVote: preVote, checkQuorum: checkQuorum)
            wal.fsyncEnabled = fsync
        case .skew(let factor):
            skew = min(10, max(0.1, factor))
            startTicking()
        case .shutdown:
            return stop(.shutdown)
        }
        markStateDirty()
    }

    // MARK: Doing what the loop decided

    /// Runs the loop's Ready rounds and does their actions in order, then flushes the socket.
    @_specialize(where Core == RaftNode)
    func processReady() {
        guard !stopped else { return }
        let effects = replica.process()
        for action in effects.actions {
            perform(action)
        }
        if effects.stateChanged { markStateDirty() }
        console?.flush()
    }

    private func perform(_ action: ReplicaAction) {
        switch action {
        case .sendEarly(let messages):
            // Out of the process before the fsync starts, so the followers' fsyncs overlap ours.
            sendPeerMessages(messages)
            console?.flush()
        case .persist(let batch, let sync):
            do {
                try wal.persist(batch, sync: sync)
            } catch {
                return stop(.fatal("write-ahead log: \(error)"))
            }
        case .send(let messages):
            sendPeerMessages(messages)
        case .storeSnapshot(let snapshot):
            do {
                try wal.compact(to: snapshot)
            } catch {
                return stop(.fatal("write-ahead log compaction: \(error)"))
            }
        case .reply(let reply):
            respond(reply)
        case .event(let event):
            self.event(event)
        case .applied, .readConfirmed:
            // For observers that check the loop (the simulator); a node has nothing to do.
            break
        }
    }

    private func sendPeerMessages(_ messages: [Message]) {
        guard let console else { return }
        for message in messages {
            write(.peer(message), kind: .peer, to: console)
            if let explanation = NodeEventFrame.explaining(message) {
                write(.event(explanation), kind: .event, to: console)
            }
        }
    }

    private func respond(_ reply: ClientReply) {
        guard let console else { return }
        let frame = Frame.clientResponse(reply)
        write(frame, kind: .reply, to: console) {
            if case .ok(let value, let index) = reply.outcome,
               let payload = FastFrames.okResponse(requestID: reply.requestID, value: value, index: index) {
                return payload
            }
            return frame.encoded()
        }
    }

    // MARK: State and events

    private func event(_ event: ReplicaEvent) {
        publish(NodeEventFrame(kind: NodeEventKind(event.kind), text: event.text, term: replica.core.term,
                               index: event.index))
    }

    private func publish(_ event: NodeEventFrame) {
        guard let console else { return }
        write(.event(event), kind: .event, to: console)
    }

    /// State frames are coalesced to at most 20 a second.
    private func markStateDirty() {
        stateDirty = true
        guard !stateSendScheduled else { return }
        stateSendScheduled = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        deferral.run(after: .milliseconds(50)) { bound.value.sendState() }
    }

    private func sendState() {
        stateSendScheduled = false
        guard stateDirty, !stopped, !suspended, let console else { return }
        stateDirty = false
        write(.state(currentState()), kind: .state, to: console)
        console.flush()
    }

    /// One log entry as the console's pane shows it.
    private func entrySummary(_ entry: Entry) -> NodeStateFrame.EntrySummary {
        let command = entry.kind == .command ? ServiceCommand(encoded: entry.data) : nil
        let text = entry.kind == .command ? command?.summary ?? "?" : "noop"
        return NodeStateFrame.EntrySummary(index: entry.index, term: entry.term, text: text,
                                           refused: replica.refusal(at: entry.index), client: command?.namedClient,
                                           upkeep: command?.isLeaseUpkeep == true ? true : nil)
    }

    func currentState() -> NodeStateFrame {
        let tail = core.entries(from: max(core.firstIndex, core.lastIndex - 7), through: core.lastIndex)
        let followers = core.followerProgress
        let sample = replica.keySample()
        let services = replica.services
        let locks = services.locks().map(NodeState.Lock.init)
        let elections = services.elections().map(NodeState.Election.init)
        return NodeStateFrame(
            id: options.id, role: core.nodeRole, term: core.term, votedFor: core.votedFor,
            leader: core.leader, commitIndex: core.commitIndex, appliedIndex: core.appliedIndex,
            firstIndex: core.firstIndex, lastIndex: core.lastIndex, snapshotIndex: core.snapshotPosition.index,
            logTail: tail.map(entrySummary),
            keyCount: services.count, sample: sample, followers: followers,
            pace: skew == 1 ? "\(timing.tickMs)ms/tick" : "\(timing.tickMs)ms/tick skew \(skew)", frozen: frozen,
            locks: locks.isEmpty ? nil : locks, elections: elections.isEmpty ? nil : elections,
            votes: core.votesGranted.isEmpty ? nil : core.votesGranted)
    }

    /// Writes one frame; `payload` encodes it (by default with the frame's coder). To the console,
    /// while its channel is full or frames already wait (their order is kept), the encoded frame
    /// waits in the outbox instead.
    private func write(_ frame: Frame, kind: ConsoleOutbox.Kind, to channel: any FrameLink,
                       payload: (() -> [UInt8])? = nil) {
        let encode = payload ?? { frame.encoded() }
        if channel === console, !outbox.isEmpty || !channel.isWritable {
            return outbox.hold(encode(), kind: kind)
        }
        channel.write(frame, payload: encode)
    }

    /// The console's channel can take frames again: writes what waits while it can, then reports
    /// what the outbox dropped, once.
    func consoleWritabilityChanged() {
        guard let console, console.isWritable else { return }
        while console.isWritable, let payload = outbox.next() {
            send(payload, to: console)
        }
        if outbox.isEmpty, let dropped = outbox.takeDropped() {
            publish(NodeEventFrame(kind: .dropped, text: "dropped \(dropped.text) while the console was slow",
                                   term: core.term))
        }
        console.flush()
    }

    /// Hands one encoded payload to the link (a socket's framing handler adds the length).
    private func send(_ payload: [UInt8], to channel: any FrameLink) {
        channel.write(payload)
    }

    /// Ends this node's life: nothing more is processed, and the host is told why.
    private func stop(_ reason: NodeStop) {
        guard !stopped else { return }
        halt()
        onStop(reason)
    }
}
