import NIOCore
import Raft
import Wire

/// The nodes behind the engine: node processes (`NodeSupervisor`) or the simulated cluster's
/// in-process nodes (`InProcessHost`). The engine, the router and the clients see only this.
/// Every method runs on the engine's loop.
protocol NodeHost: AnyObject {
    var nodeCount: Int { get }
    var nodes: [NodeProcess] { get }
    /// The settings new and restarted nodes get (`set`, `pace`).
    var settings: NodeSettings { get set }
    var delegate: (any NodeSupervisorDelegate)? { get set }

    func node(_ id: NodeID) -> NodeProcess
    /// Whether frames reach node `id` now.
    func isConnected(_ id: NodeID) -> Bool
    /// Starts node `id` on what its disk holds.
    func startNode(_ id: NodeID)
    /// Kills node `id` at once; it is DOWN on return, and the future succeeds once it is gone.
    func killNode(_ id: NodeID) -> EventLoopFuture<Void>
    /// Stops node `id`'s clock and message handling; what it answers, in words.
    func pause(_ id: NodeID) -> String
    func resume(_ id: NodeID) -> String
    /// Kills node `id`, waits until it is gone, and starts it again (on an empty disk when `wipe`).
    func restart(_ id: NodeID, wipe: Bool) -> EventLoopFuture<String>
    /// Sends a frame of the console's to node `id`.
    func send(_ frame: Frame, to id: NodeID)
    /// Hands a peer message, as its sender encoded it, to node `id`; what became of it.
    func deliver(_ payload: ByteBuffer, to id: NodeID) -> MessageFate
    /// A node's connection closed (only node processes have one).
    func connectionClosed(node id: NodeID, generation: Int)
    /// Every node as the console sees it now.
    func views() -> [NodeView]
    /// Brings the views up to the nodes' state now, where the host can read it directly (in-process
    /// nodes); node processes tell their state in frames, and nothing changes.
    func refreshStates()
    /// Stops every node; the future succeeds once all are gone. Idempotent.
    func shutdown() -> EventLoopFuture<Void>
}
