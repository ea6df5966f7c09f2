import ArgumentParser
import ClusterAPI

/// The two timing profiles.
enum PaceProfile: String, ExpressibleByArgument, CaseIterable {
    case teach, real

    var timing: Timing {
        switch self {
        case .teach: .teach
        case .real: .real
        }
    }
}
