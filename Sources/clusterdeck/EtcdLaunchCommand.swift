import ArgumentParser
import EtcdBackend
import Foundation

/// `clusterdeck etcd-launch --parent PID -- etcd ARGS`: how the console starts an etcd member (not
/// for people: hidden from help). See `EtcdLauncher`.
struct EtcdLaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd-launch",
        abstract: "Start one etcd member that dies with the console (used by --engine etcd and the bench).",
        shouldDisplay: false
    )

    @Option(help: "The console's pid: the member dies when it goes.")
    var parent: Int32

    @Argument(parsing: .postTerminator, help: "The etcd binary and its arguments, after --.")
    var command: [String] = []

    func run() throws {
        let failure = EtcdLauncher.exec(parent: parent, command: command)
        FileHandle.standardError.write(Data((failure + "\n").utf8))
        throw ExitCode(127)
    }
}
