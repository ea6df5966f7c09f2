import ArgumentParser
import Bench
import Cluster
import Raft

extension BugKnob: ExpressibleByArgument {}

extension FaultKind: ExpressibleByArgument {}

extension BenchTarget: ExpressibleByArgument {}
