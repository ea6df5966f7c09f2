/// A terminal the screen loop paints and reads keys from. The `Terminal` module's ncurses session is
/// the real one; tests hand the loop a scripted one.
public protocol ConsoleTerminal: AnyObject {
    /// The terminal's size in cells, updated when a `.resize` key is returned.
    var size: (width: Int, height: Int) { get }
    /// Unicode box drawing is safe (else views use ASCII glyphs).
    var supportsUnicode: Bool { get }
    /// Colours are in use.
    var hasColors: Bool { get }
    /// Wakes `waitForKeys` from any thread.
    var waker: any ConsoleWaker { get }
    /// Sends what changed since the last painted screen.
    func paint(_ screen: Screen)
    /// Waits up to `timeoutMs` for keys (or a wake), returning what was typed.
    func waitForKeys(timeoutMs: Int) -> [Key]
    /// Gives the terminal back. Idempotent.
    func stop()
}

/// Interrupts a screen loop's wait for keys, from any thread.
public protocol ConsoleWaker: Sendable {
    func wake()
}
