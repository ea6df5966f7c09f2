/// What a proxy between members saw on one directed link: connections and bytes, not messages. A
/// back end whose peer traffic the console relays without decoding it (etcd's) reports these, and
/// the timeline shows them instead of message arrows, so nothing is invented.
public struct LinkTraffic: Sendable, Equatable, Codable {
    public var from: Int
    public var to: Int
    /// Connections opened whose messages travel this way.
    public var connections: Int
    public var bytes: Int
    /// Connections refused or closed because the link was cut.
    public var blocked: Int
    /// Bytes a second over the last moment (about a quarter second).
    public var bytesPerSecond: Int

    /// Creates a link's traffic.
    public init(from: Int, to: Int, connections: Int = 0, bytes: Int = 0, blocked: Int = 0, bytesPerSecond: Int = 0) {
        self.from = from
        self.to = to
        self.connections = connections
        self.bytes = bytes
        self.blocked = blocked
        self.bytesPerSecond = bytesPerSecond
    }
}

extension Int {
    /// "512 B", "20 KB", "3.4 MB": a byte count for a narrow column.
    public var byteText: String {
        if self < 1_024 { return "\(self) B" }
        if self < 1_024 * 1_024 { return "\(self / 1_024) KB" }
        let tenths = self * 10 / (1_024 * 1_024)
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
