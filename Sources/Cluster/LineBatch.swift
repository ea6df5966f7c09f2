import Foundation

/// Lines held back for a file and written together: once 64 KiB have gathered, or half a second of
/// the run's time has passed since the last write. A drill writes tens of thousands of journal and
/// history lines a second; a system call per line was a tenth of its time. The owner writes what is
/// left when it closes.
struct LineBatch {
    private var pending: [UInt8] = []
    private var lastWrite: Double = 0
    static let maximumBytes = 65_536
    static let maximumSeconds = 0.5

    /// Adds one line (the newline is added here); writes the batch to `file` if it is due at
    /// `seconds` of the run.
    mutating func add(_ line: some Collection<UInt8>, atSeconds seconds: Double, to file: FileHandle) {
        pending += line
        pending.append(UInt8(ascii: "\n"))
        if pending.count >= Self.maximumBytes || seconds - lastWrite >= Self.maximumSeconds {
            write(to: file)
            lastWrite = seconds
        }
    }

    /// Writes the lines held back.
    mutating func write(to file: FileHandle) {
        guard !pending.isEmpty else { return }
        // The bytes as they are, not first copied into a `Data` (as `write(_: Data)` needed). A
        // failed write (a full disk) loses these lines, not the console and its nodes: the file
        // stops there, and what reads it (replay, check) reads what it holds.
        try? file.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }
}
