#!/usr/bin/env bash
# The project's test command: unit and simulation tests, then the release-built simulation over many
# seeds, then proof that every bug knob is caught. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS="${CLUSTERDECK_TEST_SEEDS:-2000}"

# System packages: ncurses headers to build the console, tmux for its end-to-end tests.
missing=()
[ -f /usr/include/ncursesw/curses.h ] || missing+=(libncurses-dev)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && apt-get install -y -qq "${missing[@]}"
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
    fi
fi

echo "== swift test"
swift test

echo "== release build"
swift build -c release --product clusterdeck
bin="$(swift build -c release --show-bin-path)/clusterdeck"

echo "== simulation: $SEEDS seeds, no bugs (must find no violation)"
"$bin" sim --seeds "$SEEDS"

echo "== bug knobs: each must be caught within $SEEDS seeds"
failed=0
for knob in $("$bin" sim --list-bugs); do
    out="$(mktemp)"
    if "$bin" sim --seeds "$SEEDS" --bug "$knob" --show-violations 1 --fail-fast >"$out" 2>&1; then
        echo "knob $knob: NOT caught"
        tail -5 "$out"
        failed=1
    else
        echo "knob $knob: caught — $(grep -m1 ' violated at ' "$out" | sed 's/^seed /seed /')"
        grep -E '^violations:' "$out"
    fi
    rm -f "$out"
done
if [ "$failed" -ne 0 ]; then
    echo "some bug knobs were not caught"
    exit 1
fi

echo "== lessons: every demos/*.deck must pass headless"
for deck in demos/*.deck; do
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
echo "all checks passed"
