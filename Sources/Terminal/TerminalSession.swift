import CNCurses
import Console

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The console's terminal: paints `Screen`s with ncurses and reads keys.
///
/// **One thread.** ncurses is not thread-safe, so a session must be started, used (`paint`,
/// `waitForKeys`, `size`) and stopped on one and the same thread — the UI thread. The type is deliberately
/// not `Sendable`. The only thing other threads may touch is `waker` (a `Sendable` value): its `wake()`
/// makes a blocked `waitForKeys` return early, e.g. when the cluster model changed.
///
/// Typical loop:
/// ```swift
/// TerminalSession.restoreOnFatalSignals()
/// let terminal = try TerminalSession.start()
/// defer { terminal.stop() }
/// model.onChange = { [waker = terminal.waker] in waker.wake() }   // from any thread
/// while running {
///     terminal.paint(render(model, terminal.size))
///     for key in terminal.waitForKeys(timeoutMs: 250) { handle(key) }
/// }
/// ```
///
/// Ctrl-C still raises SIGINT (cbreak mode, not raw); ncurses restores the terminal on SIGINT/SIGTERM
/// when the program has installed no handler of its own, and `restoreOnFatalSignals()` covers crashes.
public final class TerminalSession {
    /// The locale's character set is UTF-8: Unicode box drawing is safe. Otherwise non-ASCII characters
    /// are painted as `?`, so views should switch to `BoxGlyphs.ascii`.
    public let supportsUnicode: Bool
    /// The colours in use (`.none` when `NO_COLOR` is set or the terminal has none).
    public let colorMode: ColorMode
    /// Wakes `waitForKeys` from any thread.
    public let terminalWaker: TerminalWaker
    /// How long the last `paint` took, in nanoseconds (building the changes, ncurses calls and output).
    public private(set) var lastPaintNanoseconds: UInt64 = 0
    /// The number of cells the last `paint` sent to ncurses (0 when nothing changed).
    public private(set) var lastPaintCells = 0

    private let wakePipe: WakePipe
    private let palette: ColorPalette?
    private var width: Int
    private var height: Int
    /// The screen as last painted; nil forces a full repaint.
    private var previous: Screen?
    /// A resize happened: clear the physical screen on the next paint.
    private var clearPending = false
    private var stdinOpen = true
    private var stopped = false
    private var wideBuffer: [wchar_t] = []

    /// The terminal's size in cells, updated when a `.resize` key is returned.
    public var size: (width: Int, height: Int) { (width, height) }

    private init(supportsUnicode: Bool, colorMode: ColorMode, palette: ColorPalette?, wakePipe: WakePipe) {
        self.supportsUnicode = supportsUnicode
        self.colorMode = colorMode
        self.palette = palette
        self.wakePipe = wakePipe
        terminalWaker = TerminalWaker(pipe: wakePipe)
        let window = cd_stdscr()
        width = Int(cd_getmaxx(window))
        height = Int(cd_getmaxy(window))
    }

    deinit {
        stop()
    }

    /// Takes over the terminal (alternate screen, no echo, keys unbuffered, cursor hidden).
    /// Throws when standard input/output is not a terminal or `$TERM` is unusable; the terminal is then
    /// left untouched. Call `stop()` (also on error paths) to give the terminal back.
    public static func start() throws -> TerminalSession {
        guard isatty(0) == 1, isatty(1) == 1 else { throw TerminalError.notATerminal }
        cd_setlocale_from_environment()
        let unicode = cd_codeset_is_utf8() != 0
        let pipe = try WakePipe()
        guard cd_newterm() != nil else {
            pipe.close()
            let term = getenv("TERM").map { String(cString: $0) } ?? ""
            throw TerminalError.cannotInitialize(term: term)
        }
        _ = cbreak()           // keys unbuffered, but Ctrl-C / Ctrl-Z still send signals
        _ = noecho()
        _ = nonl()             // Enter arrives as \r; no \n → \r\n translation on output
        _ = cd_keypad_on()     // arrows, Home, PageUp… as KEY_* codes
        _ = cd_nodelay_on()    // wget_wch never blocks: waiting is done with poll()
        _ = cd_leaveok_on()    // the cursor is hidden; do not move it back after painting
        _ = curs_set(0)
        _ = set_escdelay(25)   // a lone Escape is reported after 25 ms, not 1 s

        var mode = ColorMode.none
        var palette: ColorPalette?
        if getenv("NO_COLOR") == nil, has_colors() {
            _ = start_color()
            let defaults = use_default_colors() == OK
            let table = ColorPalette(availablePairs: Int(cd_color_pairs()))
            for (offset, definition) in table.definitions.enumerated() {
                let foreground = definition.foreground.map { Int16($0.rawValue) } ?? (defaults ? -1 : Int16(COLOR_WHITE))
                let background = definition.background.map { Int16($0.rawValue) } ?? (defaults ? -1 : Int16(COLOR_BLACK))
                _ = init_pair(Int16(offset + 1), foreground, background)
            }
            palette = table
            mode = cd_colors() >= 256 ? .many : .eight
        }
        return TerminalSession(supportsUnicode: unicode, colorMode: mode, palette: palette, wakePipe: pipe)
    }

