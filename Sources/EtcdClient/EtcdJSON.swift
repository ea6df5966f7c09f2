import Foundation

// The gateway's JSON conventions, in one place. etcd's v3 gateway is grpc-gateway over proto3:
// bytes fields travel as base64 strings, 64-bit integers as decimal strings (JSON numbers lose
// precision above 2^53, and lease IDs use all 64 bits), and a field holding its default value
// (0, false, empty) is left out of the answer altogether, so every read defaults a missing field.

/// Bytes as etcd's JSON carries them: a base64 string.
public struct EtcdBytes: Sendable, Hashable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible {
    /// The raw bytes (keys and values are arbitrary bytes to etcd).
    public var bytes: [UInt8]

    /// Wraps raw bytes.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The UTF-8 bytes of `text`.
    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public init(stringLiteral text: String) {
        self.init(text)
    }

    /// The bytes as UTF-8 text, or nil when they are not valid UTF-8.
    public var text: String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The bytes in base64, as they go over the wire.
    public var base64: String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes base64 text; nil when it is not base64.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        bytes = Array(data)
    }

    public var description: String {
        text ?? base64
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let decoded = EtcdBytes(base64: text) else {
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "not base64: \(text)")
        }
        self = decoded
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base64)
    }
}

extension KeyedDecodingContainer {
    /// A 64-bit integer the gateway sends as a string (or, from other encoders, as a number);
    /// 0 when the field is missing, as proto3 leaves defaults out.
    func etcdInteger<Integer: FixedWidthInteger & Decodable>(
        _ key: Key, as type: Integer.Type = Integer.self
    ) throws -> Integer {
        guard contains(key), try !decodeNil(forKey: key) else { return 0 }
        if let text = try? decode(String.self, forKey: key) {
            guard let value = Integer(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: self, debugDescription: "not a \(Integer.self): \(text)")
            }
            return value
        }
        return try decode(Integer.self, forKey: key)
    }

    /// Base64 bytes; empty when the field is missing.
    func etcdBytes(_ key: Key) throws -> EtcdBytes {
        try decodeIfPresent(EtcdBytes.self, forKey: key) ?? EtcdBytes([])
    }

    /// A flag; false when the field is missing.
    func etcdFlag(_ key: Key) throws -> Bool {
        try decodeIfPresent(Bool.self, forKey: key) ?? false
    }

    /// A nested message or list that proto3 leaves out when it is empty.
    func etcdOptional<Value: Decodable>(_ type: Value.Type, _ key: Key) throws -> Value? {
        try decodeIfPresent(type, forKey: key)
    }
}

extension KeyedEncodingContainer {
    /// Writes a 64-bit integer as a decimal string; leaves 0 out, as proto3 does.
    mutating func encodeEtcdInteger(_ value: some FixedWidthInteger, forKey key: Key) throws {
        guard value != 0 else { return }
        try encode(String(value), forKey: key)
    }

    /// Writes bytes as base64; leaves empty bytes out.
    mutating func encodeEtcdBytes(_ value: EtcdBytes, forKey key: Key) throws {
        guard !value.bytes.isEmpty else { return }
        try encode(value, forKey: key)
    }

    /// Writes a flag; leaves false out.
    mutating func encodeEtcdFlag(_ value: Bool, forKey key: Key) throws {
        guard value else { return }
        try encode(value, forKey: key)
    }
}

/// Turns requests into request bodies and answers into values.
enum EtcdJSON {
    static func encode(_ request: some Encodable) throws -> [UInt8] {
        Array(try JSONEncoder().encode(request))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from body: [UInt8]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body))
    }
}
