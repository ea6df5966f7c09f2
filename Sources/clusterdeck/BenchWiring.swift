import Bench
import Foundation

// What ties the benchmarks to this process: its signals and its own binary.

extension BenchCleanup {
    /// Installs the signal handlers (SIGINT, SIGTERM, SIGHUP): undo what the bench started, then
    /// exit as the signal would have. Keep the result alive while the bench runs.
    func armSignals() -> StopSignals {
        StopSignals { [self] number in
            undoAll()
            exit(128 + number)
        }
    }
}

extension BenchCluster {
    /// Clusters of this very binary's nodes.
    static func thisBinary() throws -> BenchCluster {
        BenchCluster(binary: try ExecutablePath.current())
    }
}
