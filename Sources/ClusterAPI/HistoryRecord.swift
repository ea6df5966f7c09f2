// One client operation as front ends record it and `clusterdeck check` reads it: the same type the
// checker checks (ClientHistory, a small module of its own, so neither side borrows from the other).
@_exported import ClientHistory

/// One client operation, one line of a history file (docs/HISTORY.md).
public typealias HistoryRecord = HistoryOperation
