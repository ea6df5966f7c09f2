import Cluster
import Testing
@testable import Console

/// The header and the node panes draw the network from the summary's data, not from a string.
@Suite("Network in the header and the node panes")
struct NetworkHeaderTests {
    private func frame(_ network: NetworkSummary, width: Int, height: Int) -> [Substring] {
        var model = Fixtures.model(width: width, height: height)
        model.summary.network = network
        return ConsoleView.render(model).text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test("a ring and a bridge, wide and narrow")
    func shapesInHeader() throws {
        let ring = NetworkSummary(partition: .ring([1, 3, 5, 2, 4]))
        #expect(try #require(frame(ring, width: 120, height: 40).first).contains("net ring 1,3,5,2,4 │"))
        #expect(try #require(frame(ring, width: 100, height: 30).first).contains("net ring 1,3,5,2,4 │"))
        let bridge = NetworkSummary(partition: .bridge(node: 3, halves: [[1, 2], [4, 5]]),
                                    links: [LinkState(from: 1, to: 3, up: false)])
        #expect(try #require(frame(bridge, width: 120, height: 40).first)
            .contains("net bridge 3 between 1,2 | 4,5 1-x->3 │"))
        #expect(try #require(frame(bridge, width: 100, height: 30).first).contains("net bridge 3:1,2|4,5 1-x->3 │"))
    }

    @Test("each node pane says whom the node reaches, hears and is heard by")
    func nodeLinks() {
        // Five nodes in a ring: n1 hears its two neighbours.
        let text = frame(NetworkSummary(partition: .ring([1, 2, 3, 4, 5])), width: 120, height: 40)
            .joined(separator: "\n")
        #expect(text.contains("links reaches 1,2,5"), "\(text)")
        // A one-way cut: n1 still hears n2 but cannot send to it.
        let cut = frame(NetworkSummary(links: [LinkState(from: 1, to: 2, up: false)]), width: 120, height: 40)
            .joined(separator: "\n")
        #expect(cut.contains("links reaches 1,3,4,5 hears 2"), "\(cut)")
    }
}
