import ClusterAPI
import Foundation
import Raft
import Services

/// The first byte of every frame's payload (after the 4-byte big-endian length the transport adds).
public enum FrameKind: UInt8, Sendable, CaseIterable {
    /// A Raft message between nodes, binary (see `PeerCodec`); the console's fabric forwards it.
    case peer = 1
    /// Console → node: a client operation (JSON `ClientRequestFrame`).
    case clientRequest = 2
    /// Node → console: its answer (JSON `ClientResponseFrame`).
    case clientResponse = 3
    /// Node → console: its observable state (JSON `NodeStateFrame`), sent on change, coalesced.
    case state = 4
    /// Node → console: something that happened (JSON `NodeEventFrame`).
    case event = 5
    /// Console → node: pace, freeze, thaw, campaign, shutdown (JSON `ControlFrame`).
    case control = 6
    /// Either way: a frame was refused (JSON `ErrorFrame`); the connection stays open.
    case error = 7
}

/// The largest frame either side accepts; larger ones are refused and the connection closed.
public let maximumFrameBytes = 16 * 1024 * 1024

/// A frame that could not be understood.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// One decoded frame.
public enum Frame: Sendable, Equatable {
    case peer(Message)
    case clientRequest(ClientRequestFrame)
    case clientResponse(ClientResponseFrame)
    case state(NodeStateFrame)
    case event(NodeEventFrame)
    case control(ControlFrame)
    case error(ErrorFrame)

    public var kind: FrameKind {
        switch self {
        case .peer: .peer
        case .clientRequest: .clientRequest
        case .clientResponse: .clientResponse
        case .state: .state
        case .event: .event
        case .control: .control
        case .error: .error
        }
    }

    /// The payload: kind byte, then the body.
    public func encoded() -> [UInt8] {
        let body: [UInt8]
        switch self {
        // A peer message, nearly every frame, is written in one allocation behind its kind byte.
        case .peer(let message): return PeerCodec.encode(message, prefixedBy: kind.rawValue)
        case .clientRequest(let value): body = JSONFrames.encode(value)
        case .clientResponse(let value): body = JSONFrames.encode(value)
        case .state(let value): body = JSONFrames.encode(value)
        case .event(let value): body = JSONFrames.encode(value)
        case .control(let value): body = JSONFrames.encode(value)
        case .error(let value): body = JSONFrames.encode(value)
        }
        return [kind.rawValue] + body
    }

    /// Decodes a payload in memory the caller owns (a NIO buffer's readable bytes), as
    /// `init(decoding:)` does any collection: a peer message — nearly every frame a node reads — is
    /// read in place, rather than copied out byte by byte through the generic collection first.
    public init(decoding raw: UnsafeRawBufferPointer) throws(WireError) {
        guard raw.first == FrameKind.peer.rawValue else {
            try self.init(decoding: Array(raw))
            return
        }
        self = .peer(try PeerCodec.decode(UnsafeRawBufferPointer(rebasing: raw.dropFirst())))
    }

    /// Decodes a payload; malformed input is an error, never a crash.
    public init(decoding bytes: some Collection<UInt8>) throws(WireError) {
        guard let first = bytes.first else { throw WireError("empty frame") }
        guard let kind = FrameKind(rawValue: first) else { throw WireError("unknown frame kind \(first)") }
        let body = Array(bytes.dropFirst())
        switch kind {
        case .peer: self = .peer(try PeerCodec.decode(body))
        case .clientRequest: self = .clientRequest(try JSONFrames.decode(body))
        case .clientResponse: self = .clientResponse(try JSONFrames.decode(body))
        case .state: self = .state(try JSONFrames.decode(body))
        case .event: self = .event(try JSONFrames.decode(body))
        case .control: self = .control(try JSONFrames.decode(body))
        case .error: self = .error(try JSONFrames.decode(body))
        }
    }
}

enum JSONFrames {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Plain value types: encoding cannot fail.
        return (try? Array(encoder.encode(value))) ?? []
    }

    static func decode<T: Decodable>(_ bytes: [UInt8]) throws(WireError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw WireError("bad \(T.self) JSON: \(error)")
        }
    }
}

// MARK: Client

/// A client operation sent to one node: the services' own request type (`Services.ClientRequest`),
/// which the node loop takes as it arrives.
public typealias ClientRequestFrame = ClientRequest

/// A node's answer to a client operation: the node loop's `Services.ClientReply` as it is.
public typealias ClientResponseFrame = ClientReply

// MARK: State and events

/// What a node shows the console: ClusterAPI's `NodeState` itself, so the frame a node sends is the
/// value the console, the journal and every other front end hold (one definition, no copying). The
/// node runtime fills it from the Raft core and the services.
public typealias NodeStateFrame = NodeState

/// Something that happened on a node: ClusterAPI's `NodeEvent` as it is.
public typealias NodeEventFrame = NodeEvent

extension NodeEventFrame {
    /// The event a node publishes as it sends `message`, when the message needs one: a vote refused
    /// because of a leader's lease. A candidate already in a newer term drops that refusal unread, so
    /// without this event nobody would learn why the campaign went nowhere.
    public static func explaining(_ message: Message) -> NodeEventFrame? {
        guard case .refused(.leaderLease(let leader))? = message.body.voteAnswer else { return nil }
        let request = if case .preVoteResponse = message.body { "pre-vote" } else { "vote" }
        let lease = leader == message.from
            ? "it leads and its lease holds (check-quorum)"
            : "it heard from leader n\(leader) within an election timeout (the leader's lease)"
        return NodeEventFrame(kind: .election, text: "refused n\(message.to)'s \(request): \(lease)",
                              term: message.term)
    }
}

/// A command from the console to a node.
public enum ControlFrame: Codable, Sendable, Equatable {
    /// Milliseconds per tick (heartbeat and election timeout are counted in ticks).
    case pace(tickMs: Int)
    /// Stop the node's clock (no ticks) until `thaw`.
    case freeze
    case thaw
    /// Fire the election timer now.
    case campaign
    /// Switch pre-vote, check-quorum and fsync.
    case settings(preVote: Bool, checkQuorum: Bool, fsync: Bool)
    /// Run the node's clock `factor` times as fast (1 = normal).
    case skew(factor: Double)
    /// Exit cleanly.
    case shutdown
}

/// Why a frame was refused.
public struct ErrorFrame: Codable, Sendable, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }
}
