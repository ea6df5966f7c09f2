/// The head of an HTTP request one etcd member sent to another's peer listener: what the proxy
/// reads before it forwards a connection, to learn who dialled and which way messages flow.
public struct PeerRequestHead: Equatable, Sendable {
    /// Most bytes a head may take: etcd's peer heads are a few hundred bytes; anything longer is
    /// not etcd's peer traffic, and the proxy must not buffer without bound.
    public static let maximumBytes = 16 * 1_024

    public var method: String
    /// The request target without a query ("/raft/stream/msgapp/8e9e05c52164694d").
    public var path: String
    /// Header values by lowercased name (the last one wins when a name repeats).
    public var headers: [String: String]

    public init(method: String, path: String, headers: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.headers = headers
    }

    /// What the bytes read so far hold.
    public enum Parse: Equatable, Sendable {
        /// The head has not ended yet: read more.
        case incomplete
        /// The head, and how many bytes it took (its blank line included).
        case complete(PeerRequestHead, byteCount: Int)
        /// Not an HTTP request head, or longer than `maximumBytes`.
        case malformed(String)
    }

    /// Parses the start of a connection's bytes.
    /// - Parameter bytes: what the dialler sent so far.
    /// - Returns: the head once its blank line has arrived.
    public static func parse(_ bytes: some Collection<UInt8>) -> Parse {
        let bytes = Array(bytes.prefix(maximumBytes + 4))
        guard let end = headEnd(in: bytes) else {
            return bytes.count > maximumBytes ? .malformed("no end of the request head in \(maximumBytes) bytes")
                : .incomplete
        }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).makeIterator()
        let requestLine = (lines.next() ?? "").split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            return .malformed("not an HTTP/1 request line")
        }
        var headers: [String: String] = [:]
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("a header line without a colon") }
            let name = line[..<colon].lowercased()
            headers[name] = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
        }
        let target = requestLine[1]
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? target
        return .complete(PeerRequestHead(method: String(requestLine[0]), path: String(path), headers: headers),
                         byteCount: end + 4)
    }

    /// The offset of the "\r\n\r\n" that ends the head, if it has arrived.
    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// Which of a connection's two byte streams carries the Raft messages it was opened for.
public enum PeerConnectionHalf: Equatable, Sendable {
    /// What the dialler sends (a pipeline or snapshot POST's body).
    case request
    /// What the listener answers (a stream GET's endless response).
    case response
}

/// What an etcd peer connection is for, from its head (etcd's rafthttp: `X-Server-From` names the
/// dialling member, in hex; stream paths end in the dialler's id too).
public struct PeerAttribution: Equatable, Sendable {
    /// The kinds of peer request that carry Raft messages.
    public enum Kind: String, Equatable, Sendable {
        /// `GET /raft/stream/msgapp/ID`: appends, streamed from the listener to the dialler.
        case appendStream = "msgapp stream"
        /// `GET /raft/stream/message/ID`: every other message, listener to dialler.
        case messageStream = "message stream"
        /// `POST /raft`: messages the dialler sends when no stream is up.
        case pipeline
        /// `POST /raft/snapshot`: a snapshot the dialler sends.
        case snapshot
    }

    /// The dialling member's id.
    public var dialerID: UInt64
    /// The member the dialler says it is talking to (`X-Raft-To`), when it says.
    public var targetID: UInt64?
    public var kind: Kind

    public init(dialerID: UInt64, targetID: UInt64? = nil, kind: Kind) {
        self.dialerID = dialerID
        self.targetID = targetID
        self.kind = kind
    }

    /// Which half carries the messages: a stream dialled by A carries B's messages to A (the
    /// response); a POST dialled by A carries A's messages to B (the request).
    public var carryingHalf: PeerConnectionHalf {
        switch kind {
        case .appendStream, .messageStream: .response
        case .pipeline, .snapshot: .request
        }
    }

    /// The directed link the connection's messages travel on.
    /// - Parameters:
    ///   - dialer: the dialling member's node id.
    ///   - listener: the node id of the member whose listener accepted the connection.
    /// - Returns: (from, to) as node ids.
    public func link(dialer: Int, listener: Int) -> (from: Int, to: Int) {
        carryingHalf == .response ? (listener, dialer) : (dialer, listener)
    }

    /// Attributes a request head; nil for peer requests that carry no Raft messages (version and
    /// membership probes), or heads that do not name their sender.
    public static func of(_ head: PeerRequestHead) -> PeerAttribution? {
        guard let from = head.headers["x-server-from"].flatMap({ UInt64($0, radix: 16) }) else { return nil }
        let target = head.headers["x-raft-to"].flatMap { UInt64($0, radix: 16) }
        let parts = head.path.split(separator: "/")
        switch (head.method, parts.count) {
        case ("GET", 4) where parts[0] == "raft" && parts[1] == "stream":
            // The path names the dialler too; a head where the two disagree is not etcd's.
            guard UInt64(parts[3], radix: 16) == from else { return nil }
            switch parts[2] {
            case "msgapp": return PeerAttribution(dialerID: from, targetID: target, kind: .appendStream)
            case "message": return PeerAttribution(dialerID: from, targetID: target, kind: .messageStream)
            default: return nil
            }
        case ("POST", 1) where parts[0] == "raft":
            return PeerAttribution(dialerID: from, targetID: target, kind: .pipeline)
        case ("POST", 2) where parts[0] == "raft" && parts[1] == "snapshot":
            return PeerAttribution(dialerID: from, targetID: target, kind: .snapshot)
        default:
            return nil
        }
    }
}
