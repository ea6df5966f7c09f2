import Foundation

/// A script that the console starts in place of `clusterdeck`: it turns `… node --id N …` into
/// `clusterdeck bench fabric-peer node --id N …`.
struct FabricPeerScript {
    let directory: String
    var path: String { directory + "/node" }

    /// Writes the script for `binary` (a `clusterdeck`) into a fresh private directory.
    static func create(binary: String) throws -> FabricPeerScript {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/tmp"
        var template = Array("\(base)/clusterdeck-peers-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot create a temp dir") }
        let script = FabricPeerScript(directory: String(cString: made))
        let quoted = binary.replacingOccurrences(of: "'", with: "'\\''")
        let text = "#!/bin/sh\nexec '\(quoted)' bench fabric-peer \"$@\"\n"
        guard FileManager.default.createFile(atPath: script.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o700]) else {
            script.remove()
            throw BenchError("cannot write \(script.path)")
        }
        return script
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
