import Checker

/// One client operation, in the format of docs/HISTORY.md: the checker's own type, so what the
/// console records is exactly what `check` reads.
public typealias HistoryRecord = HistoryOperation
