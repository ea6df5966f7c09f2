import CommandLanguage

extension ScenarioStep {
    /// Whether the cluster must be running for this step (`start`, `bug` and captions come before).
    var startsTheRun: Bool {
        switch self {
        case .bug, .say, .need, .command(.start): false
        case .command, .pause, .expect, .pick: true
        }
    }

    var startCount: Int? {
        if case .command(.start(let count, _)) = self { count } else { nil }
    }
}
