import Testing
@testable import EtcdClient

/// How an HTTP answer becomes a value or an `EtcdError`, without an etcd.
@Suite struct EtcdAnswerTests {
    private func reply(_ status: Int, _ body: String) -> HTTPReply {
        HTTPReply(status: status, body: Array(body.utf8))
    }

    @Test func anEtcdErrorBodyBecomesAServerError() {
        let answer = reply(503, #"{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}"#)
        #expect(throws: EtcdError.server(httpStatus: 503, code: 14, message: "etcdserver: no leader")) {
            try EtcdConnection.response(to: EtcdPutRequest.self, from: answer)
        }
    }

    @Test func aBodyWithOnlyMessageIsAServerErrorToo() {
        let answer = reply(400, #"{"code":3,"message":"etcdserver: request is too large"}"#)
        #expect(throws: EtcdError.server(httpStatus: 400, code: 3,
                                         message: "etcdserver: request is too large")) {
            try EtcdConnection.response(to: EtcdRangeRequest.self, from: answer)
        }
    }

    @Test func anythingElseIsAnHTTPErrorWithItsBody() {
        #expect(throws: EtcdError.http(status: 404, body: "404 page not found")) {
            try EtcdConnection.response(to: EtcdStatusRequest.self, from: reply(404, "404 page not found"))
        }
        #expect(EtcdError.http(status: 404, body: "gone").description == "etcd: HTTP 404 gone")
    }

    @Test func aSuccessfulAnswerThatDoesNotDecodeNamesThePath() throws {
        let error = try #require(throws: EtcdError.self) {
            try EtcdConnection.response(to: EtcdRangeRequest.self, from: reply(200, "[]"))
        }
        guard case .malformedAnswer(let path, _) = error else {
            Issue.record("expected malformedAnswer, got \(error)")
            return
        }
        #expect(path == "/v3/kv/range")
    }

    @Test func aSuccessfulAnswerDecodes() throws {
        let answer = try EtcdConnection.response(
            to: EtcdPutRequest.self, from: reply(200, #"{"header":{"revision":"9"}}"#))
        #expect(answer.header.revision == 9)
    }
}
