import Raft
import Wire

/// `Frame(decoding:)` on one payload, and the properties its result must have.
enum PayloadCheck {
    static func check(_ payload: [UInt8]) -> FuzzOutcome {
        let frame: Frame
        do {
            frame = try Frame(decoding: payload)
        } catch {
            if error.description.isEmpty { return .violation("a WireError without a description") }
            if payload.first == FrameKind.peer.rawValue,
               let problem = peerRefusalProblem(Array(payload.dropFirst())) {
                return .violation(problem)
            }
            return .refused(OutcomeLabel.normalize(error.description))
        }
        if let problem = roundTripProblem(frame, payload: payload) { return .violation(problem) }
        return .accepted("\(frame.kind)")
    }

    private static func roundTripProblem(_ frame: Frame, payload: [UInt8]) -> String? {
        let encoded = frame.encoded()
        guard case .peer(let message) = frame else {
            guard let again = try? Frame(decoding: encoded), again == frame else {
                return "\(frame.kind) frame does not survive encoding and decoding again: "
                    + String(decoding: encoded.dropFirst(), as: UTF8.self)
            }
            return nil
        }
        let body = Array(payload.dropFirst())
        guard encoded == payload else {
            return "peer body decodes to \(message) but re-encodes to other bytes (not canonical)"
        }
        guard (try? PeerCodec.routingHeader(body)) == RoutingHeader(message) else {
            return "routing header of a decodable \(message.body.name) does not match the message"
        }
        guard (try? PeerCodec.routingHeader(body.lazy.map { $0 })) == RoutingHeader(message) else {
            return "routing header read from scattered bytes differs from the contiguous one"
        }
        let viaPointer = body.withUnsafeBytes { raw in try? PeerCodec.decode(raw) }
        guard viaPointer == message else {
            return "decoding from a raw buffer gives \(String(describing: viaPointer)), "
                + "from an array \(message)"
        }
        return nil
    }

    /// A body `PeerCodec.decode` refused: the raw-buffer path must refuse it too, and a header
    /// the fabric can read must be read the same from scattered bytes.
    private static func peerRefusalProblem(_ body: [UInt8]) -> String? {
        let viaPointer = body.withUnsafeBytes { raw in try? PeerCodec.decode(raw) }
        if let viaPointer {
            return "the raw-buffer decoder accepted what the array one refused: \(viaPointer)"
        }
        let contiguous = try? PeerCodec.routingHeader(body)
        let scattered = try? PeerCodec.routingHeader(body.lazy.map { $0 })
        guard contiguous == scattered else {
            return "routing header from contiguous bytes \(String(describing: contiguous)), "
                + "from scattered bytes \(String(describing: scattered))"
        }
        return nil
    }
}