    /// Gives the terminal back (normal screen, echo, cursor) and closes the wake pipe. Idempotent; after
    /// it, `paint` does nothing and `waitForKeys` returns `[]` at once.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        _ = cd_set_style(cd_attr_normal(), 0)
        _ = curs_set(1)
        _ = endwin()
        wakePipe.close()
    }

    /// Same as `waker.wake()`. Other threads should hold `waker` instead (this class is not `Sendable`).
    public func wake() {
        terminalWaker.wake()
    }

    // MARK: Painting

    /// Sends to the terminal what changed since the last painted screen (everything after a resize or on
    /// the first paint). Cells outside the terminal are clipped; colours are ignored in `.none` mode,
    /// bold/reverse/dim never are.
    public func paint(_ screen: Screen) {
        guard !stopped else { return }
        let started = ContinuousClock.now
        var base = previous
        if clearPending || base?.width != screen.width || base?.height != screen.height {
            base = nil
            _ = cd_erase()
            if clearPending {
                _ = cd_clearok_on()
                clearPending = false
            }
        }
        var cells = 0
        for run in screen.changes(since: base) {
            cells += draw(run)
        }
        _ = cd_set_style(cd_attr_normal(), 0)
        _ = cd_refresh()
        previous = screen
        lastPaintCells = cells
        let elapsed = (ContinuousClock.now - started).components
        lastPaintNanoseconds = UInt64(max(0, elapsed.seconds)) * 1_000_000_000
            + UInt64(max(0, elapsed.attoseconds) / 1_000_000_000)
    }

    /// Forces the next `paint` to redraw the whole terminal (e.g. after another program wrote to it).
    public func invalidate() {
        previous = nil
        clearPending = true
    }

    /// Writes one run; returns the number of cells written.
    private func draw(_ run: Screen.Run) -> Int {
        guard run.y >= 0, run.y < height, run.x < width else { return 0 }
        let room = width - max(0, run.x)
        guard room > 0 else { return 0 }
        wideBuffer.removeAll(keepingCapacity: true)
        var column = run.x
        var count = 0
        for character in run.text {
            defer { column += 1 }
            if column < 0 { continue }
            if count == room { break }
            appendCell(character)
            count += 1
        }
        guard count > 0 else { return 0 }
        _ = cd_set_style(attributes(for: run.style), pair(for: run.style))
        wideBuffer.append(0)
        let startColumn = Int32(max(0, run.x))
        wideBuffer.withUnsafeBufferPointer { buffer in
            _ = cd_put_wide(Int32(run.y), startColumn, buffer.baseAddress, -1)
        }
        return count
    }

    /// Appends one cell's character, always one column wide so the grid stays aligned: control
    /// characters become spaces; wide (CJK, emoji) and unprintable ones `?`; outside a UTF-8 locale every
    /// non-ASCII character is `?`.
    private func appendCell(_ character: Character) {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else {
            wideBuffer.append(0x20)
            return
        }
        let value = first.value
        if value < 0x20 || value == 0x7F {
            wideBuffer.append(0x20)
            return
        }
        if value < 0x7F, scalars.count == 1 {
            wideBuffer.append(wchar_t(value))
            return
        }
        guard supportsUnicode else {
            wideBuffer.append(0x3F)
            return
        }
        switch cd_wcwidth(wchar_t(value)) {
        case 1:
            for scalar in scalars { wideBuffer.append(wchar_t(scalar.value)) }
        case 0:
            wideBuffer.append(0x20)
        default:
            wideBuffer.append(0x3F)
        }
    }

    private func attributes(for style: CellStyle) -> attr_t {
        var result = cd_attr_normal()
        if style.bold { result |= cd_attr_bold() }
        if style.reverse { result |= cd_attr_reverse() }
        if style.dim { result |= cd_attr_dim() }
        return result
    }

    private func pair(for style: CellStyle) -> Int32 {
        guard let palette else { return 0 }
        return Int32(palette.pair(foreground: style.foreground, background: style.background))
    }

    // MARK: Keys

    /// Waits up to `timeoutMs` (negative: no limit) for input on stdin or a `wake()`, then returns every
    /// key available. Returns `[]` when woken or timed out. A `.resize` key means `size` has changed; the
    /// next `paint` repaints everything.
    public func waitForKeys(timeoutMs: Int) -> [Key] {
        guard !stopped else { return [] }
        var fds = [
            pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0),
        ]
        let timeout = timeoutMs < 0 ? Int32(-1) : Int32(clamping: timeoutMs)
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready > 0, fds[1].revents != 0 {
            wakePipe.drain()
        }
        // Read even after a timeout or EINTR: a SIGWINCH may have left a KEY_RESIZE pending.
        let keys = readAvailableKeys()
        if keys.isEmpty, ready > 0, fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            // The terminal went away: stop polling it so the caller's timeouts still hold.
            stdinOpen = false
        }
        return keys
    }

    private func readAvailableKeys() -> [Key] {
        var keys: [Key] = []
        var code: wint_t = 0
        while true {
            let status = cd_get_wch(&code)
            if status == ERR { break }
            guard let key = decodeKey(status: status, code: UInt32(code)) else { continue }
            if key == .resize {
                let window = cd_stdscr()
                width = Int(cd_getmaxx(window))
                height = Int(cd_getmaxy(window))
                invalidate()
            }
            keys.append(key)
        }
        return keys
    }
}

extension TerminalSession: ConsoleTerminal {
    public var hasColors: Bool { colorMode != .none }
    public var waker: any ConsoleWaker { terminalWaker }

    /// The session the console's screen loop runs on, with fatal signals restoring the terminal.
    public static func openForConsole() throws -> any ConsoleTerminal {
        restoreOnFatalSignals()
        return try start()
    }
}

extension TerminalWaker: ConsoleWaker {}
