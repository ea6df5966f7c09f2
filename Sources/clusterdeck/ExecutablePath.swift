import ArgumentParser
import Foundation

enum ExecutablePath {
    /// This very binary, so nodes run the same code as the console.
    static func current() throws -> String {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("cannot find the clusterdeck binary at \(path)")
        }
        return path
    }
}
