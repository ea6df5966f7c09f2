import Foundation
import Synchronization

/// Prints a line at once, so progress shows even when the output goes to a file or a pipe. Written with
/// `write(2)`, not stdio: `fflush(nil)` would wait for stdin's lock while another thread blocks reading
/// it (the shell), freezing the cluster's event loop. The lock keeps lines from interleaving.
func say(_ line: String) {
    outputLock.withLock { _ in
        // A reader that went away (`ctl status | head -3`) must not crash the writer: the rest of
        // the output has nobody to read it, so it is dropped.
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }
}

private let outputLock = Mutex(())
