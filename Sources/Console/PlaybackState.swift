import ClusterAPI
/// A scenario running in the console: its caption and where it is, for the caption bar.
public struct ScriptProgress: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case running
        /// At a `pause`: Enter goes on.
        case waiting
        /// A step is done: the reader reads its caption and what it did; Enter starts the next step.
        case reading
        /// Paused by the user (`P`) before its next step.
        case paused
        case passed
        case failed(String)
        /// A recorded lesson, replayed: the caption as it was.
        case replayed
    }

    public var file: String
    public var caption = ""
    /// The line running, as written in the file, with its line number.
    public var step = ""
    /// Lines done, of `total`.
    public var index = 0
    public var total: Int
    /// The caption shown is step `stepNumber` of `steps` (0 before the first caption).
    public var stepNumber = 0
    public var steps = 0
    /// `--auto`: steps go on by themselves after a reading time.
    public var auto = false
    public var state = State.running

    public init(file: String, total: Int, steps: Int = 0) {
        self.file = file
        self.total = total
        self.steps = steps
    }

    /// Whether the line running is a command (not a caption, a pause or a check).
    public var isAtCommand: Bool {
        guard state == .running, let colon = step.firstIndex(of: ":") else { return false }
        let word = step[step.index(after: colon)...].split(separator: " ").first ?? ""
        return !["say", "pause", "expect", "bug", "start", "pick"].contains(word)
    }

    /// Whether Enter moves the lesson on now.
    public var awaitsEnter: Bool { state == .waiting || state == .reading }

    /// Whether the lesson ended by itself (passed or failed), so quitting does not stop it early.
    public var isOver: Bool {
        switch state {
        case .passed, .failed, .replayed: true
        case .running, .waiting, .reading, .paused: false
        }
    }

    /// "step 2/5".
    public var position: String { "step \(stepNumber)/\(steps)" }

    /// The lesson's name: its file without folder and extension.
    public var lessonName: String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        return name.hasSuffix(".deck") ? String(name.dropLast(".deck".count)) : name
    }

    /// The line under the caption: where the lesson is and which keys drive it.
    public var detail: String {
        let place = "\(lessonName) \(position)"
        switch state {
        case .running: return "\(place) · \(step) · P holds the lesson"
        case .reading where auto: return "\(place) · next step shortly (Enter: now) · P holds · q quits"
        case .reading where stepNumber >= steps: return "\(place) · Enter: finish · P holds · q quits"
        case .reading: return "\(place) · Enter: next step · P holds · q quits"
        case .waiting: return "\(place) · Enter continues · P holds · q quits"
        case .paused: return "\(place) · lesson held: P resumes · you can act now"
        case .passed: return "\(lessonName) · lesson finished, every check held · q quits, or keep exploring"
        case .failed(let problem): return "\(place) · FAILED \(step): \(problem)"
        case .replayed: return "\(place) · recorded lesson"
        }
    }
}

/// A journal being replayed: the time bar's figures.
public struct ReplayProgress: Sendable, Equatable {
    public var file: String
    /// Seconds into the run, of `duration`.
    public var position: Double
    public var duration: Double
    public var speed: Double
    public var paused: Bool

    public init(file: String, position: Double = 0, duration: Double, speed: Double = 1, paused: Bool = false) {
        self.file = file
        self.position = position
        self.duration = duration
        self.speed = speed
        self.paused = paused
    }

    /// Moves on by `seconds` of wall time times the speed, unless paused; stops (paused) at the end.
    public mutating func advance(bySeconds seconds: Double) {
        if !paused { position += seconds * speed }
        position = min(max(position, 0), duration)
        if position >= duration { paused = true }
    }

    /// The speeds `+` and `-` step through.
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8]

    /// "▶ 0:12.3 / 1:40.0  ×1  [====>-----]" sized to `width` columns.
    public func bar(width: Int) -> String {
        let head = "\(paused ? "||" : "|>") \(Self.clock(position)) / \(Self.clock(duration))  "
            + "x\(Self.speedText(speed))  "
        let room = max(0, width - head.count - 2)
        let filled = duration > 0 ? Int((Double(room) * position / duration).rounded()) : room
        let clamped = min(room, max(0, filled))
        return head + "[" + String(repeating: "=", count: clamped) + String(repeating: "-", count: room - clamped)
            + "]"
    }

    static func clock(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded(.down))
        let minutes = tenths / 600
        let rest = tenths % 600
        return "\(minutes):\(rest / 100)\(rest / 10 % 10).\(rest % 10)"
    }

    static func speedText(_ speed: Double) -> String {
        speed == speed.rounded() ? "\(Int(speed))" : "\(speed)"
    }
}

/// What the replay keys ask for.
public enum ReplayControl: Sendable, Equatable {
    case togglePause
    case seek(seconds: Double)
    case faster
    case slower
}

extension ReplayControl {
    /// Carries the control out on the replay's figures.
    public func apply(to progress: inout ReplayProgress) {
        let speeds = ReplayProgress.speeds
        let current = speeds.firstIndex(of: progress.speed) ?? 2
        switch self {
        case .togglePause:
            if progress.paused, progress.position >= progress.duration { progress.position = 0 }
            progress.paused.toggle()
        case .seek(let seconds):
            progress.position = min(max(progress.position + seconds, 0), progress.duration)
        case .faster: progress.speed = speeds[min(speeds.count - 1, current + 1)]
        case .slower: progress.speed = speeds[max(0, current - 1)]
        }
    }
}

extension TimeTravelSummary {
    /// The simulated cluster's time bar: now, the end of the recorded future, and the forks (`+`)
    /// on a line from 0 to the end: `time 0:12.3 of 0:40.2  1 fork  [=====|-----+----]`.
    public func bar(width: Int) -> String {
        let forks = forkSeconds.count
        let head = "time \(ReplayProgress.clock(nowSeconds)) of \(ReplayProgress.clock(endSeconds))"
            + (forks == 0 ? "" : forks == 1 ? "  1 fork" : "  \(forks) forks") + "  "
        let room = max(0, width - head.count - 2)
        guard room > 0 else { return head }
        func column(_ seconds: Double) -> Int {
            endSeconds > 0 ? min(room - 1, max(0, Int((Double(room - 1) * seconds / endSeconds).rounded()))) : 0
        }
        var cells = Array(repeating: Character("-"), count: room)
        for index in 0..<column(nowSeconds) { cells[index] = "=" }
        for fork in forkSeconds { cells[column(fork)] = "+" }
        cells[column(nowSeconds)] = "|"
        return head + "[" + String(cells) + "]"
    }
}
