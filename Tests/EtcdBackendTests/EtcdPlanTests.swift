import ClusterAPI
import CommandLanguage
import EtcdBackend
import EtcdClient
import Testing

@Suite struct EtcdPlanTests {
    @Test func timingKeepsEtcdsRatio() {
        #expect(EtcdTiming(.real) == EtcdTiming(heartbeatMs: 30, electionMs: 150))
        #expect(EtcdTiming(.teach) == EtcdTiming(heartbeatMs: 300, electionMs: 1_500))
        for factor in [0.1, 0.5, 3.0] {
            let timing = EtcdTiming(Timing.real.scaled(by: factor))
            #expect(timing.electionMs >= 5 * timing.heartbeatMs)
        }
    }

    @Test func membersAdvertiseTheProxyAndListenOnTheirOwnPort() {
        let plans = EtcdMemberPlan.members(count: 2, directory: "/run", ports: [1, 2, 3, 4, 5, 6], proxied: true)
        let arguments = plans[0].arguments(initialCluster: .founding(plans), timing: .real, preVote: true, token: "t")
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).map { arguments[$0 + 1] }
        }
        #expect(value("--listen-peer-urls") == "http://127.0.0.1:2")
        #expect(value("--initial-advertise-peer-urls") == "http://127.0.0.1:3")
        #expect(value("--initial-cluster") == "n1=http://127.0.0.1:3,n2=http://127.0.0.1:6")
        #expect(value("--data-dir") == "/run/n1.etcd")
        #expect(arguments.contains("--pre-vote=true"))
        #expect(value("--election-timeout") == "150")
    }

    @Test func anAddedMemberJoinsTheClusterEtcdListsUnderItsOwnName() {
        let plans = EtcdMemberPlan.members(count: 3, directory: "/run", ports: Array(1...9), proxied: true)
        // etcd's list after `member add`: the newcomer has no name until it starts.
        let listed = [
            EtcdMember(id: 10, name: "n1", peerURLs: [plans[0].peerURL], clientURLs: ["http://127.0.0.1:1"]),
            EtcdMember(id: 11, name: "n2", peerURLs: [plans[1].peerURL], clientURLs: ["http://127.0.0.1:4"]),
            EtcdMember(id: 12, name: "", peerURLs: [plans[2].peerURL], isLearner: true),
        ]
        let arguments = plans[2].arguments(initialCluster: .joining(listed, as: plans[2]), timing: .real,
                                           preVote: true, token: "t")
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).map { arguments[$0 + 1] }
        }
        #expect(value("--initial-cluster") == "n1=http://127.0.0.1:3,n2=http://127.0.0.1:6,n3=http://127.0.0.1:9")
        #expect(value("--initial-cluster-state") == "existing")
        let founding = plans[0].arguments(initialCluster: .founding(Array(plans.prefix(2))), timing: .real,
                                          preVote: true, token: "t")
        #expect(founding.firstIndex(of: "--initial-cluster-state").map { founding[$0 + 1] } == "new")
    }

    @Test func theLogTailNamesTheFatalCause() {
        let log = """
            {"level":"warn","ts":"x","msg":"running with pre-vote"}
            {"level":"fatal","ts":"y","msg":"listener failed","error":"listen tcp 127.0.0.1:2380: bind: address already in use"}
            {"level":"info","msg":"exiting"}
            """
        #expect(EtcdLogTail.explanation(of: log)
            == "listener failed: listen tcp 127.0.0.1:2380: bind: address already in use")
        #expect(EtcdLogTail.explanation(of: "plain words\n") == "plain words")
        #expect(EtcdLogTail.explanation(of: "") == nil)
    }
}

@Suite struct EtcdRefusalTests {
    @Test func whatEtcdCannotDoIsRefusedInOneLine() {
        let refused: [Command] = [
            .freeze, .step(count: 1), .timeout(.leader), .skew(node: 1, factor: 2),
            .link(from: 1, to: 2, LinkSettings(lossPercent: 10)), .link(from: 1, to: 2, LinkSettings(duplicatePercent: 5)),
            .set(.checkquorum, false), .pace(.teach), .back(messages: 1),
        ]
        for command in refused {
            let reason = EtcdRefusals.reason(for: command)
            #expect(reason != nil, "\(command) should be refused")
            #expect(reason?.contains("\n") == false)
        }
    }

    @Test func whatTheProxyAndGatewayCarryIsRun() {
        let carried: [Command] = [
            .kill(.leader), .pause(.id(2)), .restart(.id(2)), .isolate(.leader), .cut(from: 1, to: 2),
            .partitionRing(order: nil), .link(from: 1, to: 2, LinkSettings(delayMs: 20, jitterMs: 5)), .heal,
            .asClient("bob", .put(key: "k", value: "v")), .get(key: "k", staleNode: 2), .cas(key: "k", old: "a", new: "b"),
            .del(key: "k"), .set(.prevote, false), .check, .status,
            .lock(name: "L", ttlMs: nil), .asClient("alice", .campaign(name: "e", value: "v", ttlMs: nil)),
            .asClient("alice", .fencedPut(key: "k", value: "v", token: 3)), .unlock(name: "L"), .locks,
            .clientPause("alice", true), .clients, .resign(name: "e"), .electionLeader(name: "e"),
            .waitElected(name: "e", withinMs: nil), .transfer(to: 2), .member(.add), .member(.promote(4)),
            .member(.remove(.leader)), .member(.list), .wipe(.id(1)),
        ]
        for command in carried { #expect(EtcdRefusals.reason(for: command) == nil, "\(command)") }
    }

    @Test func aDeckIsRefusedAtItsFirstLineThatDoesNotApply() throws {
        let script = try ScenarioParser.parse("engine etcd\nput x 1\nfreeze\nwipe 2\n", file: "t.deck", nodeCount: 3)
        let refused = script.first { line in line.step.commands.contains { EtcdRefusals.reason(for: $0) != nil } }
        #expect(refused?.text == "freeze")
        #expect(EtcdRefusals.reason(for: .engine(.etcd)) == nil)
        #expect(EtcdRefusals.reason(for: .simulation(seed: 3)) != nil)
    }
}
