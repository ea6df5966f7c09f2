import ArgumentParser
import Bench
import Cluster
import CommandLanguage
import Raft

extension BugKnob: ExpressibleByArgument {}

extension EngineKind: ExpressibleByArgument {}

extension FaultKind: ExpressibleByArgument {}

extension BenchTarget: ExpressibleByArgument {}
