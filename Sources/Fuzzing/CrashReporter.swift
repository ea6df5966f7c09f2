import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the input that crashed or hung the process, so that it can be replayed.
///
/// A crash cannot be caught in-process: it ends the run. So before each input the runner stores
/// the seed and the input's number in lock-free atomics, a handler for the fatal signals prints
/// `replay: clusterdeck fuzz TARGET --replay SEED:ITERATION` from them (using only `write`, which
/// is safe in a signal handler) and then hands the signal to the handler it replaced (Swift's
/// backtracer), and a watchdog thread does the same for an input that runs too long.
public enum CrashReporter {
    /// Installs the signal handlers (on an alternate stack, so a stack overflow is reported too)
    /// and starts the watchdog. Idempotent; `--replay` does not call it, so a replayed crash shows
    /// Swift's own backtrace straight away.
    /// - Parameter hangSeconds: how long one input may run before the process is stopped.
    public static func install(hangSeconds: Double) {
        guard !progress.installed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        progress.hangNanoseconds.store(UInt64(hangSeconds * 1e9), ordering: .relaxed)
        progress.thread.store(UInt(pthread_self()), ordering: .relaxed)
        installAlternateStack()
        for signalNumber in fatalSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = reportFatalSignal
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, &previousActions[Int(signalNumber)])
        }
        Thread.detachNewThread { watch() }
    }

    /// Records the run about to start: its target's name and seed.
    static func begin(target: String, seed: UInt64) {
        for (word, packed) in pack(target).enumerated() {
            progress.storeName(word: word, packed)
        }
        progress.seed.store(seed, ordering: .relaxed)
    }

    /// `name`'s first 31 UTF-8 bytes, eight to a word, zero-padded to `nameWords` words.
    static func pack(_ name: String) -> [UInt64] {
        let bytes = Array(name.utf8.prefix(nameWords * 8 - 1))
        return (0..<nameWords).map { word in
            var packed: UInt64 = 0
            for offset in 0..<8 where word * 8 + offset < bytes.count {
                packed |= UInt64(bytes[word * 8 + offset]) << UInt64(8 * offset)
            }
            return packed
        }
    }

    /// The name `pack` packed.
    static func unpack(_ words: [UInt64]) -> String {
        var bytes: [UInt8] = []
        for var packed in words {
            while packed != 0 {
                bytes.append(UInt8(truncatingIfNeeded: packed))
                packed >>= 8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Records that input `iteration` is being made: a crash from here on is its.
    static func inputMade(_ iteration: UInt64) {
        progress.iteration.store(iteration, ordering: .relaxed)
    }

    /// Records that the current input starts running now: the watchdog times it from here.
    static func inputStarts(at nanoseconds: UInt64) {
        progress.startedNanoseconds.store(nanoseconds, ordering: .relaxed)
    }

    /// Records that no input is running (the watchdog has nothing to time).
    static func idle() {
        progress.startedNanoseconds.store(0, ordering: .relaxed)
    }

    static let fatalSignals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]
    static let nameWords = 4
    static let progress = RunProgress()

    private static func installAlternateStack() {
        var current = stack_t()
        sigaltstack(nil, &current)
        // Keep one that is already there (Swift's backtracer may have set it up).
        guard current.ss_flags & Int32(SS_DISABLE) != 0 || current.ss_sp == nil else { return }
        let size = 256 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
    }

    private static func watch() {
        while true {
            usleep(100_000)
            let started = progress.startedNanoseconds.load(ordering: .relaxed)
            let limit = progress.hangNanoseconds.load(ordering: .relaxed)
            guard started != 0, ProcessProbe.nowNanoseconds() > started + limit else { continue }
            let seed = progress.seed.load(ordering: .relaxed)
            let iteration = progress.iteration.load(ordering: .relaxed)
            let seconds = Double(limit) / 1e9
            let replay = "clusterdeck fuzz \(targetName()) --replay \(seed):\(iteration)"
            writeText("\nfuzz: input \(iteration) ran longer than \(seconds) s: a hang"
                + "\nfuzz: replay: \(replay)\n")
            // Dispatch's worker threads block SIGABRT, not SIGTRAP. With the replaced handler
            // (Swift's backtracer) back in place, SIGTRAP shows where the fuzzing thread hangs.
            var previous = previousActions[Int(SIGTRAP)]
            sigaction(SIGTRAP, &previous, nil)
            pthread_kill(pthread_t(progress.thread.load(ordering: .relaxed)), SIGTRAP)
            sleep(10)
            _exit(3)
        }
    }

    /// The running target's name, unpacked from the atomics.
    private static func targetName() -> String {
        unpack((0..<nameWords).map { progress.loadName(word: $0) })
    }

    private static func writeText(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
    }
}

/// The state the signal handler and the watchdog read: atomics only, no locks, no allocation.
final class RunProgress: Sendable {
    let installed = Atomic<Bool>(false)
    let seed = Atomic<UInt64>(0)
    let iteration = Atomic<UInt64>(0)
    /// When the running input started (monotonic ns); 0 when none is running.
    let startedNanoseconds = Atomic<UInt64>(0)
    let hangNanoseconds = Atomic<UInt64>(UInt64.max / 2)
    let thread = Atomic<UInt>(0)
    /// The target's name, eight UTF-8 bytes per word, zero-padded (atomics cannot form an array).
    private let name0 = Atomic<UInt64>(0)
    private let name1 = Atomic<UInt64>(0)
    private let name2 = Atomic<UInt64>(0)
    private let name3 = Atomic<UInt64>(0)

    func storeName(word index: Int, _ value: UInt64) {
        switch index {
        case 0: name0.store(value, ordering: .relaxed)
        case 1: name1.store(value, ordering: .relaxed)
        case 2: name2.store(value, ordering: .relaxed)
        default: name3.store(value, ordering: .relaxed)
        }
    }

    func loadName(word index: Int) -> UInt64 {
        switch index {
        case 0: name0.load(ordering: .relaxed)
        case 1: name1.load(ordering: .relaxed)
        case 2: name2.load(ordering: .relaxed)
        default: name3.load(ordering: .relaxed)
        }
    }
}

/// The handlers `CrashReporter.install` replaced, indexed by signal number.
///
/// Safety: written only by `install`, once (guarded by `RunProgress.installed`) and before the
/// handlers and the watchdog that read it exist; they only read it. No other code touches it.
nonisolated(unsafe) private var previousActions: [sigaction] =
    Array(repeating: sigaction(), count: 65)

/// Prints the input that crashed, then restores the replaced handler and returns: the faulting
/// instruction runs again (a `raise` raises again) and the replaced handler (Swift's backtracer,
/// or the default action) takes over. Only async-signal-safe calls: `write` and `sigaction`.
private let reportFatalSignal: @convention(c) (Int32) -> Void = { signalNumber in
    let progress = CrashReporter.progress
    writeStatic("\nfuzz: input crashed the process (signal ")
    writeDecimal(UInt64(signalNumber))
    writeStatic(")\nfuzz: replay: clusterdeck fuzz ")
    for word in 0..<CrashReporter.nameWords {
        var packed = progress.loadName(word: word)
        while packed != 0 {
            writeByte(UInt8(truncatingIfNeeded: packed))
            packed >>= 8
        }
    }
    writeStatic(" --replay ")
    writeDecimal(progress.seed.load(ordering: .relaxed))
    writeByte(UInt8(ascii: ":"))
    writeDecimal(progress.iteration.load(ordering: .relaxed))
    writeByte(UInt8(ascii: "\n"))
    var previous = previousActions[Int(signalNumber)]
    sigaction(signalNumber, &previous, nil)
}

private func writeStatic(_ text: StaticString) {
    _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
}

private func writeByte(_ byte: UInt8) {
    var copy = byte
    _ = write(2, &copy, 1)
}

/// Decimal digits without allocating: the largest power of ten first.
private func writeDecimal(_ value: UInt64) {
    var divisor: UInt64 = 1
    while value / divisor >= 10 { divisor *= 10 }
    while divisor > 0 {
        writeByte(UInt8(ascii: "0") + UInt8(value / divisor % 10))
        divisor /= 10
    }
}
