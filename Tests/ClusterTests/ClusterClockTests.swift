@testable import Cluster
import NIOCore
import Testing

@Suite("The clients' clock")
struct ClusterClockTests {
    @Test("cluster time stops while frozen and goes on from where it stopped after a thaw")
    func stopsWhileFrozen() {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var clock = ClusterClock()
        #expect(clock.now(wall: start) == start)
        clock.freeze(wall: start + .seconds(1))
        #expect(clock.isFrozen)
        #expect(clock.now(wall: start + .seconds(5)) == start + .seconds(1))
        clock.thaw(wall: start + .seconds(5))
        #expect(!clock.isFrozen)
        #expect(clock.now(wall: start + .seconds(6)) == start + .seconds(2))
        clock.freeze(wall: start + .seconds(6))
        clock.freeze(wall: start + .seconds(7))
        clock.thaw(wall: start + .seconds(8))
        #expect(clock.now(wall: start + .seconds(8)) == start + .seconds(2), "a second freeze restarted the stop")
    }
}
