/// Frames and encodings shared by node and console; see docs/PROTOCOL.md.
public enum WireVersion { public static let current: UInt8 = 1 }
