import ArgumentParser

/// A duration on the command line: `500ms`, `30s`, `2m`, `1h`, or a bare number of seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    init?(argument: String) {
        let text = argument.lowercased()
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        let unit = units.first { text.hasSuffix($0.suffix) } ?? ("", 1)
        guard let number = Double(text.dropLast(unit.suffix.count)), number > 0, number.isFinite else {
            return nil
        }
        seconds = number * unit.scale
    }

    var description: String {
        switch seconds {
        case ..<1: "\(Int((seconds * 1000).rounded()))ms"
        case ..<120: "\(Int(seconds.rounded()))s"
        case ..<7_200: "\(Int((seconds / 60).rounded()))m"
        default: "\(Int((seconds / 3_600).rounded()))h"
        }
    }
}
