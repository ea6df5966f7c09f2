import Foundation
import Testing
@testable import EtcdClient

/// The gateway's JSON conventions: base64 bytes, 64-bit integers as strings, defaults left out.
@Suite struct EtcdJSONTests {
    private func json(_ request: some Encodable) throws -> [String: Any] {
        let body = try EtcdJSON.encode(request)
        return try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        try EtcdJSON.decode(type, from: Array(text.utf8))
    }

    @Test func putCarriesKeyAndValueInBase64AndLeavesDefaultsOut() throws {
        let object = try json(EtcdPutRequest(key: "key-1", value: "v\u{0}é"))
        #expect(object["key"] as? String == "a2V5LTE=")
        #expect(object["value"] as? String == Data("v\u{0}é".utf8).base64EncodedString())
        #expect(object.count == 2, "lease 0 and prev_kv false are proto3 defaults: \(object)")
    }

    @Test func leaseIDsTravelAsDecimalStringsWithAll64Bits() throws {
        let lease = Int64.max - 1
        let object = try json(EtcdPutRequest(key: "k", value: "v", lease: lease,
                                             previousKeyValue: true))
        #expect(object["lease"] as? String == "9223372036854775806")
        #expect(object["prev_kv"] as? Bool == true)
    }

    @Test func rangeOfAPrefixEndsAtTheNextKey() throws {
        let object = try json(EtcdRangeRequest.prefix("app/"))
        #expect(object["key"] as? String == EtcdBytes("app/").base64)
        #expect(object["range_end"] as? String == EtcdBytes("app0").base64)
        #expect(EtcdRangeRequest.rangeEnd(ofPrefix: EtcdBytes([0x61, 0xFF])) == EtcdBytes([0x62]))
        #expect(EtcdRangeRequest.rangeEnd(ofPrefix: EtcdBytes([0xFF, 0xFF])) == EtcdBytes([0]))
    }

    @Test func rangeAnswerDecodesBase64AndStringNumbers() throws {
        let answer = try decode(EtcdRangeResponse.self, """
            {"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437",\
            "revision":"7","raft_term":"2"},"kvs":[{"key":"Zm9v","create_revision":"5",\
            "mod_revision":"7","version":"3","value":"YmFy","lease":"7587869120611440640"}],\
            "count":"1"}
            """)
        #expect(answer.header == EtcdResponseHeader(clusterID: 14_841_639_068_965_178_418,
                                                    memberID: 10_276_657_743_932_975_437,
                                                    revision: 7, raftTerm: 2))
        #expect(answer.keyValues == [EtcdKeyValue(key: "foo", value: "bar", createRevision: 5,
                                                  modRevision: 7, version: 3,
                                                  lease: 7_587_869_120_611_440_640)])
        #expect(answer.count == 1)
        #expect(answer.more == false)
    }

    @Test func missingFieldsAreProto3Defaults() throws {
        let answer = try decode(EtcdRangeResponse.self, #"{"header":{"revision":"1"}}"#)
        #expect(answer.keyValues.isEmpty)
        #expect(answer.count == 0)
        #expect(answer.header.memberID == 0)
        let put = try decode(EtcdPutResponse.self, "{}")
        #expect(put.header == EtcdResponseHeader())
        #expect(put.previousKeyValue == nil)
    }

    @Test func numbersAreAcceptedAsJSONNumbersToo() throws {
        let header = try decode(EtcdResponseHeader.self, #"{"revision":12,"raft_term":"3"}"#)
        #expect(header.revision == 12)
        #expect(header.raftTerm == 3)
    }

    @Test func aNumberThatIsNotOneIsAnError() {
        #expect(throws: DecodingError.self) {
            try decode(EtcdResponseHeader.self, #"{"revision":"12abc"}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(EtcdKeyValue.self, #"{"key":"not base64!"}"#)
        }
    }

    @Test func statusNamesTheLeaderAndFallsBackToTheRaftIndex() throws {
        let status = try decode(EtcdStatus.self, """
            {"header":{"member_id":"2"},"version":"3.4.23","dbSize":"20480","leader":"3",\
            "raftIndex":"42","raftTerm":"5"}
            """)
        #expect(status.memberID == 2)
        #expect(status.leaderID == 3)
        #expect(status.version == "3.4.23")
        #expect(status.databaseBytes == 20_480)
        #expect(status.raftTerm == 5)
        #expect(status.raftAppliedIndex == 42, "3.3 and older send no raftAppliedIndex")
        let newer = try decode(EtcdStatus.self, #"{"raftIndex":"42","raftAppliedIndex":"40"}"#)
        #expect(newer.raftAppliedIndex == 40)
    }

    @Test func bytesShowAsTextWhenTheyAreUTF8() {
        #expect(EtcdBytes("x=1").text == "x=1")
        #expect(EtcdBytes([0xFF, 0xFE]).text == nil)
        #expect(EtcdBytes([0xFF, 0xFE]).description == "//4=")
        #expect(EtcdBytes(base64: "//4=") == EtcdBytes([0xFF, 0xFE]))
        #expect(EtcdBytes(base64: "%%") == nil)
    }
}
