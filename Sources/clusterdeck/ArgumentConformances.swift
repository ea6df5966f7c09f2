import ArgumentParser
import Cluster
import Raft

extension BugKnob: ExpressibleByArgument {}

extension FaultKind: ExpressibleByArgument {}
