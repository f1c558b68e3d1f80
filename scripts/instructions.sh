#!/usr/bin/env bash
# Instructions per echoed message of each library's echo loop over the in-memory transport
# (crates/sansock-bench/src/memory.rs), counted with callgrind: each loop runs at two message
# counts and the difference is divided by the difference in messages, so the handshake and the
# runtime's start-up cancel out. Unlike a time, the count is the same under any load.
#
#   scripts/instructions.sh                 # 20 B ping-pong with a wake-up per message
#   scripts/instructions.sh 20 16           # 20 B, 16 frames per read (pipelined)
#   scripts/instructions.sh 16384 1         # 16 KiB, one frame per read
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-20}
per_read=${2:-1}
wake=${3:-}
if [[ -z "$wake" && "$per_read" == 1 && "$size" -lt 1024 ]]; then wake=--wake; fi
command -v valgrind >/dev/null || scripts/apt-install.sh valgrind
cargo build --release -q -p sansock-bench --bin bench-instructions
bin=${CARGO_TARGET_DIR:-target}/release/bench-instructions
small=$((per_read * 200))
large=$((per_read * 2200))
count() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$size" "$per_read" "$2" $wake >/dev/null 2>&1
    awk '/^summary:/ {print $2}' "$out"
    rm -f "$out"
}
echo "| echo loop | instructions per message ($size B, $per_read per read${wake:+, a wake-up between}) |"
echo "|---|---:|"
for name in sansock-tokio-plain sansock-tokio-batch sansock-tokio fastwebsockets tokio-tungstenite; do
    a=$(count "$name" "$small")
    b=$(count "$name" "$large")
    echo "| $name | $(( (b - a) / (large - small) )) |"
done
