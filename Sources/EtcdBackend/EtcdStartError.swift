/// etcd members could not be started or reached, in one line for the command line.
public struct EtcdStartError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
