/// Why a terminal session could not start.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// Standard input or output is not a terminal (piped, redirected, or no controlling terminal).
    case notATerminal
    /// ncurses could not initialise the terminal named by `$TERM`.
    case cannotInitialize(term: String)
    /// A system call failed with `errno`.
    case systemCall(String, Int32)

    public var description: String {
        switch self {
        case .notATerminal:
            return "standard input and output must be a terminal"
        case .cannotInitialize(let term):
            return "cannot initialise the terminal (TERM=\(term.isEmpty ? "<unset>" : term))"
        case .systemCall(let name, let code):
            return "\(name) failed (errno \(code))"
        }
    }
}
