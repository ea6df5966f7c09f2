import Cluster
import CommandLanguage
import Foundation
import Testing
import Wire

#if canImport(Glibc)
import Glibc
#endif

extension LiveClusterTests {
    @Suite("The shell leaves no node behind")
    struct ShellCleanup {
        enum Ending: String, CaseIterable, CustomTestStringConvertible {
            case endOfInput = "end of input"
            case sigterm = "SIGTERM"
            case sigkill = "SIGKILL"
            var testDescription: String { rawValue }
        }

        @Test("no node process outlives the shell", arguments: Ending.allCases)
        func noOrphans(ending: Ending) async throws {
            let shell = try ShellProcess(arguments: ["shell", "--nodes", "3", "--pace", "real"])
            var nodes: [Int32] = []
            do {
                try shell.send("wait leader within 10s")
                let led = await shell.waitForLine(within: 10) { $0.hasPrefix("leader: n") }
                #expect(led, "no leader in the shell:\n\(shell.output.text)\n\(shell.errors.text)")
                nodes = ProcessTable.nodeChildren(of: shell.pid)
                #expect(nodes.count == 3, "expected 3 node children of the shell, found \(nodes)")
                #expect(Set(nodes) == Set(shell.reportedNodePIDs),
                        "children \(nodes) differ from the reported pids \(shell.reportedNodePIDs)")
                let runRoot = "\(shell.temporary.path)/clusterdeck-\(getuid())"
                let runDirectories = (try? FileManager.default.contentsOfDirectory(atPath: runRoot)) ?? []
                #expect(runDirectories.count == 1, "the shell's run directory: \(runDirectories)")

                switch ending {
                case .endOfInput: shell.closeInput()
                case .sigterm: kill(shell.pid, SIGTERM)
                case .sigkill: kill(shell.pid, SIGKILL)
                }
                let gone = await eventually(within: 2, everyMs: 10) {
                    nodes.allSatisfy { !ProcessTable.isAlive($0) }
                }
                let survivors = nodes.filter { ProcessTable.isAlive($0) }
                #expect(gone, "after \(ending.rawValue), nodes still alive after 2 s: \(survivors)")
                let exited = await shell.waitForExit(within: 5)
                #expect(exited, "the shell did not exit after \(ending.rawValue)")
                // (Foundation traps when asked for the status of a running process.)
                if exited {
                switch ending {
                case .endOfInput:
                    #expect(shell.process.terminationReason == .exit)
                    #expect(shell.process.terminationStatus == 0, "stderr: \(shell.errors.text)")
                case .sigterm:
                    #expect(shell.process.terminationStatus == 128 + SIGTERM)
                case .sigkill:
                    #expect(shell.process.terminationReason == .uncaughtSignal)
                }
                }
                if ending != .sigkill {
                    // A shell that ends normally or on SIGTERM removes its run directory.
                    let left = (try? FileManager.default.contentsOfDirectory(atPath: runRoot)) ?? []
                    #expect(left.isEmpty, "the shell left its run directory: \(left)")
                }
            } catch {
                await shell.cleanUp(nodes: nodes + shell.reportedNodePIDs)
                throw error
            }
            await shell.cleanUp(nodes: nodes + shell.reportedNodePIDs)
        }

