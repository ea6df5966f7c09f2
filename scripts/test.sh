#!/usr/bin/env bash
# The project's test command: unit and simulation tests, then the release-built simulation over many
# seeds, then proof that every bug knob is caught. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS="${CLUSTERDECK_TEST_SEEDS:-2000}"

# System packages: ncurses headers to build the console, tmux for its end-to-end tests, etcd for the
# etcd back end's tests (they fail, not skip, without it).
missing=()
[ -f /usr/include/ncursesw/curses.h ] || missing+=(libncurses-dev)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && apt-get install -y -qq "${missing[@]}"
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
    fi
fi

# Seconds each phase took, printed at the end (CI time is a budget: keep the total under 25 minutes on
# two cores, and say in the change's note what it added).
phase_names=()
phase_seconds=()
phase_started=$SECONDS
script_started=$SECONDS
current_phase=""
phase() {
    finish_phase
    current_phase="$1"
    phase_started=$SECONDS
    echo "== $1"
}
finish_phase() {
    if [ -n "$current_phase" ]; then
        phase_names+=("$current_phase")
        phase_seconds+=($((SECONDS - phase_started)))
    fi
    current_phase=""
}
print_times() {
    finish_phase
    echo "== phase times"
    for i in "${!phase_names[@]}"; do
        printf '%6d s  %s\n' "${phase_seconds[$i]}" "${phase_names[$i]}"
    done
    printf '%6d s  total\n' $((SECONDS - script_started))
}
trap print_times EXIT

phase "swift test"
swift test

phase "release build"
swift build -c release --product clusterdeck
bin="$(swift build -c release --show-bin-path)/clusterdeck"

# Runs `sim` with the given flags; it must find no violation. Prints its summary lines.
simulate_clean() {
    local out
    out="$(mktemp)"
    if ! "$bin" sim --seeds "$SEEDS" "$@" >"$out" 2>&1; then
        tail -40 "$out"
        exit 1
    fi
    grep -E '^(seeds|checked|lost acknowledged writes|violations):' "$out"
    rm -f "$out"
}

phase "simulation: $SEEDS seeds, no bugs (must find no violation)"
simulate_clean

phase "simulation: $SEEDS seeds of primary-backup replication (its invariants; lost writes are a figure)"
simulate_clean --protocol primary-backup

phase "bug knobs: each must be caught within $SEEDS seeds, under its invariant"
# Caught means violations above 0 and an invariant named (`seed N: INVARIANT violated at …`), not
# merely a non-zero exit. `--list-bugs` prints each knob's name, then the flags it needs.
failed=0
while read -r knob flags; do
    out="$(mktemp)"
    # shellcheck disable=SC2086 # the flags are separate words
    "$bin" sim --seeds "$SEEDS" --bug "$knob" $flags --show-violations 1 --fail-fast >"$out" 2>&1 || true
    found="$(grep -m1 -E '^seed [0-9]+: .+ violated at ' "$out" || true)"
    if grep -qE '^violations: [1-9]' "$out" && [ -n "$found" ]; then
        invariant="$(sed -E 's/^seed [0-9]+: (.+) violated at .*/\1/' <<<"$found")"
        echo "knob $knob: caught as $invariant — ${found%%:*}"
    else
        echo "knob $knob: NOT caught"
        tail -5 "$out"
        failed=1
    fi
    rm -f "$out"
done < <("$bin" sim --list-bugs)
if [ "$failed" -ne 0 ]; then
    echo "some bug knobs were not caught"
    exit 1
fi

# Plays each deck headless; the first that fails stops the run with its last lines.
play_lessons() {
    local deck log
    for deck in "$@"; do
        log="$(mktemp)"
        if "$bin" play "$deck" --headless >"$log" 2>&1; then
            echo "lesson $deck: passed"
        else
            echo "lesson $deck: FAILED"
            tail -15 "$log"
            rm -f "$log"
            exit 1
        fi
        rm -f "$log"
    done
}

phase "lessons: every demos/*.deck must pass headless"
play_lessons demos/*.deck
phase "lessons on etcd: every demos/etcd/*.deck must pass headless on real etcd members"
play_lessons demos/etcd/*.deck
phase "lessons on the simulated cluster: every deck, seeds 1-5; a replay is byte for byte"
for deck in demos/*.deck; do
    for seed in 1 2 3 4 5; do
        log="$(mktemp)"
        if ! "$bin" play "$deck" --headless --simulate "$seed" >"$log" 2>&1; then
            echo "lesson $deck --simulate $seed: FAILED"
            tail -15 "$log"
            rm -f "$log"
            exit 1
        fi
        rm -f "$log"
    done
    echo "lesson $deck: passed on seeds 1-5"
done
# The same deck and seed in two processes: the journals are the same bytes, the fingerprints the same.
first="$(mktemp)" second="$(mktemp)"
"$bin" play demos/failover.deck --headless --simulate 3 --journal "$first" | grep fingerprint >"$first.digest"
"$bin" play demos/failover.deck --headless --simulate 3 --journal "$second" | grep fingerprint >"$second.digest"
lines="$(wc -l <"$first")"
if [ "$lines" -lt 50 ] || ! cmp "$first" "$second" || ! cmp "$first.digest" "$second.digest"; then
    echo "simulated replay differs (or the journal is nearly empty: $lines lines)"
    exit 1
fi
echo "simulated failover, seed 3, twice: identical journals ($lines lines), $(cat "$first.digest")"
rm -f "$first" "$second" "$first.digest" "$second.digest"

phase "drill on the simulated cluster, twice: the same history, journal and verdict"
for run in a b; do
    "$bin" drill --simulate 5 --duration 5s --out "drill-sim-$run" >"drill-sim-$run.out" 2>&1 || {
        tail -20 "drill-sim-$run.out"
        exit 1
    }
done
if ! cmp drill-sim-a/history.jsonl drill-sim-b/history.jsonl || ! cmp drill-sim-a/journal.jsonl drill-sim-b/journal.jsonl
then
    echo "a simulated drill did not replay exactly"
    exit 1
fi
echo "drill --simulate 5, twice: identical ($(wc -l <drill-sim-a/history.jsonl) operations);" \
    "$(grep -m1 '^linearizable' drill-sim-a.out)"
rm -rf drill-sim-a drill-sim-b drill-sim-a.out drill-sim-b.out

echo "all checks passed"
