// Every user of the local-process back end sees the values it trades in (`ClusterEvent`, `NodeView`,
// `CommandOutput` …), which belong to ClusterAPI: the front ends import ClusterAPI alone.
@_exported import ClusterAPI
