import Testing
@testable import NodeRuntime

/// Replays `bytes` as a whole log that recovery must refuse as corrupt from its first record, and
/// returns the reason it gave; records an issue (and returns nil) for any other outcome.
func corruptionReason(replaying bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    var mirror = LogMirror()
    let error = #expect(throws: WALError.self, sourceLocation: sourceLocation) {
        _ = try Replay.run(bytes, path: "log", into: &mirror)
    }
    guard case .corrupt(_, 0, let reason) = error else {
        Issue.record("got \(String(describing: error))", sourceLocation: sourceLocation)
        return nil
    }
    return reason
}
