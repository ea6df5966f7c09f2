/// "Did you mean" for mistyped command names.
enum Suggestion {
    /// Longest word compared; longer input is not a typo of a command.
    static let comparedCharactersMax = 16

    /// The command name closest to `word` (ignoring letter case), when it is a likely typo.
    static func closestName(to word: String) -> String? {
        closest(to: word, among: CommandHelp.commandNames)
    }

    /// The word of `names` closest to `word` (ignoring letter case), when it is a likely typo: for
    /// command names and the keywords that follow them (`partition rign`).
    static func closest(to word: String, among names: [String]) -> String? {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty, typed.count <= comparedCharactersMax else { return nil }
        var best: (name: String, distance: Int)?
        for name in names {
            let distance = editDistance(typed, Array(name))
            let allowed = min(2, max(1, name.count / 3))
            guard distance <= allowed, distance < (best?.distance ?? Int.max) else { continue }
            best = (name, distance)
        }
        return best?.name
    }

    /// Levenshtein distance, one row at a time.
    static func editDistance(_ left: [Character], _ right: [Character]) -> Int {
        var previous = Array(0...right.count)
        for (leftIndex, leftCharacter) in left.enumerated() {
            var current = [leftIndex + 1]
            for (rightIndex, rightCharacter) in right.enumerated() {
                let substitution = previous[rightIndex] + (leftCharacter == rightCharacter ? 0 : 1)
                let deletion = previous[rightIndex + 1] + 1
                let insertion = current[rightIndex] + 1
                current.append(min(substitution, deletion, insertion))
            }
            previous = current
        }
        return previous[right.count]
    }
}
