import Cluster
import Foundation
import Testing

extension LiveClusterTests {
    @Suite("The load API (LocalCluster.put / get)")
    struct LoadAPI {
        @Test("a put through the load API is read back by get, by the command language and by history")
        func putThenGet() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                try await cluster.put(key: "k", value: "v1", as: "loader")
                #expect(try await cluster.get(key: "k", as: "reader") == "v1")
                #expect(try await cluster.exec("get k").lines == ["v1"])
                // The load API keeps the history free of its (many) operations.
                #expect(await cluster.history().allSatisfy { $0.process != "loader" })
            }
        }

        @Test("concurrent clients each get their own session, and every write lands once")
        func concurrentClients() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in 0..<8 {
                        group.addTask {
                            for round in 0..<20 {
                                try await cluster.put(key: "c\(client)", value: "\(round)",
                                                      as: "load-\(client)")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                for client in 0..<8 {
                    #expect(try await cluster.get(key: "c\(client)", as: "reader") == "19")
                }
            }
        }

        @Test("a write survives the leader's death: the client finds the new leader")
        func putAcrossFailover() async throws {
            try await withCluster(nodes: 3) { cluster in
                _ = try await cluster.waitLeader()
                try await cluster.put(key: "before", value: "1", as: "loader")
                #expect(try await cluster.exec("kill leader").ok)
                try await cluster.put(key: "after", value: "2", as: "loader")
                #expect(try await cluster.get(key: "before", as: "reader") == "1")
                #expect(try await cluster.get(key: "after", as: "reader") == "2")
            }
        }

        @Test("a missing key reads as nil")
        func missingKey() async throws {
            try await withCluster(nodes: 1) { cluster in
                _ = try await cluster.waitLeader()
                #expect(try await cluster.get(key: "nothing-here", as: "reader") == nil)
            }
        }
    }
}
