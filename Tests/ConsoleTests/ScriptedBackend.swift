import ClusterAPI
import CommandLanguage
import Synchronization
@testable import Console

/// A back end with a fixed cluster picture (`Fixtures.nodes`) that records the commands it is given:
/// the front ends' side of the `ClusterBackend` seam, tested without processes.
final class ScriptedBackend: ClusterBackend {
    private struct State {
        var executed: [Command] = []
        var notes: [String] = []
        var narrations: [Narration] = []
        var subscribers = 0
        var shutDown = false
        var seconds = 0.0
    }

    private let state = Mutex(State())
    let pictured: [NodeView]
    /// The answer `get` gives.
    let value: String

    init(nodes: [NodeView] = Fixtures.nodes, value: String = "1") {
        pictured = nodes
        self.value = value
    }

    var kind: EngineKind { .simulation }
    var nodeCount: Int { pictured.count }
    var seed: UInt64 { 7 }
    var isJournaled: Bool { false }
    var executed: [Command] { state.withLock { $0.executed } }
    var notes: [String] { state.withLock { $0.notes } }
    var narrations: [Narration] { state.withLock { $0.narrations } }
    var subscribers: Int { state.withLock { $0.subscribers } }
    var isShutDown: Bool { state.withLock { $0.shutDown } }

    func start() async throws {}

    func execute(_ command: Command, announcing: Bool) async -> CommandOutput {
        state.withLock { $0.executed.append(command) }
        if case .get = command { return CommandOutput(lines: [value], read: .value(value)) }
        return CommandOutput(lines: ["done"])
    }

    /// `step` stands for a command a back end cannot carry out.
    func refusal(of command: Command) -> String? {
        if case .step = command { return "step does not apply to \(kind.phrase)" }
        return nil
    }

    func refusal(of need: DeckNeed) -> String? {
        need == .engine(.etcd) ? "this deck needs \(EngineKind.etcd.phrase)" : nil
    }

    func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) async {
        state.withLock { $0.subscribers += 1 }
    }

    func note(_ text: String) async { state.withLock { $0.notes.append(text) } }
    func narrate(_ narration: Narration) async { state.withLock { $0.narrations.append(narration) } }
    func views() async -> [NodeView] { pictured }
    func summary() async -> ClusterSummary { ClusterSummary() }
    func history() async -> [HistoryRecord] { [] }
    /// A virtual clock that moves only when the player idles.
    func secondsSinceStart() async -> Double { state.withLock { $0.seconds } }
    func sideBySide(_ lanes: [@Sendable () async -> Void]) async {
        for lane in lanes { await lane() }
    }

    func idle(milliseconds: Int) async { state.withLock { $0.seconds += Double(milliseconds) / 1000 } }
    func digest() async -> [String] { ["digest"] }

    func fresh(nodes: Int, frozen: Bool) async throws -> any ClusterBackend {
        ScriptedBackend(nodes: Array(pictured.prefix(nodes)), value: value)
    }

    func shutdown() async { state.withLock { $0.shutDown = true } }
    func shutdownNow() { state.withLock { $0.shutDown = true } }
}

/// Collects what a headless audience prints.
final class PrintedLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }
}

/// A terminal that shows nothing: it keeps what was painted and types `keys` once the painted screen
/// contains `typeAfter`. Its state sits behind a lock, so the test may read it from another thread.
final class ScriptedTerminal: ConsoleTerminal, Sendable {
    struct NoWaker: ConsoleWaker {
        func wake() {}
    }

    private struct State {
        var keys: [Key]
        var painted: [String] = []
        var stopped = false
    }

    let size: (width: Int, height: Int)
    let supportsUnicode = true
    let hasColors = false
    var waker: any ConsoleWaker { NoWaker() }
    private let typeAfter: String
    private let state: Mutex<State>

    init(width: Int = 120, height: Int = 40, typeAfter: String, keys: [Key]) {
        size = (width, height)
        self.typeAfter = typeAfter
        state = Mutex(State(keys: keys))
    }

    var painted: [String] { state.withLock { $0.painted } }
    var stopped: Bool { state.withLock { $0.stopped } }

    func paint(_ screen: Screen) {
        let text = screen.text
        state.withLock { $0.painted.append(text) }
    }

    func waitForKeys(timeoutMs: Int) -> [Key] {
        state.withLock { state in
            guard state.painted.last?.contains(typeAfter) == true else { return [] }
            defer { state.keys = [] }
            return state.keys
        }
    }

    func stop() { state.withLock { $0.stopped = true } }
}
