import EtcdBackend
import Testing

/// Heads as etcd 3.4.23 sends them (captured from a member dialling a listener).
enum Heads {
    static let memberA = "581bc0976fc55bb9"
    static let memberB = "8eca65457f98811"

    static func stream(_ type: String, from: String = memberA, pathID: String = memberA) -> String {
        "GET /raft/stream/\(type)/\(pathID) HTTP/1.1\r\nHost: 127.0.0.1:23890\r\n"
            + "User-Agent: Go-http-client/1.1\r\nX-Etcd-Cluster-Id: b1d69f027de39eca\r\n"
            + "X-Raft-To: \(memberB)\r\nX-Server-From: \(from)\r\nX-Server-Version: 3.4.23\r\n"
            + "Accept-Encoding: gzip\r\n\r\n"
    }

    static func post(_ path: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:23890\r\nContent-Length: 46\r\n"
            + "Content-Type: application/protobuf\r\nX-Server-From: \(memberA)\r\n\r\n"
    }

    static func parsed(_ text: String) throws -> PeerRequestHead {
        guard case .complete(let head, _) = PeerRequestHead.parse(Array(text.utf8)) else {
            throw Failure("did not parse: \(text)")
        }
        return head
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite struct PeerRequestHeadTests {
    @Test func aHeadIsCompleteOnlyAtItsBlankLine() throws {
        let text = Heads.post("/raft")
        let bytes = Array(text.utf8) + [8, 5, 16]
        #expect(PeerRequestHead.parse(bytes.prefix(text.utf8.count - 2)) == .incomplete)
        guard case .complete(let head, let count) = PeerRequestHead.parse(bytes) else {
            Issue.record("no head")
            return
        }
        // The body's first bytes are not part of the head.
        #expect(count == text.utf8.count)
        #expect(head.method == "POST")
        #expect(head.path == "/raft")
        #expect(head.headers["x-server-from"] == Heads.memberA)
    }

    @Test func somethingElseIsMalformed() {
        guard case .malformed = PeerRequestHead.parse(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)) else {
            Issue.record("accepted a non-HTTP line")
            return
        }
        let endless = [UInt8](repeating: 65, count: PeerRequestHead.maximumBytes + 10)
        guard case .malformed = PeerRequestHead.parse(endless) else {
            Issue.record("buffered without bound")
            return
        }
    }
}

@Suite struct PeerAttributionTests {
    @Test func aStreamDialledByACarriesBsMessagesToA() throws {
        for type in ["msgapp", "message"] {
            let attribution = try #require(PeerAttribution.of(try Heads.parsed(Heads.stream(type))))
            #expect(attribution.dialerID == 0x581b_c097_6fc5_5bb9)
            #expect(attribution.targetID == 0x8eca_6545_7f98_811)
            #expect(attribution.carryingHalf == .response)
            // A (node 1) dialled B's listener (node 2): the messages go from 2 to 1.
            let link = attribution.link(dialer: 1, listener: 2)
            #expect(link.from == 2 && link.to == 1)
        }
    }

    @Test func aPostDialledByACarriesAsMessagesToB() throws {
        for (path, kind) in [("/raft", PeerAttribution.Kind.pipeline), ("/raft/snapshot", .snapshot)] {
            let attribution = try #require(PeerAttribution.of(try Heads.parsed(Heads.post(path))))
            #expect(attribution.kind == kind)
            #expect(attribution.carryingHalf == .request)
            let link = attribution.link(dialer: 1, listener: 2)
            #expect(link.from == 1 && link.to == 2)
        }
    }

    @Test func probesAndForgeriesAreNotRaftTraffic() throws {
        let probe = "GET /raft/probing HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(PeerAttribution.of(try Heads.parsed(probe)) == nil)
        let version = "GET /version HTTP/1.1\r\nX-Server-From: \(Heads.memberA)\r\n\r\n"
        #expect(PeerAttribution.of(try Heads.parsed(version)) == nil)
        // The path and the header must name the same dialler.
        let mismatch = Heads.stream("message", pathID: Heads.memberB)
        #expect(PeerAttribution.of(try Heads.parsed(mismatch)) == nil)
    }
}

@Suite struct PeerRequestFramerTests {
    @Test func aReusedConnectionIsAttributedRequestByRequest() throws {
        var framer = PeerRequestFramer()
        let probe = "GET /raft/probing HTTP/1.1\r\nHost: x\r\n\r\n"
        // A pipeline POST on the same kept-alive connection, its 46-byte body split across reads.
        let post = Array(Heads.post("/raft").utf8) + [UInt8](repeating: 7, count: 46)
        let events = framer.feed(Array(probe.utf8) + post.prefix(post.count - 10))
        #expect(events.count == 2)
        guard case .head(let second) = try #require(events.last) else {
            Issue.record("no second head")
            return
        }
        #expect(PeerAttribution.of(second)?.kind == .pipeline)
        #expect(framer.feed(post.suffix(10)).isEmpty)
        // The body was skipped exactly: the next request's head is found.
        guard case .head(let third)? = framer.feed(Array(Heads.post("/raft/snapshot").utf8)).first else {
            Issue.record("lost the request after the body")
            return
        }
        #expect(PeerAttribution.of(third)?.kind == .snapshot)
    }

    @Test func aChunkedBodyCannotBeFollowed() {
        var framer = PeerRequestFramer()
        let head = "POST /raft/snapshot HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Server-From: 1\r\n\r\n"
        let events = framer.feed(Array(head.utf8) + Array("5\r\nhello\r\n".utf8))
        #expect(events.count == 2)
        #expect(events.last == .unfollowable)
        #expect(framer.feed(Array("GET /version HTTP/1.1\r\n\r\n".utf8)).isEmpty)
    }
}
