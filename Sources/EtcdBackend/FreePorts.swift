import Foundation

/// Free TCP ports on 127.0.0.1, found by binding port 0 (another process could take one before
/// etcd binds it; etcd then fails to start and says so in its log).
public enum FreePorts {
    /// `count` distinct ports, each free when it was picked.
    public static func pick(count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw EtcdStartError("socket() failed: \(errno)") }
            sockets.append(descriptor)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    bind(descriptor, generic, length) == 0
                        && getsockname(descriptor, generic, &length) == 0
                }
            }
            guard bound else { throw EtcdStartError("cannot find a free port on 127.0.0.1") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}
