/// Finds each request head in the dialler's half of a peer connection. Go's HTTP client keeps
/// connections alive and reuses an idle one for the next request to the same member, whatever it
/// is: a connection opened for a probe (`GET /raft/probing`, no sender named) may carry a pipeline
/// `POST /raft` next. So every request is attributed anew, not just the first. Pure: fed bytes,
/// it returns the heads that completed.
public struct PeerRequestFramer: Sendable {
    private enum Position: Sendable {
        /// Reading a head; the bytes so far.
        case head([UInt8])
        /// Inside a body with this many bytes to go.
        case body(Int)
        /// No longer followed: a body of unknown length (chunked) or a malformed head.
        case lost
    }

    private var position = Position.head([])

    public init() {}

    /// What the bytes fed so far revealed.
    public enum Event: Equatable, Sendable {
        case head(PeerRequestHead)
        /// A body of unknown length (a snapshot's chunked upload): later requests on the
        /// connection cannot be found, so it stays attributed to this one.
        case unfollowable
        /// Not HTTP requests: the connection should close.
        case malformed(String)
    }

    /// Takes the next bytes of the request half.
    /// - Returns: the heads they completed, in order, then why the rest cannot be followed.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Event] {
        var rest = Array(bytes)[...]
        var events: [Event] = []
        while !rest.isEmpty {
            switch position {
            case .lost:
                return events
            case .body(let remaining):
                let taken = min(remaining, rest.count)
                rest = rest.dropFirst(taken)
                position = remaining == taken ? .head([]) : .body(remaining - taken)
            case .head(let sofar):
                let buffer = sofar + rest
                switch PeerRequestHead.parse(buffer) {
                case .incomplete:
                    position = .head(buffer)
                    return events
                case .malformed(let why):
                    position = .lost
                    return events + [.malformed(why)]
                case .complete(let head, let count):
                    events.append(.head(head))
                    rest = buffer[count...]
                    if head.headers["transfer-encoding"].map({ $0.lowercased() != "identity" }) == true {
                        position = .lost
                        return events + [.unfollowable]
                    }
                    let length = head.headers["content-length"].flatMap { Int($0) } ?? 0
                    position = length > 0 ? .body(length) : .head([])
                }
            }
        }
        return events
    }
}
