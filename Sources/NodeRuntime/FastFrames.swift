import Raft
import Services
import Wire

/// Hand-written JSON for the two frames a write costs per operation — the client's put request and
/// the "ok" answer (the command stored in the log is `Services.CommandCodec`'s) — byte for byte what `JSONEncoder` with
/// sorted keys produces (and what the console sends). Foundation's coder costs 5–10 µs per call,
/// which at thousands of writes a second was half of a leader's CPU.
///
/// Every function is a fast path only: anything that is not exactly the canonical shape with plain
/// strings (printable ASCII without `"`, `\` or `/`, which JSONEncoder would escape) returns nil,
/// and the caller uses the general coder, so the protocol accepts and produces the same JSON as
/// before. `FastFramesTests` checks the equivalence.
enum FastFrames {
    // MARK: Client request (console → node)

    /// Decodes `{"operation":{"write":{"_0":{"put":{"key":K,"value":V}}}},"requestID":N,
    /// "session":{"clientID":N,"sequence":N}}`; nil for any other shape.
    static func clientRequest(_ body: UnsafeRawBufferPointer) -> ClientRequestFrame? {
        var cursor = JSONCursor(body)
        guard cursor.literal(#"{"operation":{"write":{"_0":{"put":{"key":"#),
              let key = cursor.plainString(),
              cursor.literal(#","value":"#), let value = cursor.plainString(),
              cursor.literal(#"}}}},"requestID":"#), let requestID = cursor.unsigned(),
              let session = cursor.session(), cursor.literal("}"), cursor.atEnd
        else { return nil }
        return ClientRequestFrame(requestID: requestID, session: session,
                                  operation: .write(.put(key: key, value: value)))
    }

    // MARK: Client response (node → console)

    /// The `clientResponse` payload (kind byte included) for an `ok` outcome; nil for others.
    static func okResponse(requestID: UInt64, value: String?, index: LogIndex) -> [UInt8]? {
        guard index >= 0, value.map(CommandCodec.isPlain) ?? true else { return nil }
        var bytes: [UInt8] = [FrameKind.clientResponse.rawValue]
        bytes.reserveCapacity((value?.utf8.count ?? 0) + 64)
        bytes += #"{"outcome":{"ok":{"index":"#.utf8
        bytes += String(index).utf8
        if let value {
            bytes += #","value":""#.utf8
            bytes += value.utf8
            bytes += #"""#.utf8
        }
        bytes += #"}},"requestID":"#.utf8
        bytes += String(requestID).utf8
        bytes += "}".utf8
        return bytes
    }
}
