/// The name NodeRuntime and the tests have always used for the services' state.
public typealias KVStore = ServiceState
