/// What the console knows about one node.
public enum NodeStatus: Sendable, Equatable {
    case starting
    case up
    case paused
    /// Not running; the reason is "killed by SIGKILL", "exited with code 2: …".
    case down(reason: String)

    public var isRunning: Bool {
        switch self {
        case .starting, .up: true
        case .paused, .down: false
        }
    }

    public var label: String {
        switch self {
        case .starting: "STARTING"
        case .up: "UP"
        case .paused: "PAUSED"
        case .down: "DOWN"
        }
    }
}
