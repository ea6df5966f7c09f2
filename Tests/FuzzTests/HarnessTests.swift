import Foundation
import Testing

@testable import Fuzzing

/// Records of `[length u32][payload]`, the shape of every format under test, for toy decoders.
enum ToyRecords {
    static let valid: [[UInt8]] = [
        BigEndian.bytes(UInt32(3)) + [1, 2, 3],
        BigEndian.bytes(UInt32(0)),
        BigEndian.bytes(UInt32(8)) + Array(repeating: 0x41, count: 8),
    ]
}

/// A decoder with a planted bug: it reserves what the length field declares, before checking
/// that the bytes are there. The property the real targets check, "never allocate more than the
/// input holds", must catch it.
struct TrustingDecoderTarget: FuzzTarget {
    let name = "toy-trusting"
    let mutator = ByteMutator(maximumBytes: 64)

    func makeInput(using random: inout FuzzRandom) -> [UInt8] {
        var bytes = random.pick(ToyRecords.valid)
        mutator.mutate(&bytes, donors: ToyRecords.valid, using: &random)
        return bytes
    }

    func run(_ input: [UInt8]) -> FuzzOutcome {
        guard input.count >= 4 else { return .refused("short") }
        let declared = Int(BigEndian.u32(input, at: 0))
        // The planted bug: the reservation trusts `declared`.
        let reserved = declared
        guard reserved <= input.count - 4 else {
            return .violation("would reserve \(reserved) bytes for an input of \(input.count)")
        }
        return .accepted("record")
    }

    func size(of input: [UInt8]) -> Int { input.count }
    func describe(_ input: [UInt8]) -> String { Escaping.hex(input) }
}

/// A target that breaks on one input in 100, and sleeps on another, to test the runner.
struct ToyTarget: FuzzTarget {
    let name = "toy"
    var sleepOn: UInt64?

    func makeInput(using random: inout FuzzRandom) -> UInt64 { random.next() % 100 }

    func run(_ input: UInt64) -> FuzzOutcome {
        if input == sleepOn {
            // Busy, not asleep: slowness is measured in CPU time.
            let start = ProcessProbe.threadCPUNanoseconds()
            while ProcessProbe.threadCPUNanoseconds() - start < 30_000_000 {}
        }
        switch input {
        case 0: return .violation("input 0 breaks the toy")
        case 1...49: return .accepted("low")
        default: return .refused("high \(input)")
        }
    }

    func size(of input: UInt64) -> Int { 8 }
    func describe(_ input: UInt64) -> String { "\(input)" }
}

@Suite("Fuzz harness")
struct HarnessTests {
    @Test("a violation is reported with its input and replays")
    func violationReported() throws {
        let report = ToyTarget().run(iterations: 2_000, seed: 11)
        #expect(!report.passed)
        #expect(report.violationCount > 5)
        #expect(report.violations.count == FuzzLimits().violationsKept)
        let first = try #require(report.violations.first)
        #expect(first.input == "0")
        #expect(report.replayCommand(first.iteration)
            == "clusterdeck fuzz toy --replay 11:\(first.iteration)")
        let replayed = try ToyTarget().replay(seed: 11, iteration: first.iteration)
        #expect(replayed.outcome == .violation("input 0 breaks the toy"))
        #expect(report.outcomes.contains { $0.label == "ok: low" })
        // "high 57" and "high 93" are one kind of error.
        #expect(report.outcomes.contains { $0.label == "error: high N" })
        #expect(report.outcomes.map(\.count).reduce(0, +) == 2_000)
    }

    @Test("a slow input fails the run and is named")
    func slowInputReported() {
        let limits = FuzzLimits(slowInputSeconds: 0.01)
        let report = ToyTarget(sleepOn: 42).run(iterations: 300, seed: 5, limits: limits)
        #expect(report.slowInputs > 0)
        #expect(report.slowestSeconds >= 0.01)
        #expect(!report.slowIterations.isEmpty)
        var random = FuzzRandom.forInput(seed: 5, iteration: report.slowestIteration)
        #expect(ToyTarget().makeInput(using: &random) == 42)
    }

    @Test("a passing target passes")
    func cleanRunPasses() {
        struct Clean: FuzzTarget {
            let name = "clean"
            func makeInput(using random: inout FuzzRandom) -> Int { random.below(10) }
            func run(_ input: Int) -> FuzzOutcome { .accepted("fine") }
            func size(of input: Int) -> Int { 1 }
            func describe(_ input: Int) -> String { "\(input)" }
        }
        let report = Clean().run(iterations: 100, seed: 1)
        #expect(report.passed)
        #expect(report.outcomes == [FuzzReport.OutcomeCount(label: "ok: fine", count: 100)])
        #expect(report.residentBytesMax >= report.residentBytesStart)
    }

    @Test("a planted trust-the-length bug is found from valid samples")
    func plantedBugFound() {
        let report = TrustingDecoderTarget().run(iterations: 2_000, seed: 1)
        #expect(report.violationCount > 0, "the mutators never produced a length past the end")
        #expect(report.violations.first?.message.hasPrefix("would reserve") == true)
    }

    @Test("outcome labels blank numbers and quoted text")
    func labels() {
        #expect(OutcomeLabel.normalize("length 70000 at offset 12 runs past")
            == "length N at offset N runs past")
        #expect(OutcomeLabel.normalize("stored 0x1F2E, computed 0xAB") == "stored N, computed N")
        #expect(OutcomeLabel.normalize(#"unknown command "kil", did you mean `kill`?"#)
            == "unknown command …, did you mean …?")
        let long = OutcomeLabel.normalize(String(repeating: "x", count: 500))
        #expect(long.count == OutcomeLabel.maximumLength)
        #expect(OutcomeLabel.normalize("two\nlines") == "two lines")
    }

    @Test("the crash reporter packs a target's name into words its handler can read")
    func crashReporterName() {
        #expect(CrashReporter.unpack(CrashReporter.pack("scenario")) == "scenario")
        #expect(CrashReporter.pack("wal") == [0x6C_6177, 0, 0, 0])
        let long = String(repeating: "n", count: 40)
        #expect(CrashReporter.unpack(CrashReporter.pack(long)) == String(repeating: "n", count: 31))
    }

    @Test("memory and clock probes read /proc")
    func probes() throws {
        let resident = try #require(ProcessProbe.residentBytes())
        let peak = try #require(ProcessProbe.peakResidentBytes())
        let mapped = try #require(ProcessProbe.virtualBytes())
        #expect(resident > 0 && peak >= resident / 2 && mapped >= resident)
        let before = ProcessProbe.nowNanoseconds()
        usleep(2_000)
        #expect(ProcessProbe.nowNanoseconds() - before >= 2_000_000)
    }
}
