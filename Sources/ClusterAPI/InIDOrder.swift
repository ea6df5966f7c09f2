/// Encodes a dictionary keyed by number in key order. JSON encoders write such a dictionary as an
/// array of alternating keys and values in the dictionary's own order, which changes from process to
/// process (hashing is seeded per process): a journal of the same simulated run would then differ
/// byte for byte. The encoded shape is the usual one, so it decodes as a plain dictionary.
@propertyWrapper
public struct InIDOrder<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: [UInt64: Value]

    public init(wrappedValue: [UInt64: Value]) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try [UInt64: Value](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for key in wrappedValue.keys.sorted() {
            try container.encode(key)
            try container.encode(wrappedValue[key]!)
        }
    }
}
