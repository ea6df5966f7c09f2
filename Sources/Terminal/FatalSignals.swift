import CNCurses

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TerminalSession {
    /// Installs handlers for SIGSEGV, SIGABRT, SIGBUS, SIGILL and SIGFPE that give the terminal back
    /// (`endwin`, harmless when no session is running) before the process dies: each resets its signal to
    /// the default action and re-raises it, so the crash (and core dump) still happens as usual.
    /// Call once, early, from the thread that will own the terminal.
    public static func restoreOnFatalSignals() {
        for signalNumber in [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE] {
            _ = signal(signalNumber, restoreTerminalAndReraise)
        }
    }
}

/// No captured state: a plain C function pointer.
private let restoreTerminalAndReraise: @convention(c) (Int32) -> Void = { signalNumber in
    _ = endwin()
    _ = signal(signalNumber, SIG_DFL)
    _ = raise(signalNumber)
}
