@testable import Cluster
import Testing

@Suite("The clients' clock")
struct ClusterClockTests {
    @Test("cluster time stops while frozen and goes on from where it stopped after a thaw")
    func stopsWhileFrozen() {
        let start = Duration.seconds(1)
        var clock = ClusterClock()
        #expect(clock.now(run: start) == start)
        clock.freeze(run: start + .seconds(1))
        #expect(clock.isFrozen)
        #expect(clock.now(run: start + .seconds(5)) == start + .seconds(1))
        clock.thaw(run: start + .seconds(5))
        #expect(!clock.isFrozen)
        #expect(clock.now(run: start + .seconds(6)) == start + .seconds(2))
        clock.freeze(run: start + .seconds(6))
        clock.freeze(run: start + .seconds(7))
        clock.thaw(run: start + .seconds(8))
        #expect(clock.now(run: start + .seconds(8)) == start + .seconds(2), "a second freeze restarted the stop")
    }
}