        @Test("a bad line prints one error line and the shell keeps going")
        func badLinesDoNotStopTheShell() async throws {
            let shell = try ShellProcess(arguments: ["shell", "--nodes", "3", "--pace", "real"])
            do {
                let bad = ["frobnicate 3", "step many", "kill 7", "put onlykey", "get k --stale"]
                for line in bad { try shell.send(line) }
                try shell.send("wait leader within 10s")
                try shell.send("put a 1")
                try shell.send("get a")
                try shell.send("quit")
                #expect(await shell.waitForExit(within: 15), "the shell did not finish:\n\(shell.output.text)")
                let lines = shell.output.lines
                let errors = lines.filter { $0.hasPrefix("error:") }
                #expect(errors.count == bad.count, "error lines: \(errors)\n\(shell.output.text)")
                for (number, error) in errors.enumerated() {
                    #expect(error.hasPrefix("error: line \(number + 1): column "), "\(error)")
                }
                // Each error is one line: what follows it is another result, an echo or an event.
                for (index, line) in lines.enumerated() where line.hasPrefix("error:") && index + 1 < lines.count {
                    let next = lines[index + 1]
                    #expect(next.hasPrefix("error:") || next.hasPrefix("> ") || next.hasPrefix("  · ") || next.isEmpty,
                            "a continuation line after \(line): \(next)")
                }
                // The good lines after the bad ones ran.
                let getEcho = try #require(lines.firstIndex(of: "> get a"), "no echo of get a:\n\(shell.output.text)")
                let afterGet = lines[(getEcho + 1)...].filter { !$0.hasPrefix("  · ") }
                #expect(afterGet.first == "1", "get a printed \(afterGet.prefix(2))")
                #expect(lines.contains("OK"))
                // Bad lines make the exit status 1, but the shell still cleaned up.
                if !shell.process.isRunning { #expect(shell.process.terminationStatus == 1) }
                let gone = await eventually(within: 2) {
                    shell.reportedNodePIDs.allSatisfy { !ProcessTable.isAlive($0) }
                }
                #expect(gone)
            } catch {
                await shell.cleanUp(nodes: shell.reportedNodePIDs)
                throw error
            }
            await shell.cleanUp(nodes: shell.reportedNodePIDs)
        }
    }

    @Suite("Garbage on a node's socket")
    struct SocketGarbage {
        @Test("malformed frames and junk bytes are refused; the node keeps running and the cluster commits")
        func garbageLeavesTheNodeRunning() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                let target = 1
                let pid = try #require(await cluster.view(target)?.pid)

                let socket = try RawSocket(path: cluster.run.socketPath(node: target))
                // A client request whose JSON is garbage.
                try socket.writeFrame([FrameKind.clientRequest.rawValue] + Array("{not json".utf8))
                let badJSON = try socket.readErrorMessage()
                #expect(badJSON.hasPrefix("malformed frame: "), "\(badJSON)")
                // An unknown kind byte.
                try socket.writeFrame([9, 1, 2, 3])
                #expect(try socket.readErrorMessage() == "malformed frame: unknown frame kind 9")
                // An empty payload.
                try socket.writeFrame([])
                #expect(try socket.readErrorMessage() == "malformed frame: empty frame")
                // A peer message far too short for its header.
                try socket.writeFrame([FrameKind.peer.rawValue, 1, 2, 3])
                let shortPeer = try socket.readErrorMessage()
                #expect(shortPeer.hasPrefix("malformed frame: "), "\(shortPeer)")
                // A frame a node never accepts.
                try socket.writeFrame([FrameKind.error.rawValue] + Array("{\"message\":\"hi\"}".utf8))
                #expect(try socket.readErrorMessage() == "a node does not accept error frames")
                // Random bytes in well-formed frames of every kind (0xFF first: never valid JSON or a
                // peer header), and of unknown kinds.
                var generator = SystemRandomNumberGenerator()
                for _ in 0..<20 {
                    let junk = (0..<Int.random(in: 1...64, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }
                    let kind = Bool.random(using: &generator)
                        ? UInt8.random(in: 1...7, using: &generator) : UInt8.random(in: 8...255, using: &generator)
                    try socket.writeFrame([kind, 0xFF] + junk)
                    #expect(try socket.readErrorMessage().hasPrefix("malformed frame: "))
                }
                // Raw junk: its first four bytes read as a length far over the limit; the node
                // refuses it and closes this connection (not the console's).
                try socket.write(Array("this is not a frame, just text\n".utf8))
                let oversized = try socket.readErrorMessage()
                #expect(oversized.contains("exceeds the \(maximumFrameBytes)-byte limit"), "\(oversized)")
                #expect(try socket.readFrame() == nil, "the connection should be closed after an oversized frame")

                // The node is still there, still the console's, and the cluster still commits.
                try await Task.sleep(for: .milliseconds(maximumElectionMs))
                #expect(ProcessTable.isAlive(pid), "the node died of garbage")
                let view = await cluster.view(target)
                #expect(view?.status == .up && view?.pid == pid, "\(view?.summary ?? "-")")
                #expect(try await cluster.line("put after garbage") == "OK")
                let replicated = try await eventually {
                    try await cluster.line("get after --stale --node \(target)") == "garbage"
                }
                #expect(replicated, "n\(target) no longer applies entries")
                // A second connection right after works the same way.
                let again = try RawSocket(path: cluster.run.socketPath(node: target))
                try again.writeFrame([42])
                #expect(try again.readErrorMessage() == "malformed frame: unknown frame kind 42")
            }
        }
    }
}
