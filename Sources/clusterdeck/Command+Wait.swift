import CommandLanguage

extension Command {
    var isWait: Bool {
        switch self {
        case .waitLeader, .waitElected, .asClient(_, .waitElected): true
        default: false
        }
    }
}
