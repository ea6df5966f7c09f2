import Foundation
import Testing
@testable import Cluster

#if canImport(Glibc)
import Glibc
#endif

@Suite("Run directories")
struct RunDirectoryTests {
    /// The pid of a process that has exited (so no console runs under it).
    private func deadPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test("directories of consoles that are gone are removed; live ones, strangers and symlink targets stay")
    func sweepsAbandoned() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = "\(temporary.path)/root"
        let outside = "\(temporary.path)/outside"
        for directory in [root, outside] { try FileManager.default.createDirectory(atPath: directory,
                                                                                  withIntermediateDirectories: true) }
        let dead = "\(root)/\(try deadPid())-17"
        try FileManager.default.createDirectory(atPath: "\(dead)/n1", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(dead)/n1.log", contents: Data("x".utf8)))
        // The test process has "clusterdeck" in its name (ClusterDeckPackageTests): it counts as live.
        let live = "\(root)/\(getpid())-3"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        let stranger = "\(root)/notes"
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(outside)/keep.txt", contents: Data("keep".utf8)))
        let planted = "\(root)/\(try deadPid())-5"
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: outside)

        let removed = RunDirectory.sweepAbandoned(in: root)
        #expect(Set(removed) == [dead, planted])
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: stranger))
        #expect(FileManager.default.fileExists(atPath: "\(outside)/keep.txt"), "the symlink's target was touched")
    }

    @Test("a node's exit is explained by the runtime's fatal error, not the stack frames after it")
    func lastWords() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let run = RunDirectory(path: temporary.path)
        let log = "node 2 listening\nFatal error: bug: entry 7 is compacted but there is no snapshot\n"
            + "Current stack trace:\n0  libswiftCore.so  _assertionFailure\n1  clusterdeck  RaftNode.send\n\n"
        #expect(FileManager.default.createFile(atPath: run.logPath(node: 2), contents: Data(log.utf8)))
        #expect(run.lastLogLine(node: 2) == "Fatal error: bug: entry 7 is compacted but there is no snapshot")
        #expect(FileManager.default.createFile(atPath: run.logPath(node: 3), contents: Data("a\nsocket gone\n".utf8)))
        #expect(run.lastLogLine(node: 3) == "socket gone")
        #expect(run.lastLogLine(node: 4) == nil)
    }
}
