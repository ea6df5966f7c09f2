/// Why an etcd request failed.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// etcd answered with an error: its gRPC code and message (e.g. code 3 and
    /// "etcdserver: request is too large", code 14 "etcdserver: no leader" — retryable).
    case server(httpStatus: Int, code: Int, message: String)
    /// A non-200 answer whose body is not etcd's error object (a proxy, a wrong port).
    case http(status: Int, body: String)
    /// The connection failed or closed before the answer came.
    case connection(String)
    /// A 200 answer whose body is not the JSON this request expects.
    case malformedAnswer(path: String, reason: String)
    /// A request that could not be encoded.
    case malformedRequest(String)
    /// An endpoint that does not parse.
    case invalidEndpoint(String)

    public var description: String {
        switch self {
        case .server(let status, let code, let message):
            "etcd: HTTP \(status), code \(code): \(message)"
        case .http(let status, let body):
            "etcd: HTTP \(status) \(body)"
        case .connection(let reason):
            "etcd: \(reason)"
        case .malformedAnswer(let path, let reason):
            "etcd: unexpected answer to \(path): \(reason)"
        case .malformedRequest(let reason):
            "etcd: cannot encode the request: \(reason)"
        case .invalidEndpoint(let reason):
            reason
        }
    }

    /// The error a non-200 answer stands for: etcd's own error object when the body is one.
    static func answer(status: Int, body: [UInt8]) -> EtcdError {
        if let object = try? EtcdJSON.decode(EtcdErrorBody.self, from: body) {
            return .server(httpStatus: status, code: object.code, message: object.message)
        }
        return .http(status: status, body: String(decoding: body, as: UTF8.self))
    }
}

/// The gateway's error object: `{"error": "...", "code": 14, "message": "..."}` (3.4 sends both
/// `error` and `message`; newer gateways only `message`).
struct EtcdErrorBody: Decodable, Sendable {
    var code: Int
    var message: String

    enum CodingKeys: String, CodingKey {
        case code, message, error
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(Int.self, forKey: .code) ?? 0
        guard let message = try container.decodeIfPresent(String.self, forKey: .message)
            ?? container.decodeIfPresent(String.self, forKey: .error)
        else {
            throw DecodingError.keyNotFound(CodingKeys.message, .init(
                codingPath: container.codingPath, debugDescription: "neither message nor error"))
        }
        self.message = message
    }
}
