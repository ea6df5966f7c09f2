import Foundation

enum System {
    /// Processors available to this process.
    static var coreCount: Int {
        ProcessInfo.processInfo.activeProcessorCount
    }
}
