import CShims
import Foundation

/// What `clusterdeck etcd-launch --parent PID -- etcd ARGS` does: asks the kernel to SIGKILL this
/// process when its parent goes, then becomes etcd. The parent-death signal survives `execve`
/// (only set-uid binaries clear it), so the etcd member dies with the console, even of SIGKILL.
public enum EtcdLauncher {
    /// Sets the parent-death signal and execs `command`; returns only with why it could not.
    /// - Parameters:
    ///   - parent: the console's pid: if the parent is already another process (the console died
    ///     before the signal was set), the launch stops here rather than leave an orphan.
    ///   - command: the etcd binary's path, then its arguments.
    public static func exec(parent: Int32, command: [String]) -> String {
        guard let binary = command.first else { return "etcd-launch: no command after --" }
        guard cd_set_parent_death_signal(SIGKILL) == 0 else {
            return "etcd-launch: prctl(PR_SET_PDEATHSIG) failed: \(String(cString: strerror(errno)))"
        }
        guard getppid() == parent else { return "etcd-launch: the console (pid \(parent)) is gone" }
        var arguments = command.map { strdup($0) }
        arguments.append(nil)
        execv(binary, &arguments)
        return "etcd-launch: cannot run \(binary): \(String(cString: strerror(errno)))"
    }
}
