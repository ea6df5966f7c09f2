import CommandLanguage

/// What `?` shows, in a scrollable pane: the keys, the commands, and a legend of the symbols on
/// screen (each written with the glyphs in use, so an ASCII terminal's legend matches its screen).
enum ConsoleHelp {
    static func lines(glyphs: BoxGlyphs, scripted: Bool, replaying: Bool) -> [String] {
        guard !replaying else { return replayKeys(glyphs) }
        return keys(scripted: scripted) + [""] + outputPaneKeys + ["", "Commands"]
            + CommandHelp.overview.split(separator: "\n").map { "  " + $0 } + [""] + legend(glyphs)
    }

    private static func keys(scripted: Bool) -> [String] {
        let script = scripted ? ["  Enter  go on past a pause          P  hold / resume the script"] : []
        return [
            "Keys",
            "  1-9    select a node              k  kill it (SIGKILL)",
            "  r      restart it on its data     p  pause / resume it (SIGSTOP)",
            "  x      isolate it                 h  heal the network",
            "  space  freeze / thaw time         n  step one held message",
            "  + / -  pace faster / slower       m  hide / show heartbeats",
            "  b      back one message           ← →  1 s back / forward",
            "  [ ]    previous / next moment     (time travel: --simulate)",
            "  :      command line (Tab completes, ↑↓ history)",
            "  ?      this help                  q  quit",
        ] + script
    }

    private static let outputPaneKeys = [
        "Scrolling (this help, and long results: status, log, help NAME …)",
        "  ↑ ↓ PgUp PgDn Home End   scroll",
        "  Esc or q                 close; any other key closes it and acts",
    ]

    private static func legend(_ glyphs: BoxGlyphs) -> [String] {
        let (check, cross, right, left) = (glyphs.check, glyphs.cross, glyphs.arrowRight, glyphs.arrowLeft)
        let line = String(glyphs.horizontal)
        return [
            "Symbols on screen",
            "  \(check) 4 t3 put x=1      entry 4 of term 3, known committed (no mark: not yet)",
            "  \(cross) 7 t3 put x=0 …    committed, but refused when applied (a stale fence, a failed cas)",
            "  \(check) 9–12 t3 clock ×4  four clock entries (service time for leases), folded",
            "  log 1…5             the node's log holds entries 1 to 5",
            "  match/next n2 4/5   the leader's view of n2: it holds up to 4, 5 goes next",
            "  •\(line)Append t3 +2\(line)\(right)    a message from • to \(right) (or \(left)), term 3, 2 entries",
            "  HELD                held by the freeze until a step (n)",
            "  \(cross) … lost            dropped: lost, partitioned, receiver-down, overflow",
            "  LEADER  FOLLOWER    the node's Raft role (also CANDIDATE, PRE-CANDIDATE)",
            "  PAUSED              the process is stopped (SIGSTOP): it neither sends nor answers",
            "  DOWN                the process is not running; r restarts it",
            "  FROZEN (3 held)     clocks stopped, 3 messages held; step delivers them",
            "  prevote off, BUG …  a Raft feature switched off, a bug knob on",
            "  heartbeats hidden   the timeline leaves heartbeats out (m)",
            "  \(right)n2                 the selected node (one-line layout)",
            "  …                   text cut to fit; a larger terminal shows more",
        ]
    }

    private static func replayKeys(_ glyphs: BoxGlyphs) -> [String] {
        [
            "Replay keys", "  space  pause / play", "  \(glyphs.arrowLeft) / \(glyphs.arrowRight)  10 s back / on",
            "  + / -  faster / slower (x0.25 to x8)", "  1-9    select a node", "  q      quit", "",
            "A recorded run: nothing here touches a cluster.",
        ]
    }
}
