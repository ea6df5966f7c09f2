import CShims
import Foundation
import NIOCore

/// Who is on the other end of a Unix socket (SO_PEERCRED): the kernel's word, not the peer's.
public enum PeerCredentials {
    /// A connection from another user, refused.
    public struct Refused: Error, CustomStringConvertible {
        public var uid: uid_t
        public var pid: pid_t
        public var description: String { "refused a connection from uid \(uid) (pid \(pid)): not our user" }
    }

    /// Succeeds when the peer runs as our user; fails (so the channel is closed) otherwise. The run
    /// directory (0700) and the socket (0600) already keep other users out; this holds even if those
    /// permissions were loosened.
    public static func requireSameUser(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(Refused(uid: uid_t.max, pid: 0))
        }
        let future: EventLoopFuture<cd_peer_credentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.flatMapThrowing { credentials in
            guard credentials.uid == getuid() else {
                throw Refused(uid: credentials.uid, pid: pid_t(credentials.pid))
            }
        }
    }
}
