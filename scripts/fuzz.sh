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
for t in "${targets[@]}"; do
  cargo fuzz build --release "$t"
done

[ "$seconds" -gt 0 ] || exit 0
for t in "${targets[@]}"; do
  out="target/fuzz-corpus/$t"
  mkdir -p "$out"
  echo "== fuzzing $t for ${seconds}s"
  log="target/fuzz-$t.log"
  status=0
  cargo fuzz run --release "$t" "$out" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=20 -dict=fuzz/dict/websocket.dict -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -aE "^#[0-9]+.*DONE|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz target $t failed (exit $status); crash inputs in fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
