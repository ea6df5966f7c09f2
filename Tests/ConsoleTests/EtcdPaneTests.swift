import ClusterAPI
import Testing
@testable import Console

/// An etcd member's pane shows what etcd's status API says, and leaves out what it does not give.
@Suite("etcd panes")
struct EtcdPaneTests {
    /// The fixture's cluster with every node an etcd member (n1 leads) and the header naming etcd.
    static func etcd(width: Int, height: Int, errors: [String] = []) -> ConsoleModel {
        var model = Fixtures.model(width: width, height: height)
        for index in model.nodes.indices {
            let id = model.nodes[index].id
            model.nodes[index].state?.etcd = EtcdMemberFacts(memberID: "8e9e05c5216469\(id)d",
                                                             databaseBytes: 20_480,
                                                             errors: id == 2 ? errors : [])
        }
        model.summary.engineLabel = "etcd 3.4.23"
        return model
    }

    @Test("the pane shows the member id, term, commit, applied and database, and no vote or log")
    func paneShowsEtcdFacts() {
        let text = ConsoleView.render(Self.etcd(width: 120, height: 40)).text
        #expect(text.contains("id 8e9e05c52164691d"))
        #expect(text.contains("db 20 KB  no alarms or errors"))
        #expect(text.contains("etcd 3.4.23"))
        // etcd's status gives no vote, log bounds, entries or keys: none is drawn as a zero.
        #expect(!text.contains("vote "))
        #expect(!text.contains("log 0"))
        #expect(!text.contains("kv "))
        // No keys for what etcd cannot do.
        #expect(!text.contains("space freeze"))
    }

    @Test("errors etcd reports are shown in its words")
    func errorsShown() {
        let text = ConsoleView.render(Self.etcd(width: 120, height: 40, errors: ["etcdserver: no leader"])).text
        #expect(text.contains("etcdserver: no leader"))
    }

    @Test("the compact line shows the member id in place of the last index and keys")
    func compactLine() {
        let screen = ConsoleView.render(Self.etcd(width: 80, height: 24))
        let line = screen.line(1)
        #expect(line.contains("commit"))
        #expect(!line.contains("keys"))
        #expect(!line.contains("last "))
    }

    @Test("the timeline shows the proxy's bytes per link, a cut link marked, and no message arrows")
    func trafficInsteadOfArrows() {
        var model = Self.etcd(width: 120, height: 40)
        model.summary.linkTraffic = [
            LinkTraffic(from: 1, to: 2, connections: 3, bytes: 50, blocked: 36),
            LinkTraffic(from: 2, to: 1, connections: 2, bytes: 9_300, bytesPerSecond: 1_500),
        ]
        model.summary.network = NetworkSummary(links: [LinkState(from: 1, to: 2, up: false)])
        let text = ConsoleView.render(model).text
        #expect(text.contains("peer traffic through the proxy"))
        #expect(text.contains("n1 ▶ n2   ✗ cut  0 B/s      50 B     3 conn    36 blocked"))
        #expect(text.contains("n2 ▶ n1          1 KB/s     9 KB"))
        #expect(!text.contains("Append"))
    }
}
