import Foundation
import NIOCore
import Raft
import Wire

/// A node process and its connection, owned by the console's event loop.
final class NodeProcess {
    let id: NodeID
    var process: Process?
    var channel: (any Channel)?
    var status: NodeStatus = .down(reason: "not started")
    var state: NodeStateFrame?
    /// Bumped on every start, so exits and connections of an earlier life are ignored.
    var generation = 0

    init(id: NodeID) {
        self.id = id
    }

    var pid: Int32? { process?.processIdentifier }

    /// Sends a signal to the process, if it runs.
    @discardableResult
    func signal(_ number: Int32) -> Bool {
        guard let pid, process?.isRunning == true else { return false }
        return kill(pid, number) == 0
    }
}

/// Why a process ended, in words.
func exitReason(of process: Process) -> String {
    let status = process.terminationStatus
    switch process.terminationReason {
    case .uncaughtSignal: return "killed by \(signalName(status))"
    case .exit: return "exited with code \(status)"
    @unknown default: return "ended (\(status))"
    }
}

func signalName(_ number: Int32) -> String {
    switch number {
    case SIGKILL: "SIGKILL"
    case SIGTERM: "SIGTERM"
    case SIGINT: "SIGINT"
    case SIGSEGV: "SIGSEGV"
    case SIGABRT: "SIGABRT"
    case SIGILL: "SIGILL"
    case SIGTRAP: "SIGTRAP"
    default: "signal \(number)"
    }
}
