/// How long a tick is and how many ticks make a heartbeat and an election timeout. A back end
/// reports its timing in the summary; the node process runs its clock by it.
public struct Timing: Sendable, Equatable, Codable {
    public var tickMs: Int
    public var heartbeatTicks: Int
    public var electionTicks: Int

    public init(tickMs: Int, heartbeatTicks: Int = 5, electionTicks: Int = 15) {
        self.tickMs = tickMs
        self.heartbeatTicks = heartbeatTicks
        self.electionTicks = electionTicks
    }

    /// Slow enough for eyes to follow: heartbeat 500 ms, election timeout 1.5–3 s.
    public static let teach = Timing(tickMs: 100)
    /// The Raft paper's timing: heartbeat 50 ms, election timeout 150–300 ms.
    public static let real = Timing(tickMs: 10)

    public var heartbeatMs: Int { tickMs * heartbeatTicks }
    /// The longest an election timeout can be (the randomized range is [election, 2 × election)).
    public var maximumElectionMs: Int { 2 * tickMs * electionTicks }

    /// The same ratios with every duration multiplied by `factor` (a tick is at least 1 ms).
    public func scaled(by factor: Double) -> Timing {
        Timing(tickMs: max(1, Int((Double(tickMs) * factor).rounded())), heartbeatTicks: heartbeatTicks,
               electionTicks: electionTicks)
    }
}
