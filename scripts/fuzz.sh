#!/usr/bin/env bash
# The long fuzzing run (issue 9): a release build of clusterdeck feeds each target a million
# generated or mutated inputs (FUZZ_INPUTS overrides) — the frame decoder, the command parser, the
# scenario parser and write-ahead-log recovery — each in its own process, then prints one table:
# inputs, seconds, inputs/s, slowest input and max RSS per target. Exits non-zero when any target
# finds a violation, a slow input or unbounded memory, or dies (a crash or hang prints the
# `clusterdeck fuzz TARGET --replay SEED:ITERATION` that reproduces it).
#
#   FUZZ_INPUTS=1000000  inputs per target
#   FUZZ_SEED=1          the seed (input i of a run depends only on seed and i)
#   FUZZ_TARGETS="frame command scenario wal"
#   FUZZ_SCRATCH_PATH=   a SwiftPM scratch path (default: .build)
set -euo pipefail
cd "$(dirname "$0")/.."

INPUTS="${FUZZ_INPUTS:-1000000}"
SEED="${FUZZ_SEED:-1}"
TARGETS="${FUZZ_TARGETS:-frame command scenario wal}"
scratch=()
if [ -n "${FUZZ_SCRATCH_PATH:-}" ]; then scratch=(--scratch-path "$FUZZ_SCRATCH_PATH"); fi

echo "== release build"
swift build -c release --product clusterdeck "${scratch[@]}"
bin="$(swift build -c release --show-bin-path "${scratch[@]}")/clusterdeck"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
header=""
rows=()
failed=0
for target in $TARGETS; do
    echo "== fuzz $target: $INPUTS inputs, seed $SEED"
    log="$logs/$target.log"
    if "$bin" fuzz "$target" --inputs "$INPUTS" --seed "$SEED" >"$log" 2>&1; then
        status=0
    else
        status=$?
        failed=1
    fi
    cat "$log"
    # The last two lines of a finished run are the table's header and this target's row.
    [ -n "$header" ] || header="$(grep -m1 '^target ' "$log" || true)"
    row="$(awk '/^target /{getline; print}' "$log")"
    if [ -z "$row" ]; then
        row="$target    died with status $status before reporting (see its output above)"
    fi
    rows+=("$row")
done

echo
echo "== summary: seed $SEED, $INPUTS inputs per target"
[ -z "$header" ] || echo "$header"
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then
    echo "fuzzing found problems: see the violations and replay commands above"
    exit 1
fi
