import Cluster
import ClusterAPI
import CommandLanguage
import Foundation
import Raft
import Testing

/// Time travel on the simulated cluster: going back rebuilds the cluster as it truly was (the same
/// digest as at that moment of the first pass), going forward to the end lands where the run was,
/// and acting after going back forks. Each failure names its seed and instants.
@Suite("Time travel")
struct TimeTravelTests {
    private func withTimeline<T>(seed: UInt64, journal: String? = nil,
                                 _ body: (SimulatedTimeline) async throws -> T) async throws -> T {
        var options = ClusterOptions(executablePath: "/nonexistent: no process is started")
        options.nodeCount = 3
        options.seed = seed
        options.simulation = .onDemand
        options.journalPath = journal
        let timeline = try await SimulatedTimeline.make(options: options)
        do {
            try await timeline.start()
            let result = try await body(timeline)
            await timeline.shutdown()
            return result
        } catch {
            await timeline.shutdown()
            throw error
        }
    }

    private func run(_ line: String, on timeline: SimulatedTimeline) async throws -> CommandOutput {
        await timeline.execute(try #require(try CommandParser.parse(line, nodeCount: 3)))
    }

    @Test("back to an instant, then to the end: the digests of the first pass, for 20 seeds and times")
    func seekBackAndForth() async throws {
        let base = UInt64.random(in: 1...1_000_000)
        for seed in base..<base + 20 {
            var random = SeededRandom(seed: seed)
            try await withTimeline(seed: seed) { timeline in
                _ = try await run("wait leader", on: timeline)
                _ = try await run("put x \(seed)", on: timeline)
                await timeline.idle(milliseconds: Int.random(in: 0...800, using: &random))
                let middle = await timeline.secondsSinceStart()
                let atMiddle = await timeline.digest()
                // What runs at this very instant after the digest would be part of it when going back.
                await timeline.idle(milliseconds: 1)
                _ = try await run("kill leader", on: timeline)
                _ = try await run("wait leader", on: timeline)
                _ = try await run("put y 2", on: timeline)
                await timeline.idle(milliseconds: Int.random(in: 1...800, using: &random))
                let atEnd = await timeline.digest()
                let history = await timeline.history()

                let ms = Int((middle * 1000).rounded())
                #expect(try await run("seek \(ms)ms", on: timeline).ok, "seed \(seed)")
                #expect(abs(Double(ms) / 1000 - middle) < 1e-9, "seed \(seed): on demand, time moves in whole ms")
                #expect(await timeline.digest() == atMiddle, "seed \(seed): back to \(ms) ms differs")
                #expect(try await run("seek end", on: timeline).ok, "seed \(seed)")
                #expect(await timeline.digest() == atEnd, "seed \(seed): seek end after \(ms) ms differs")
                #expect(await timeline.history() == history, "seed \(seed): the history differs")
            }
        }
    }

    @Test("going back to where a digest was taken gives that digest exactly")
    func backToAnInstant() async throws {
        try await withTimeline(seed: 11) { timeline in
            _ = try await run("wait leader", on: timeline)
            _ = try await run("put a 1", on: timeline)
            await timeline.idle(milliseconds: 500)
            let atOne = await timeline.digest()
            let oneSecond = await timeline.secondsSinceStart()
            await timeline.idle(milliseconds: 1)
            _ = try await run("partition 1 | 2,3", on: timeline)
            _ = try await run("put b 2", on: timeline)
            await timeline.idle(milliseconds: 2_000)
            let ms = Int((oneSecond * 1000).rounded())
            #expect(try await run("seek \(ms)ms", on: timeline).ok)
            #expect(abs(Double(ms) / 1000 - oneSecond) < 1e-9, "seed 11: the test needs a whole millisecond")
            let again = await timeline.digest()
            #expect(again == atOne, "seed 11: the cluster at \(ms) ms differs: \(atOne) vs \(again)")
        }
    }

    @Test("a command after going back forks: the recorded future is dropped, once, and said")
    func forking() async throws {
        try await withTimeline(seed: 5) { timeline in
            _ = try await run("wait leader", on: timeline)
            _ = try await run("put x 1", on: timeline)
            await timeline.idle(milliseconds: 1_000)
            #expect(try await run("back 10", on: timeline).ok)
            let forked = try await run("kill 1", on: timeline)
            #expect(forked.lines.first?.hasPrefix("fork at ") == true, "seed 5: \(forked.lines)")
            let again = try await run("restart 1", on: timeline)
            #expect(again.lines.first?.hasPrefix("fork at ") != true, "seed 5: forked twice: \(again.lines)")
            let summary = await timeline.summary()
            #expect(summary.travel?.forkSeconds.count == 1)
            #expect(summary.travel?.endSeconds == summary.travel?.nowSeconds)
            let past = try await run("seek +5s", on: timeline)
            #expect(!past.ok && past.lines.joined().contains("past the recorded end"), "seed 5: \(past.lines)")
        }
    }

    @Test("the journal goes on across moves on a clock that never runs backwards, and says each move")
    func journalAcrossMoves() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("timetravel-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTimeline(seed: 7, journal: path) { timeline in
            _ = try await run("wait leader", on: timeline)
            _ = try await run("put x 1", on: timeline)
            await timeline.idle(milliseconds: 2_000)
            _ = try await run("seek 0", on: timeline)
            _ = try await run("seek end", on: timeline)
            _ = try await run("back 5", on: timeline)
            _ = try await run("put y 2", on: timeline)
            await timeline.idle(milliseconds: 500)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let times = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["t"] as? Double
        }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0! <= $1! }, "seed 7: the journal's time ran backwards")
        let text = lines.joined(separator: "\n")
        #expect(text.contains("went back to 0.000 s"))
        #expect(text.contains("went forward to"))
        #expect(text.contains("fork at"))
        #expect(try JournalEntry.read(String(text)).count == lines.count)
    }

    @Test("before 0 and past the end are one line each, and change nothing")
    func outOfRange() async throws {
        try await withTimeline(seed: 2) { timeline in
            _ = try await run("wait leader", on: timeline)
            let before = await timeline.digest()
            let early = try await run("seek -1m", on: timeline)
            #expect(!early.ok && early.lines.count == 1)
            let late = try await run("seek 59m", on: timeline)
            #expect(!late.ok && late.lines.count == 1)
            #expect(await timeline.digest() == before)
        }
    }
}
