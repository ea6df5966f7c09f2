import Testing
@testable import Raft

@Suite("Config")
struct ConfigTests {
    @Test("refuses a node that is not among the members")
    func notAMember() {
        #expect(throws: ConfigError.self) { try Config(id: 4, members: [1, 2, 3]).validate() }
    }

    @Test("refuses an election timeout not longer than the heartbeat")
    func electionAfterHeartbeat() {
        var config = Config(id: 1, members: [1, 2, 3])
        config.heartbeatTicks = 3
        config.electionTicks = 3
        #expect(throws: ConfigError.self) { try config.validate() }
        config.electionTicks = 4
        #expect(throws: Never.self) { try config.validate() }
    }

    @Test("refuses duplicate members")
    func duplicates() {
        #expect(throws: ConfigError.self) { try Config(id: 1, members: [1, 2, 2]).validate() }
    }

    @Test("one seed gives the same random sequence")
    func seededRandom() {
        var first = SeededRandom(seed: 9)
        var second = SeededRandom(seed: 9)
        var other = SeededRandom(seed: 10)
        let a = (0..<4).map { _ in first.next() }
        #expect(a == (0..<4).map { _ in second.next() })
        #expect(a != (0..<4).map { _ in other.next() })
    }
}
