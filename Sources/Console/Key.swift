/// A key press, as the terminal layer decodes it.
public enum Key: Sendable, Equatable {
    case character(Character)
    case enter
    case escape
    case backspace
    case delete
    case tab
    case up, down, left, right
    case home, end, pageUp, pageDown
    /// Ctrl plus a letter ("c" for Ctrl-C), when the terminal delivers it as a key.
    case control(Character)
    /// The terminal changed size.
    case resize
}
