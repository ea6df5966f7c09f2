import Cluster
import Foundation

/// Runs a handler when the process is told to stop (SIGINT, SIGTERM, SIGHUP), instead of dying at
/// once, so no node outlives the console. (SIGKILL cannot be caught: the nodes' parent-death signal
/// covers it.)
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        sources = [SIGINT, SIGTERM, SIGHUP].map { (number: Int32) -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    /// The shell's and player's reaction: stop every node, then exit as the signal would have.
    static func shutDown(_ cluster: any ClusterBackend) -> StopSignals {
        StopSignals { number in
            cluster.shutdownNow()
            exit(128 + number)
        }
    }

    func disarm() {
        for source in sources { source.cancel() }
    }
}
