import CommandLanguage
import Foundation

/// Valid lines and scenarios of the command language, the seeds the text targets mutate.
public enum TextCorpus {
    /// Every command's help example (each parses, `HelpTests` checks that), lines from the
    /// README's command table, and the command lines of the lessons in `demos/`.
    public static let commandLines: [String] = {
        let examples = CommandHelp.commandNames.compactMap { name in
            CommandHelp.help(for: name)?.split(separator: "\n")
                .first { $0.hasPrefix("example: ") }
                .map { String($0.dropFirst("example: ".count)) }
        }
        // Scenario-only lines stay out; a picked node (`$cut`) reads as node 1, as the parser checks it.
        let fromScenarios = scenarios.flatMap { $0.split(separator: "\n").map(String.init) }
            .filter { line in
                let word = line.split(separator: " ").first ?? ""
                return !["say", "pause", "expect", "bug", "pick", "#", "engine", "protocol", "simulate"].contains(word)
                    && !word.isEmpty
            }
            .map(NodeReferences.standingInForPicks)
        return examples + builtInLines + fromScenarios
    }()

    /// The lessons in `demos/` (found next to the sources this was built from), or, when the
    /// checkout is not there, a few built-in scenarios.
    public static let scenarios: [String] = {
        let demos = demoFiles()
        return demos.isEmpty ? builtInScenarios : demos + builtInScenarios
    }()

    /// Words and fragments that mean something to the parser, to swap into lines.
    public static let vocabulary: [String] = CommandHelp.commandNames + [
        "leader", "elected", "within", "delay", "jitter", "loss", "dup", "--stale", "--node",
        "--fence", "ttl", "as", "teach", "real", "on", "off", "prevote", "checkquorum", "fsync",
        "pause", "resume", "->", "|", ",", "1,2", "|3,4,5", "1->2", "2->1", "0", "1", "2", "3", "5",
        "9", "10", "-1", "99999999999999999999", "9223372036854775807", "9223372036854775808",
        "1.5", "0.5", ".5", "1e5", "0x10", "5ms", "2s", "1.5s", "1m", "-2s", "1.5ms", "1h", "60m",
        "0s", "10%", "0.5%", "101%", "-1%", "1e5%", "0.0000001%", "\"quoted value\"", "\"\"",
        "\"a\\\"b\"", "\"open", "\"bad\\q\"", "#", "x", "==", "none", "in", "3,4,5", "holder",
        "role", "locks", "fails", "say", "expect", "bug", "follower", "pre-candidate",
    ]

    /// Characters that tokenizers and number parsers stumble on.
    public static let awkwardCharacters: [Character] = Array(
        "abcxyz0123456789 \t\"\\,|->%.#_=:"
    ) + [
        "é", "🙂", "\u{301}", "\u{0}", "\n", "\r", "\r\n", "\u{200D}", "\u{FEFF}", "１", "٣",
        "−", "\u{2028}", "\u{00A0}", "\u{3000}", "ß", "İ", "\u{FFFD}", "\u{10FFFF}",
    ]

    static let builtInLines = [
        "kill 2", "kill leader", "pause 3", "resume 3", "restart 2", "wipe 1",
        "partition 1,2 | 3,4,5", "partition ring 3,1,5,2,4", "partition bridge 3 between 1,4 | 2,5",
        "isolate leader", "cut 1->2", "heal",
        "link 1->2 delay 20ms jitter 5ms loss 10% dup 1%", "freeze", "step", "step 3", "thaw",
        "pace teach", "pace real", "pace 0.5", "put x 1", "get x", "get x --stale --node 3",
        "del x", "cas x 1 2", "lock L ttl 10s", "unlock L", "locks", "put k v --fence 3",
        "campaign E v1", "wait elected E within 5s", "resign E", "leader E", "put x 1 as alice",
        "client pause alice", "client resume alice", "clients", "timeout 2", "skew 2 3",
        "set prevote off", "set checkquorum on", "set fsync off", "status", "log 1", "log leader",
        "wait leader within 5s", "sleep 2s", "help", "help link", "quit", "check", "start 5",
        "put \"two words\" \"a \\\"quoted\\\" value\"", "# a comment", "",
    ]

    static let builtInScenarios = [
        "start 3\nsay \"hello\"\nwait leader within 10s\nput x 1\nexpect get x == 1\nkill leader\n"
            + "expect leader in 2,3 within 10s\npause\nexpect role 1 == down",
        "bug vote-twice\nstart 5\npartition 1,2 | 3,4,5\nexpect fails put x 1\n"
            + "lock L ttl 1s as alice\nexpect locks L holder == alice within 2s\nheal",
        "# only comments\n\n   \n# and blanks",
    ]

    /// The `.deck` files in the checkout's `demos/`, located from this source file's path.
    static func demoFiles() -> [String] {
        let sources = URL(fileURLWithPath: #filePath)
        let demos = sources.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("demos")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: demos.path)) ?? []
        return names.filter { $0.hasSuffix(".deck") }.sorted().compactMap { name in
            try? String(contentsOf: demos.appendingPathComponent(name), encoding: .utf8)
        }
    }
}
