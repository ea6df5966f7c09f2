import Cluster
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `arguments` as user `nobody` (setpriv) and returns its exit status and output.
private func runAsNobody(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

extension LiveClusterTests {
    /// Root can become another user; elsewhere the kernel keeps us from testing a foreign peer.
    @Suite("Socket security", .enabled(if: getuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/setpriv")))
    struct SocketSecurity {
        @Test("with the directory and sockets opened up, another user is still refused by SO_PEERCRED")
        func refusesOtherUsers() async throws {
            let binary = try ClusterDeckBinary.path()
            try await withCluster(nodes: 1) { cluster in
                _ = try await cluster.waitLeader()
                let run = cluster.run.path
                let root = (run as NSString).deletingLastPathComponent
                defer { chmod(root, 0o700) }
                for directory in [root, run] { chmod(directory, 0o755) }
                for socket in ["console.sock", "n1.sock"] { chmod("\(run)/\(socket)", 0o777) }

                let ctl = try runAsNobody([binary, "ctl", "--run", run, "status"])
                #expect(ctl.status != 0, "ctl as nobody was answered:\n\(ctl.output)")
                #expect(ctl.output.contains("closed the connection without answering"), "\(ctl.output)")
                let mine = try await ControlClient.send("status", runDirectory: run)
                #expect(mine.ok, "our own user is refused: \(mine.lines)")

                // Any answer would be a frame; a refused peer sees the connection closed or reset.
                let probe = """
                    import socket
                    s = socket.socket(socket.AF_UNIX)
                    try:
                        s.connect('\(run)/n1.sock')
                        s.sendall(b'\\x00\\x00\\x00\\x01\\x00')
                        print('closed' if not s.recv(64) else 'answered')
                    except OSError as error:
                        print('closed', error)
                    """
                let node = try runAsNobody(["/usr/bin/python3", "-c", probe])
                #expect(node.output.hasPrefix("closed"), "\(node.output)")
                let refused = await eventually(within: 5, everyMs: 50) {
                    (try? String(contentsOfFile: cluster.run.logPath(node: 1), encoding: .utf8))?
                        .contains("refused a connection from uid 65534") == true
                }
                #expect(refused, "the node did not log the refusal")
                let views = await cluster.views()
                #expect(views.first?.status == .up, "the node stopped serving its console")
            }
        }
    }
}
