#!/usr/bin/env bash
# Line coverage of sansock-core by the fuzz targets' corpora: each target is built with
# -Cinstrument-coverage (`cargo fuzz coverage`), runs every input of target/fuzz-corpus/<target>/
# and fuzz/corpus/<target>/ once, and llvm-cov reports which lines of crates/sansock-core/src ran.
#
#   scripts/fuzz-coverage.sh                  # every target, then all of them together
#   scripts/fuzz-coverage.sh pair_ops         # one
#
# Needs LLVM's coverage tools at least as new as LLVM 19 (rustup's llvm-tools cannot be fetched
# here; Debian's llvm-19 reads what this rustc writes); installs Debian's llvm-19 if missing.
# Writes target/fuzz-coverage/<target>.txt (llvm-cov's per-file report), all.txt (every target
# merged) and prints a summary table.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frame_header server_handshake client_handshake server_connection client_connection pair_ops round_trip
    deflate_connection deflate_pair_ops http_request proxy_http_connect proxy_socks)
fi
llvm=/usr/lib/llvm-19/bin
if [ ! -x "$llvm/llvm-cov" ]; then
  scripts/apt-install.sh llvm-19   # llvm-cov, llvm-profdata
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
out=target/fuzz-coverage
bin=target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release
mkdir -p "$out"
# Only sansock-core's own sources count.
ignore='/\.cargo/|/rustc/|/fuzz/'
report() {
  "$llvm/llvm-cov" report "$@" --ignore-filename-regex="$ignore"
}
total_line() { # "lines covered/total (percent)" from a report's TOTAL row
  awk '/^TOTAL/ {printf "%d/%d (%s)", $8 - $9, $8, $10}' "$1"
}

objects=()
echo "| target | inputs | lines of sansock-core run |"
echo "|---|---:|---:|"
for t in "${targets[@]}"; do
  # A snapshot of the corpus: a fuzzer running meanwhile adds and removes files.
  snapshot="$out/corpus-$t"
  rm -rf "$snapshot" "fuzz/coverage/$t"
  mkdir -p "target/fuzz-corpus/$t" "$snapshot"
  cp -r "target/fuzz-corpus/$t/." "fuzz/corpus/$t/." "$snapshot/"
  log="$out/$t.log"
  # cargo-fuzz then merges with rustup's llvm-profdata, which is not there: that last step fails,
  # and the merge is done here instead. A run that did not get that far is an error.
  cargo fuzz coverage "$t" "$snapshot" >"$log" 2>&1 || true
  if ! grep -q "Merging raw coverage data" "$log"; then
    tail -30 "$log" >&2
    echo "coverage run of $t failed" >&2
    exit 1
  fi
  "$llvm/llvm-profdata" merge -sparse "fuzz/coverage/$t"/raw/*.profraw -o "$out/$t.profdata"
  report "$bin/$t" -instr-profile="$out/$t.profdata" >"$out/$t.txt"
  inputs=$(ls "$snapshot" | wc -l)
  echo "| $t | $inputs | $(total_line "$out/$t.txt") |"
  objects+=(-object "$bin/$t")
done

if [ ${#targets[@]} -gt 1 ]; then
  profiles=()
  for t in "${targets[@]}"; do profiles+=("$out/$t.profdata"); done
  "$llvm/llvm-profdata" merge -sparse "${profiles[@]}" -o "$out/all.profdata"
  report "${objects[@]:1}" -instr-profile="$out/all.profdata" >"$out/all.txt"
  echo "| all together | | $(total_line "$out/all.txt") |"
  echo
  echo "Per file, all targets together (lines run / lines):"
  echo
  echo "| file | lines run |"
  echo "|---|---:|"
  awk '/\.rs / {printf "| %s | %d/%d (%s) |\n", $1, $8 - $9, $8, $10}' "$out/all.txt"
fi
