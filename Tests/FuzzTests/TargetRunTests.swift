import Foundation
import Testing

@testable import Fuzzing

/// A short seeded run of each real target: the CI slice of `scripts/fuzz.sh`'s million inputs.
@Suite("Fuzz targets, short runs")
struct TargetRunTests {
    /// Inputs per target: a few seconds in a debug build. Failures print the seed and the
    /// command that replays the input.
    static let runs: [(name: String, inputs: Int)] = [
        ("frame", 3_000), ("command", 5_000), ("scenario", 2_000), ("wal", 1_500),
    ]
    static let seed: UInt64 = 20_260_901

    @Test("no violation, slow input or memory growth", arguments: runs.map(\.name))
    func shortRun(name: String) throws {
        let target = try #require(try FuzzTargets.target(named: name))
        let inputs = Self.runs.first { $0.name == name }?.inputs ?? 1_000
        // Debug builds are slow and CI machines shared: only hangs should fail here.
        let report = target.run(iterations: inputs, seed: Self.seed,
                                limits: FuzzLimits(slowInputSeconds: 5))
        #expect(report.setupError == nil, "\(name): \(report.setupError ?? "")")
        #expect(report.inputs == inputs)
        // A finding must reproduce: replaying the input rules out the shared machine (this process
        // also runs clusters, so a file operation can meet a momentary limit) and names the bug.
        for violation in report.violations {
            let replayed = try target.replay(seed: Self.seed, iteration: violation.iteration)
            guard case .violation = replayed.outcome else {
                print("\(name) input \(violation.iteration) did not reproduce: \(violation.message)")
                continue
            }
            Issue.record("""
                \(name) seed \(Self.seed) input \(violation.iteration): \(violation.message)
                input: \(violation.input)
                replay: \(report.replayCommand(violation.iteration))
                """)
        }
        #expect(report.slowInputs == 0,
                "slow inputs of seed \(Self.seed): \(report.slowIterations)")
        #expect(!report.memoryGrewUnbounded)
        // The generator must reach both sides of the decoder, or the run proves little.
        #expect(report.outcomes.contains { $0.label.hasPrefix("ok: ") }, "\(report.outcomes)")
        #expect(report.outcomes.contains { $0.label.hasPrefix("error: ") }, "\(report.outcomes)")
    }

    @Test("the same seed gives the same inputs and outcomes")
    func reproducible() throws {
        let target = CommandTarget()
        let first = target.run(iterations: 500, seed: 7)
        let second = target.run(iterations: 500, seed: 7)
        #expect(first.outcomes == second.outcomes)
        #expect(first.maximumInputBytes == second.maximumInputBytes)
        let other = target.run(iterations: 500, seed: 8)
        #expect(other.outcomes != first.outcomes)
    }

    @Test("replay rebuilds the input the run made")
    func replayMatchesRun() throws {
        let target = FrameTarget()
        for iteration: UInt64 in [0, 1, 99, 12_345] {
            var random = FuzzRandom.forInput(seed: 3, iteration: iteration)
            let input = target.makeInput(using: &random)
            let replayed = try target.replay(seed: 3, iteration: iteration)
            #expect(replayed.input == target.describe(input))
            #expect(replayed.outcome == target.run(input))
        }
    }

    @Test("the WAL target removes its directory when the run ends")
    func walWorkspaceRemoved() throws {
        let target = try WALTarget()
        let report = target.run(iterations: 20, seed: 1)
        #expect(report.passed)
        #expect(!FileManager.default.fileExists(atPath: target.workspace.path))
    }

    @Test("every demo lesson is in the scenario corpus and parses as it stands")
    func corpusIsValid() throws {
        #expect(TextCorpus.scenarios.count >= 9, "demos/ not found next to the sources")
        let target = ScenarioTarget()
        for scenario in TextCorpus.scenarios {
            let outcome = target.run(ScenarioTarget.Input(text: scenario, nodeCount: nil))
            #expect(outcome == .accepted("steps") || outcome == .accepted("no steps"), "\(outcome)")
        }
        for line in TextCorpus.commandLines {
            let outcome = CommandTarget().run(CommandTarget.Input(line: line, nodeCount: nil))
            #expect(outcome.label.hasPrefix("ok: "), "`\(line)`: \(outcome)")
        }
        for payload in FrameCorpus.payloads {
            #expect(PayloadCheck.check(payload).label.hasPrefix("ok: "))
        }
    }
}
