import ClusterAPI
import Raft

/// The fixed first 16 bytes of every encoded peer message: ClusterAPI's `MessageHeader`, which the
/// console's fabric routes, drops, delays and displays without decoding the body.
public typealias RoutingHeader = MessageHeader

extension MessageHeader {
    /// The header `PeerCodec.encode(message)` writes.
    public init(_ message: Message) {
        self.init(from: message.from, to: message.to, type: PeerMessageType(message.body), term: message.term,
                  entryCount: message.body.entryCount)
    }
}

extension PeerMessageType {
    /// The type of a body: one per `MessageBody` case.
    public init(_ body: MessageBody) {
        switch body {
        case .preVote: self = .preVote
        case .preVoteResponse: self = .preVoteResponse
        case .vote: self = .vote
        case .voteResponse: self = .voteResponse
        case .append: self = .append
        case .appendResponse: self = .appendResponse
        case .heartbeat: self = .heartbeat
        case .heartbeatResponse: self = .heartbeatResponse
        case .installSnapshot: self = .installSnapshot
        }
    }
}

/// The compact binary encoding of Raft messages, with a fixed routing header the console can read
/// without decoding the body. All integers are big-endian; docs/PROTOCOL.md has the byte tables.
///
///     header (16 bytes): version u8 = 1, from u8, to u8, type u8, term u64, entryCount u32
///     PreVote, Vote (1, 3):      lastLogIndex u64, lastLogTerm u64
///     PreVoteResp, VoteResp (2, 4): granted u8 (0 or 1); refused: [reason u8 (1…5), [node u8]]
///     Append (5):                prevLogIndex u64, prevLogTerm u64, leaderCommit u64,
///                                then entryCount × (term u64, index u64, kind u8, length u32, data)
///     AppendResp (6):            tag u8 = 0, matchIndex u64
///                              | tag u8 = 1, rejectedIndex u64, hintIndex u64, hintTerm u64
///     Heartbeat (7):             commit u64, readRound u64
///     HeartbeatResp (8):         readRound u64
///     Snapshot (9):              index u64, term u64, length u32, data
///
/// The encoding is canonical: a byte string that decodes re-encodes to the same bytes.
public enum PeerCodec {
    /// The peer layout's version, the header's first byte.
    public static let version: UInt8 = 1
    /// Bytes in the routing header.
    public static let headerSize = 16
    /// Node ids fit in one byte; 0 is not an id.
    public static let nodeIDs: ClosedRange<NodeID> = 1...255

    /// Every valid type code.
    public static let typeCodes: ClosedRange<UInt8> =
        PeerMessageType.preVote.rawValue...PeerMessageType.installSnapshot.rawValue

    // Tags of an AppendResponse body.
    static let acceptedTag: UInt8 = 0
    static let rejectedTag: UInt8 = 1

    // Codes of a refused vote's reason. A refusal without one (`.unstated`, as nodes sent before
    // reasons existed) is the bare `granted = 0` byte, so those frames still decode, canonically.
    static let staleTermCode: UInt8 = 1
    static let logBehindCode: UInt8 = 2
    static let alreadyVotedCode: UInt8 = 3
    static let hasLeaderCode: UInt8 = 4
    static let leaderLeaseCode: UInt8 = 5

    /// Smallest encoding of one entry (empty data): term, index, kind, length.
    static let minimumEntrySize = 8 + 8 + 1 + 4

    /// The header's type code for a body (`PeerMessageType` holds the one table of codes).
    public static func typeCode(of body: MessageBody) -> UInt8 {
        PeerMessageType(body).rawValue
    }

    /// The `MessageBody.name` of a type code; "Unknown(n)" for a code no body has.
    public static func typeName(_ code: UInt8) -> String {
        PeerMessageType(rawValue: code)?.name ?? "Unknown(\(code))"
    }

    // MARK: Encoding

    /// The number of bytes `encode(message)` produces.
    public static func encodedSize(of message: Message) -> Int {
        headerSize + bodySize(message.body)
    }

    static func bodySize(_ body: MessageBody) -> Int {
        switch body {
        case .preVote, .vote: 16
        case .preVoteResponse(let answer), .voteResponse(let answer): voteAnswerSize(answer)
        case .append(let request):
            request.entries.reduce(24) { $0 + minimumEntrySize + $1.data.count }
        case .appendResponse(.accepted): 9
        case .appendResponse(.rejected): 25
        case .heartbeat: 16
        case .heartbeatResponse: 8
        case .installSnapshot(let snapshot): 20 + snapshot.data.count
        }
    }

