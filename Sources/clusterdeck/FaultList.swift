import ArgumentParser
import Cluster
import Foundation

/// The faults named on the command line (`kill,pause` or several options).
struct FaultList {
    let names: [String]

    init(_ arguments: [String]) {
        names = arguments.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "none" }
    }

    func kinds() throws -> [FaultKind] {
        try names.map { name in
            guard let kind = FaultKind(rawValue: name) else {
                throw ValidationError("unknown fault \(name): choose from "
                    + FaultKind.allCases.map(\.rawValue).joined(separator: ", ") + " (or none)")
            }
            return kind
        }
    }
}
