/// The four targets issue 9 names, by the names `clusterdeck fuzz` takes.
public enum FuzzTargets {
    /// Every target name, in the order `all` runs them.
    public static let names = ["frame", "command", "scenario", "wal"]

    /// A target by name.
    /// - Parameter name: one of `names`.
    /// - Returns: the target, or nil for an unknown name.
    /// - Throws: when the target's corpus cannot be built (the WAL target writes real logs).
    public static func target(named name: String) throws -> (any FuzzTarget)? {
        switch name {
        case "frame": FrameTarget()
        case "command": CommandTarget()
        case "scenario": ScenarioTarget()
        case "wal": try WALTarget()
        default: nil
        }
    }
}
