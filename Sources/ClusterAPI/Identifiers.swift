/// A node's id: a small positive integer (1...9 in the console). The same spelling and type as the
/// Raft core's `NodeID`, so a file that imports both modules still reads `NodeID` unambiguously
/// (Swift treats same-named aliases of one type as one); ClusterAPI does not import Raft, because a
/// back end that is not Raft (etcd, primary/backup) must be describable with these values.
public typealias NodeID = Int

/// A replication term (Raft's term, etcd's raft term, a primary/backup view number).
public typealias Term = Int

/// A position in a replicated log; 0 means "nothing".
public typealias LogIndex = Int
