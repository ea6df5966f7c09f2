import Foundation
import Testing
@testable import EtcdClient

/// Leases, locks, fenced writes and elections as the gateway takes and gives them (answers copied
/// from etcd 3.4.23's gateway).
@Suite struct EtcdServiceJSONTests {
    private func json(_ request: some Encodable) throws -> [String: Any] {
        let body = try EtcdJSON.encode(request)
        return try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        try EtcdJSON.decode(type, from: Array(text.utf8))
    }

    @Test func leaseRequestsCarryTheirNumbersAsStrings() throws {
        #expect(try json(EtcdLeaseGrantRequest(ttlSeconds: 3)) as NSDictionary == ["TTL": "3"])
        let id: Int64 = 4_111_120_354_924_434_951
        #expect(try json(EtcdLeaseKeepAliveRequest(id: id)) as NSDictionary == ["ID": "4111120354924434951"])
        #expect(try json(EtcdLeaseTimeToLiveRequest(id: id)) as NSDictionary == ["ID": "4111120354924434951"])
        #expect(try json(EtcdLeaseRevokeRequest(id: id)) as NSDictionary == ["ID": "4111120354924434951"])
    }

    @Test func aKeepAliveOfAnExpiredLeaseAnswersWithoutATTL() throws {
        let alive = try decode(EtcdLeaseKeepAliveResponse.self, """
            {"result":{"header":{"revision":"3","raft_term":"2"},"ID":"4111120354924434956","TTL":"30"}}
            """)
        #expect(alive.isAlive)
        #expect(alive.result.id == 4_111_120_354_924_434_956)
        #expect(alive.result.ttlSeconds == 30)
        let expired = try decode(EtcdLeaseKeepAliveResponse.self,
                                 #"{"result":{"header":{"revision":"5"},"ID":"123"}}"#)
        #expect(!expired.isAlive)
    }

    @Test func timeToLiveSaysMinusOneForAGoneLease() throws {
        let gone = try decode(EtcdLeaseTimeToLiveResponse.self, #"{"header":{},"ID":"123","TTL":"-1"}"#)
        #expect(!gone.isAlive)
        let live = try decode(EtcdLeaseTimeToLiveResponse.self, #"{"ID":"7","TTL":"2","grantedTTL":"3"}"#)
        #expect(live.isAlive && live.ttlSeconds == 2 && live.grantedTTLSeconds == 3)
    }

    @Test func lockNamesTheLockAndLeaseAndAnswersWithTheKey() throws {
        #expect(try json(EtcdLockRequest(name: "L1", lease: 42)) as NSDictionary
                == ["name": EtcdBytes("L1").base64, "lease": "42"])
        let answer = try decode(EtcdLockResponse.self,
                                #"{"header":{"revision":"4"},"key":"TDIvMzkwZGEyMmU2MDI2MTYwYw=="}"#)
        #expect(answer.key.text == "L2/390da22e6026160c")
        #expect(try json(EtcdUnlockRequest(key: answer.key)) as NSDictionary == ["key": answer.key.base64])
    }

    @Test func aFencedPutComparesTheLockKeysCreateRevisionInTheSameTxn() throws {
        let object = try json(EtcdFencedPutRequest(key: "balance", value: "100", lockKey: "L/1f", token: 7))
        let compare = try #require((object["compare"] as? [[String: Any]])?.first)
        #expect(compare as NSDictionary == ["key": EtcdBytes("L/1f").base64, "result": "EQUAL",
                                            "target": "CREATE", "create_revision": "7"])
        let success = try #require((object["success"] as? [[String: [String: Any]]])?.first?["request_put"])
        #expect(success as NSDictionary == ["key": EtcdBytes("balance").base64, "value": EtcdBytes("100").base64,
                                            "prev_kv": true])
        let failure = try #require((object["failure"] as? [[String: [String: Any]]])?.first?["request_range"])
        #expect(failure as NSDictionary == ["key": EtcdBytes("L/1f").base64])
    }

    @Test func aFencedPutsAnswerSaysWhatItReplacedOrWhatTheLockKeyIsNow() throws {
        let accepted = try decode(EtcdFencedPutResponse.self, """
            {"header":{"revision":"9"},"succeeded":true,"responses":[{"response_put":{"header":{},\
            "prev_kv":{"key":"YmFsYW5jZQ==","value":"NTA=","create_revision":"8"}}}]}
            """)
        #expect(accepted.succeeded)
        #expect(accepted.previous?.value.text == "50")
        #expect(accepted.currentLockKey == nil)
        let refusedGone = try decode(EtcdFencedPutResponse.self,
                                     #"{"header":{"revision":"9"},"responses":[{"response_range":{"header":{}}}]}"#)
        #expect(!refusedGone.succeeded)
        #expect(refusedGone.currentLockKey == nil)
        let refusedTaken = try decode(EtcdFencedPutResponse.self, """
            {"header":{},"responses":[{"response_range":{"kvs":[{"key":"TC8xZg==","create_revision":"12"}],\
            "count":"1"}}]}
            """)
        #expect(refusedTaken.currentLockKey?.createRevision == 12)
    }

    @Test func aGuardedUnlockDeletesTheKeyOnlyWhileItIsTheOneGranted() throws {
        let object = try json(EtcdGuardedUnlockRequest(lockKey: "L/1f", token: 7))
        let compare = try #require((object["compare"] as? [[String: Any]])?.first)
        #expect(compare["create_revision"] as? String == "7")
        let delete = try #require((object["success"] as? [[String: [String: Any]]])?.first?["request_delete_range"])
        #expect(delete["key"] as? String == EtcdBytes("L/1f").base64)
        #expect(object["failure"] == nil)
    }

    @Test func campaignAndResignCarryTheLeaderKey() throws {
        #expect(try json(EtcdCampaignRequest(name: "e1", lease: 5, value: "alpha")) as NSDictionary
                == ["name": EtcdBytes("e1").base64, "lease": "5", "value": EtcdBytes("alpha").base64])
        let won = try decode(EtcdCampaignResponse.self, """
            {"header":{"revision":"6"},"leader":{"name":"ZTE=","key":"ZTEvMzkwZGEyMmU2MDI2MTYxNg==",\
            "rev":"6","lease":"4111120354924434966"}}
            """)
        #expect(won.leader == EtcdLeaderKey(name: "e1", key: "e1/390da22e60261616", revision: 6,
                                            lease: 4_111_120_354_924_434_966))
        let resign = try json(EtcdResignRequest(leader: won.leader))
        #expect(resign["leader"] as? NSDictionary == ["name": "ZTE=", "key": "ZTEvMzkwZGEyMmU2MDI2MTYxNg==",
                                                      "rev": "6", "lease": "4111120354924434966"])
    }

    @Test func leaderAnswersWithTheValueOrSaysNobodyLeads() throws {
        let led = try decode(EtcdElectionLeaderResponse.self, """
            {"header":{},"kv":{"key":"ZTEvMzkw","create_revision":"6","value":"YWxwaGE=","lease":"9"}}
            """)
        #expect(led.keyValue?.value.text == "alpha")
        #expect(led.keyValue?.createRevision == 6)
        let none = EtcdError.answer(status: 500, body: Array(
            #"{"error":"election: no leader","message":"election: no leader","code":2}"#.utf8))
        #expect(none.isNoElectionLeader)
        #expect(!EtcdError.connection("closed").isNoElectionLeader)
    }
}
