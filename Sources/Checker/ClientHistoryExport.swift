// The history the checker reads is the one every front end records: one definition, in ClientHistory.
@_exported import ClientHistory