    static func voteAnswerSize(_ answer: VoteAnswer) -> Int {
        switch answer {
        case .granted, .refused(.unstated): 1
        case .refused(.staleTerm), .refused(.logBehind): 2
        case .refused(.alreadyVoted), .refused(.hasLeader), .refused(.leaderLease): 3
        }
    }

    /// Encodes a message. The message must be representable: node ids in 1...255, every term, index and
    /// read round non-negative, at most 2³²−1 entries and bytes of data per entry or snapshot. Raft never
    /// builds anything else, so a violation is a programming error and traps.
    public static func encode(_ message: Message) -> [UInt8] {
        encode(message, prefixedBy: nil)
    }

    /// `encode(message)`, after one byte (a frame's kind) when given: a frame's payload in one
    /// allocation, rather than the message's bytes copied behind the kind byte.
    static func encode(_ message: Message, prefixedBy prefix: UInt8?) -> [UInt8] {
        precondition(nodeIDs.contains(message.from) && nodeIDs.contains(message.to),
                     "PeerCodec: node ids must be in 1...255 (from \(message.from) to \(message.to))")
        let size = (prefix == nil ? 0 : 1) + encodedSize(of: message)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = Writer(base: UnsafeMutableRawPointer(buffer.baseAddress!))
            if let prefix { writer.u8(prefix) }
            writer.u8(version)
            writer.u8(UInt8(truncatingIfNeeded: message.from))
            writer.u8(UInt8(truncatingIfNeeded: message.to))
            writer.u8(typeCode(of: message.body))
            writer.int(message.term)
            writer.count(message.body.entryCount)
            switch message.body {
            case .preVote(let request), .vote(let request):
                writer.int(request.lastLogIndex)
                writer.int(request.lastLogTerm)
            case .preVoteResponse(let answer), .voteResponse(let answer):
                writer.voteAnswer(answer)
            case .append(let request):
                writer.int(request.prevLogIndex)
                writer.int(request.prevLogTerm)
                writer.int(request.leaderCommit)
                for entry in request.entries {
                    writer.int(entry.term)
                    writer.int(entry.index)
                    writer.u8(entry.kind.rawValue)
                    writer.data(entry.data)
                }
            case .appendResponse(.accepted(let matchIndex)):
                writer.u8(acceptedTag)
                writer.int(matchIndex)
            case .appendResponse(.rejected(let rejectedIndex, let hintIndex, let hintTerm)):
                writer.u8(rejectedTag)
                writer.int(rejectedIndex)
                writer.int(hintIndex)
                writer.int(hintTerm)
            case .heartbeat(let commit, let readRound):
                writer.int(commit)
                writer.int(readRound)
            case .heartbeatResponse(let readRound):
                writer.int(readRound)
            case .installSnapshot(let snapshot):
                writer.int(snapshot.position.index)
                writer.int(snapshot.position.term)
                writer.data(snapshot.data)
            }
            precondition(writer.offset == size, "PeerCodec: wrote \(writer.offset) bytes, expected \(size)")
            initialized = size
        }
    }

    struct Writer {
        let base: UnsafeMutableRawPointer
        var offset = 0

        mutating func u8(_ value: UInt8) {
            base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }

        /// A non-negative Int as u64.
        mutating func int(_ value: Int) {
            precondition(value >= 0, "PeerCodec: negative value \(value)")
            base.storeBytes(of: UInt64(value).bigEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }

        /// A count or length as u32.
        mutating func count(_ value: Int) {
            precondition(value >= 0 && value <= Int(UInt32.max), "PeerCodec: count \(value) does not fit in 32 bits")
            base.storeBytes(of: UInt32(value).bigEndian, toByteOffset: offset, as: UInt32.self)
            offset += 4
        }

        /// granted u8; a refusal's reason code and, for a reason naming a node, its id.
        mutating func voteAnswer(_ answer: VoteAnswer) {
            guard case .refused(let refusal) = answer else { return u8(1) }
            u8(0)
            switch refusal {
            case .unstated: break
            case .staleTerm: u8(staleTermCode)
            case .logBehind: u8(logBehindCode)
            case .alreadyVoted(let node): reason(alreadyVotedCode, naming: node)
            case .hasLeader(let node): reason(hasLeaderCode, naming: node)
            case .leaderLease(let node): reason(leaderLeaseCode, naming: node)
            }
        }

        private mutating func reason(_ code: UInt8, naming node: NodeID) {
            precondition(nodeIDs.contains(node), "PeerCodec: node id \(node) in a vote refusal is not in 1...255")
            u8(code)
            u8(UInt8(node))
        }

        /// length u32, then the bytes.
        mutating func data(_ bytes: [UInt8]) {
            count(bytes.count)
            bytes.withUnsafeBytes { source in
                if let address = source.baseAddress, !source.isEmpty {
                    (base + offset).copyMemory(from: address, byteCount: source.count)
                }
            }
            offset += bytes.count
        }
    }

    // MARK: Decoding

    /// The answer a PreVoteResp or VoteResp carries, read from the message's bytes (without the frame's
    /// kind byte); nil for any other type or for malformed bytes. The console's timeline shows it.
    public static func voteAnswer(_ bytes: [UInt8]) -> VoteAnswer? {
        guard let header = try? routingHeader(bytes), header.isVoteResponse else { return nil }
        return (try? decode(bytes))?.body.voteAnswer
    }

    /// Reads the routing header from the first 16 bytes, ignoring the rest (which may be absent).
    /// Checks the version, node ids, type code, term range and that only Append carries entries.
    public static func routingHeader(_ bytes: some Collection<UInt8>) throws(WireError) -> RoutingHeader {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(WireError) in try parseHeader(UnsafeRawBufferPointer(buffer)) }
        }
        if let contiguous { return try contiguous.get() }
        var header: [UInt8] = []
        header.reserveCapacity(headerSize)
        header.append(contentsOf: bytes.prefix(headerSize))
        return try header.withUnsafeBytes { raw in
            Result { () throws(WireError) in try parseHeader(raw) }
        }.get()
    }

    /// Decodes a whole message. Anything malformed (short, trailing bytes, unknown version, type or tag,
    /// out-of-range ids or numbers, lengths past the end, an entry count that does not match) throws.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Message {
        // `Array.withUnsafeBytes` only rethrows untyped errors: carry the typed one out in a Result.
        try bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) in try decode(raw) }
        }.get()
    }

    /// Decodes a whole message from memory the caller owns (a NIO buffer's readable bytes, say).
    public static func decode(_ raw: UnsafeRawBufferPointer) throws(WireError) -> Message {
        let header = try parseHeader(raw)
        var reader = Reader(raw: raw, offset: headerSize)
        let body: MessageBody
        switch header.type {
        case .preVote:
            body = .preVote(try reader.voteRequest())
        case .preVoteResponse:
            body = .preVoteResponse(try reader.voteAnswer())
        case .vote:
            body = .vote(try reader.voteRequest())
        case .voteResponse:
            body = .voteResponse(try reader.voteAnswer())
        case .append:
            let prevLogIndex = try reader.int("prevLogIndex")
            let prevLogTerm = try reader.int("prevLogTerm")
            let leaderCommit = try reader.int("leaderCommit")
            // Bound the allocation by what the buffer can actually hold, never by the untrusted count.
            guard header.entryCount <= reader.remaining / minimumEntrySize else {
                throw WireError("Append: entryCount \(header.entryCount) needs at least "
                    + "\(header.entryCount * minimumEntrySize) bytes, \(reader.remaining) left")
            }
            var entries: [Entry] = []
            entries.reserveCapacity(header.entryCount)
            for _ in 0..<header.entryCount {
                let term = try reader.int("entry term")
                let index = try reader.int("entry index")
                let rawKind = try reader.u8("entry kind")
                guard let kind = EntryKind(rawValue: rawKind) else {
                    throw WireError("Append: entry \(entries.count) has unknown kind \(rawKind)")
                }
                let data = try reader.data("entry data")
                entries.append(Entry(term: term, index: index, kind: kind, data: data))
            }
            body = .append(AppendRequest(prevLogIndex: prevLogIndex, prevLogTerm: prevLogTerm, entries: entries,
                                         leaderCommit: leaderCommit))
        case .appendResponse:
            let tag = try reader.u8("AppendResp tag")
            switch tag {
            case acceptedTag:
                body = .appendResponse(.accepted(matchIndex: try reader.int("matchIndex")))
            case rejectedTag:
                let rejectedIndex = try reader.int("rejectedIndex")
                let hintIndex = try reader.int("hintIndex")
                let hintTerm = try reader.int("hintTerm")
                body = .appendResponse(.rejected(rejectedIndex: rejectedIndex, hintIndex: hintIndex,
                                                 hintTerm: hintTerm))
            default:
                throw WireError("AppendResp: unknown tag \(tag) (0 accepted, 1 rejected)")
            }
        case .heartbeat:
            let commit = try reader.int("commit")
            let readRound = try reader.int("readRound")
            body = .heartbeat(commit: commit, readRound: readRound)
        case .heartbeatResponse:
            body = .heartbeatResponse(readRound: try reader.int("readRound"))
        case .installSnapshot:
            let index = try reader.int("snapshot index")
            let term = try reader.int("snapshot term")
            let data = try reader.data("snapshot data")
            body = .installSnapshot(Snapshot(position: LogPosition(term: term, index: index), data: data))
        }
        guard reader.remaining == 0 else {
            throw WireError("\(header.typeName): \(reader.remaining) trailing bytes after the body")
        }
        return Message(from: header.from, to: header.to, term: header.term, body: body)
    }

    static func parseHeader(_ raw: UnsafeRawBufferPointer) throws(WireError) -> RoutingHeader {
        guard raw.count >= headerSize else {
            throw WireError("peer message too short: \(raw.count) bytes, the header alone is \(headerSize)")
        }
        let messageVersion = raw[0]
        guard messageVersion == version else {
            throw WireError("unsupported peer message version \(messageVersion) (expected \(version))")
        }
        let from = raw[1], to = raw[2], code = raw[3]
        guard from != 0 else { throw WireError("sender node id 0 (ids are 1...255)") }
        guard to != 0 else { throw WireError("recipient node id 0 (ids are 1...255)") }
        guard let type = PeerMessageType(rawValue: code) else { throw WireError("unknown message type \(code)") }
        let term = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        guard term <= UInt64(Int.max) else { throw WireError("term \(term) out of range") }
        let entryCount = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        guard entryCount == 0 || type == .append else {
            throw WireError("\(type.name) with entryCount \(entryCount) (only Append carries entries)")
        }
        return RoutingHeader(from: Int(from), to: Int(to), type: type, term: Int(term), entryCount: entryCount)
    }

    struct Reader {
        let raw: UnsafeRawBufferPointer
        var offset: Int

        var remaining: Int { raw.count - offset }

        func need(_ byteCount: Int, _ field: StaticString) throws(WireError) {
            guard remaining >= byteCount else {
                throw WireError("truncated: \(field) needs \(byteCount) bytes at offset \(offset), \(remaining) left")
            }
        }

        mutating func u8(_ field: StaticString) throws(WireError) -> UInt8 {
            try need(1, field)
            defer { offset += 1 }
            return raw[offset]
        }

        mutating func bool(_ field: StaticString) throws(WireError) -> Bool {
            let value = try u8(field)
            guard value <= 1 else { throw WireError("\(field): \(value) is not a bool (0 or 1)") }
            return value == 1
        }

        /// A u64 that must fit in a (non-negative) Int.
        mutating func int(_ field: StaticString) throws(WireError) -> Int {
            try need(8, field)
            let value = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            guard value <= UInt64(Int.max) else { throw WireError("\(field): \(value) out of range") }
            offset += 8
            return Int(value)
        }

        /// length u32, then that many bytes, which must be in the buffer.
        mutating func data(_ field: StaticString) throws(WireError) -> [UInt8] {
            try need(4, field)
            let length = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            guard length <= remaining - 4 else {
                throw WireError("\(field): length \(length) at offset \(offset) runs past the end (\(remaining - 4) bytes left)")
            }
            offset += 4
            defer { offset += length }
            return [UInt8](UnsafeRawBufferPointer(rebasing: raw[offset ..< offset + length]))
        }

        /// What `Writer.voteAnswer` wrote; a bare refusal (no reason byte) is `.unstated`.
        mutating func voteAnswer() throws(WireError) -> VoteAnswer {
            if try bool("granted") { return .granted }
            guard remaining > 0 else { return .refused(.unstated) }
            let code = try u8("refusal reason")
            switch code {
            case staleTermCode: return .refused(.staleTerm)
            case logBehindCode: return .refused(.logBehind)
            case alreadyVotedCode: return .refused(.alreadyVoted(for: try nodeID("refusal node")))
            case hasLeaderCode: return .refused(.hasLeader(try nodeID("refusal node")))
            case leaderLeaseCode: return .refused(.leaderLease(try nodeID("refusal node")))
            default: throw WireError("refusal reason: unknown code \(code) (1…5)")
            }
        }

        /// A node id byte, which is never 0.
        mutating func nodeID(_ field: StaticString) throws(WireError) -> NodeID {
            let id = try u8(field)
            guard id != 0 else { throw WireError("\(field): node id 0 (ids are 1...255)") }
            return Int(id)
        }

        mutating func voteRequest() throws(WireError) -> VoteRequest {
            let lastLogIndex = try int("lastLogIndex")
            let lastLogTerm = try int("lastLogTerm")
            return VoteRequest(lastLogIndex: lastLogIndex, lastLogTerm: lastLogTerm)
        }
    }
}
