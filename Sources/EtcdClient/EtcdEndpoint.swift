/// Where one etcd member serves clients: its client URL's host and port (plain http).
public struct EtcdEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, the HTTP authority.
    public var description: String { "\(host):\(port)" }

    /// Parses a comma-separated list of `http://HOST:PORT` or `HOST:PORT` (etcdctl's
    /// `--endpoints`); a trailing slash is allowed, https is refused (only http is spoken).
    /// - Throws: `EtcdError.invalidEndpoint` naming the item that does not parse, or when the
    ///   list is empty.
    public static func list(_ text: String) throws(EtcdError) -> [EtcdEndpoint] {
        var endpoints: [EtcdEndpoint] = []
        for item in text.split(separator: ",") {
            endpoints.append(try EtcdEndpoint(parsing: String(item)))
        }
        guard !endpoints.isEmpty else { throw .invalidEndpoint("--endpoints lists no endpoint") }
        return endpoints
    }

    /// Parses one `http://HOST:PORT` or `HOST:PORT`.
    public init(parsing item: String) throws(EtcdError) {
        var rest = Substring(item).drop { $0 == " " }
        while rest.last == " " { rest.removeLast() }
        if rest.hasPrefix("https://") { throw .invalidEndpoint("\(rest): only http:// is supported") }
        if rest.hasPrefix("http://") { rest.removeFirst("http://".count) }
        while rest.hasSuffix("/") { rest.removeLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65_535).contains(port), colon > rest.startIndex
        else { throw .invalidEndpoint("\(item) is not HOST:PORT or http://HOST:PORT") }
        self.init(host: String(rest[..<colon]), port: port)
    }
}
