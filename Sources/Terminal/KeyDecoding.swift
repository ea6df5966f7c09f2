import CNCurses
import Console

/// Turns one `wget_wch` result into a `Key` (nil for keys the console does not use).
/// `status` is `OK` (a character) or `KEY_CODE_YES` (a function key); `code` is the value read.
func decodeKey(status: Int32, code: UInt32) -> Key? {
    if status == KEY_CODE_YES {
        switch Int32(bitPattern: code) {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_DC: return .delete
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_RESIZE: return .resize
        default: return nil
        }
    }
    guard status == OK else { return nil }
    switch code {
    case 127, 8: return .backspace
    case 10, 13: return .enter
    case 9: return .tab
    case 27: return .escape
    case 1...26:
        // Ctrl-A … Ctrl-Z (except the ones above, which have their own keys).
        return .control(Character(Unicode.Scalar(UInt8(code) + 0x60)))
    case 0..<32:
        return nil
    default:
        guard let scalar = Unicode.Scalar(code) else { return nil }
        return .character(Character(scalar))
    }
}
