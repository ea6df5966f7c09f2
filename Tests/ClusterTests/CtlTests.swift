import Foundation
import Testing
@testable import Cluster

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `clusterdeck` with `arguments`; its exit status, standard output and standard error.
private func clusterdeck(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ClusterDeckBinary.path())
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // The outputs are a few lines: neither pipe fills while the other is read.
    let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let complained = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, printed, complained)
}

@Suite("ctl finds the right console")
struct CtlConsoleChoiceTests {
    /// A run directory under `root` that looks alive (named after this test process, which has
    /// "clusterdeck" in its name) with a console socket and, unless `kind` is nil, a record.
    private func makeRun(_ root: String, _ number: Int, kind: RunKind?, startedSecondsAgo: Double,
                         socket: Bool = true) throws -> String {
        let directory = "\(root)/\(getpid())-\(number)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if socket { #expect(FileManager.default.createFile(atPath: "\(directory)/console.sock", contents: nil)) }
        if let kind {
            let record = RunRecord(kind: kind, pid: getpid(), startedAt: Date() - startedSecondsAgo)
            #expect(FileManager.default.createFile(atPath: RunDirectory(path: directory).recordPath,
                                                   contents: try JSONEncoder().encode(record)))
        }
        return directory
    }

    @Test("an interactive console wins over newer benchmark, drill, soak and shell runs; the newest of them")
    func interactiveFirst() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.path
        _ = try makeRun(root, 1, kind: .console, startedSecondsAgo: 3_600)
        let play = try makeRun(root, 2, kind: .play, startedSecondsAgo: 600)
        for (number, kind) in [(3, RunKind.bench), (4, .drill), (5, .soak), (6, .shell), (7, .playHeadless)] {
            _ = try makeRun(root, number, kind: kind, startedSecondsAgo: Double(number))
        }
        _ = try makeRun(root, 8, kind: .console, startedSecondsAgo: 1, socket: false)
        #expect(try ControlClient.findConsole(under: root).directory == play)
        #expect(try ControlClient.findConsole(under: root).kind == .play)
    }

    @Test("without an interactive console, the newest run; a run from before records counts as one")
    func newestOtherwise() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.path
        _ = try makeRun(root, 1, kind: .bench, startedSecondsAgo: 60)
        let drill = try makeRun(root, 2, kind: .drill, startedSecondsAgo: 30)
        #expect(try ControlClient.findConsole(under: root).directory == drill)
        // No record: its socket's time is its start, just now.
        let unrecorded = try makeRun(root, 3, kind: nil, startedSecondsAgo: 0)
        let chosen = try ControlClient.findConsole(under: root)
        #expect(chosen.directory == unrecorded)
        #expect(chosen.kind == .other)
        #expect(chosen.pid == getpid())
    }

    @Test("no console at all is an error naming where it looked")
    func noConsole() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        #expect(throws: ClusterError.self) { try ControlClient.findConsole(under: temporary.path) }
    }

    @Test("ctl names the run it talks to: kind, directory, pid and start time")
    func description() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let directory = try makeRun(temporary.path, 1, kind: .console, startedSecondsAgo: 0)
        let text = ConsoleRun(directory: directory).description
        #expect(text.hasPrefix("console run \(directory) (pid \(getpid()), started "))
        let clock = try #require(text.split(separator: " ").last)
        #expect(clock.count == 6 && clock.hasSuffix(")") && clock.dropFirst(2).hasPrefix(":"), "\(text)")
    }
}

@Suite("ctl command line")
struct CtlCommandLineTests {
    @Test("--help and -h as the first argument print ctl's help", arguments: ["--help", "-h"])
    func help(flag: String) throws {
        let result = try clusterdeck(["ctl", flag])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("USAGE: clusterdeck ctl"), "\(result.output)")
        #expect(!result.errors.contains("unknown command"))
    }
}

extension LiveClusterTests {
    @Suite("ctl against a live console")
    struct CtlPassThrough {
        @Test("options ctl does not know pass through to the console, and ctl names the run on stderr")
        func passesOptionsThrough() async throws {
            try await withCluster(nodes: 1) { cluster in
                _ = try await cluster.waitLeader()
                let run = cluster.run.path
                let put = try clusterdeck(["ctl", "--run", run, "put", "x", "1", "--fence", "2"])
                #expect(put.status == 0, "\(put.output) \(put.errors)")
                #expect(put.errors.hasPrefix("ctl: talking to run \(run) (pid \(getpid()), started "),
                        "\(put.errors)")
                let read = try clusterdeck(["ctl", "--run", run, "get", "x", "--stale", "--node", "1"])
                #expect(read.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1",
                        "\(read.output) \(read.errors)")
            }
        }
    }
}
