#!/usr/bin/env bash
# Fuzzes sansock-core with cargo-fuzz on the stable toolchain.
#
#   scripts/fuzz.sh                      # every target, 60 s each
#   scripts/fuzz.sh 3600 server_connection   # one target for an hour (any number of seconds)
#   scripts/fuzz.sh 0                    # build every target only
#
# New interesting inputs go to target/fuzz-corpus/<target>/ (not the checked-in seeds under
# fuzz/corpus/, which are only read); crashes, and inputs that take over 20 s (hangs), go to
# fuzz/artifacts/<target>/. Either makes this
# script fail. To keep a finding as a regression test, copy its file into fuzz/corpus/<target>/:
# the stable test suite replays every file there.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frame_header server_handshake client_handshake server_connection client_connection pair_ops round_trip
    deflate_connection deflate_pair_ops http_request proxy_http_connect proxy_socks)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes nightly-only -Z flags to rustc; the stable compiler accepts them this way.
export RUSTC_BOOTSTRAP=1
if [ $# -eq 0 ]; then
  cargo fuzz build --release # every target, in one build
else
  for t in "${targets[@]}"; do
    cargo fuzz build --release "$t"
  done
fi

[ "$seconds" -gt 0 ] || exit 0
# One target per core at a time: each still gets the whole of its seconds on a core of its own.
run_one() {
  local t=$1 out="target/fuzz-corpus/$1" log="target/fuzz-$1.log" status=0
  mkdir -p "$out"
  cargo fuzz run --release "$t" "$out" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=20 -dict=fuzz/dict/websocket.dict -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  echo "$status" >"target/fuzz-$t.status"
}
jobs=$(nproc 2>/dev/null || echo 1)
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  batch=("${targets[@]:i:jobs}")
  echo "== fuzzing ${batch[*]} for ${seconds}s"
  for t in "${batch[@]}"; do run_one "$t" & done
  wait
  for t in "${batch[@]}"; do
    grep -aE "^#[0-9]+.*DONE|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" \
      "target/fuzz-$t.log" | sed "s/^/$t: /" || true
    status=$(cat "target/fuzz-$t.status")
    if [ "$status" -ne 0 ]; then
      tail -40 "target/fuzz-$t.log" >&2
      echo "fuzz target $t failed (exit $status); crash inputs in fuzz/artifacts/$t/" >&2
      exit 1
    fi
  done
done
