#!/usr/bin/env bash
# ClusterDeck and etcd side by side on this machine: write throughput and latency (16 clients and
# 1 client), and failover, measured by one program (`clusterdeck bench compare`) with the same
# load generator, concurrency, value size, duration and key pattern against both.
#
#   scripts/bench-etcd.sh                       # 3 nodes each, 20 s loaded runs, 50 failovers each
#   scripts/bench-etcd.sh --duration 5s --trials 10 --json
#
# Installs Debian's etcd-server when `etcd` is missing (with sudo unless root), builds the release
# binary (SCRATCH_PATH picks the build directory, default .build), and runs everything with TMPDIR
# pointing at a private temporary directory that is removed on exit. The bench starts its own etcd
# members on 127.0.0.1 only (free ports; Debian's own etcd service, if any, is left alone) and
# kills and reaps every process it started, including on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "bench-etcd: etcd is missing and there is no apt-get: install etcd 3.x and retry," \
            "or pass --etcd-binary PATH" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "bench-etcd: installing etcd-server" >&2
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y etcd-server >&2
fi

scratch="${SCRATCH_PATH:-.build}"
echo "bench-etcd: building (release, $scratch)" >&2
swift build -c release --scratch-path "$scratch" >&2
binary="$scratch/release/clusterdeck"

work="$(mktemp -d "${TMPDIR:-/tmp}/cd-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
TMPDIR="$work" "$binary" bench compare "$@"
