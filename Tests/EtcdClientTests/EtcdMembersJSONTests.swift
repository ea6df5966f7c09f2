import Foundation
import Testing
@testable import EtcdClient

/// The cluster API as the gateway takes and gives it (answers copied from etcd 3.4.23's gateway).
@Suite struct EtcdMembersJSONTests {
    private func json(_ request: some Encodable) throws -> NSDictionary {
        let body = try EtcdJSON.encode(request)
        return try #require(JSONSerialization.jsonObject(with: Data(body)) as? NSDictionary)
    }

    @Test func requestsNameMembersByTheirIdAsAString() throws {
        #expect(try json(EtcdMemberAddRequest(peerURLs: ["http://127.0.0.1:23801"], isLearner: true))
                == ["peerURLs": ["http://127.0.0.1:23801"], "isLearner": true])
        #expect(try json(EtcdMemberAddRequest(peerURLs: ["http://h:1"], isLearner: false)) == ["peerURLs": ["http://h:1"]])
        #expect(try json(EtcdMemberPromoteRequest(id: 3_766_925_824_763_781_741))
                == ["ID": "3766925824763781741"])
        #expect(try json(EtcdMemberRemoveRequest(id: 7)) == ["ID": "7"])
        #expect(EtcdMemberPromoteRequest.path == "/v3/cluster/member/promote")
        #expect(EtcdMemberRemoveRequest.path == "/v3/cluster/member/remove")
        #expect(try json(EtcdMemberListRequest()) == [:])
    }

    @Test func anAddAnswersWithTheNewcomerNamelessAndALearner() throws {
        let text = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","raft_term":"2"},"#
            + #""member":{"ID":"3766925824763781741","peerURLs":["http://127.0.0.1:23801"],"isLearner":true},"#
            + #""members":[{"ID":"3319814642761637952","name":"default","peerURLs":["http://127.0.0.1:23800"],"#
            + #""clientURLs":["http://127.0.0.1:23790"]},{"ID":"3766925824763781741","#
            + #""peerURLs":["http://127.0.0.1:23801"],"isLearner":true}]}"#
        let answer = try EtcdJSON.decode(EtcdMembersResponse.self, from: Array(text.utf8))
        #expect(answer.member == EtcdMember(id: 3_766_925_824_763_781_741, name: "",
                                            peerURLs: ["http://127.0.0.1:23801"], isLearner: true))
        #expect(answer.members.map(\.name) == ["default", ""])
        #expect(answer.members.map(\.isLearner) == [false, true])
        #expect(answer.members[0].clientURLs == ["http://127.0.0.1:23790"])
        #expect(answer.members[1].clientURLs.isEmpty)
        let removedAll = try EtcdJSON.decode(EtcdMembersResponse.self, from: Array(#"{"header":{}}"#.utf8))
        #expect(removedAll.members.isEmpty && removedAll.member == nil)
    }
}
