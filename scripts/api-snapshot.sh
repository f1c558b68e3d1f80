#!/usr/bin/env bash
# The public API of every library crate, one sorted line per item, checked in under api/: a
# change to the surface shows in review, and the snapshot changes in the same commit.
#
#   scripts/api-snapshot.sh            # write api/<crate>.txt
#   scripts/api-snapshot.sh --check    # fail (with the diff) if they differ from the code
#
# rustdoc's JSON output is unstable: the stable rustdoc gives it under RUSTC_BOOTSTRAP=1 (as the
# fuzz build does), and scripts/api_snapshot.py reads its format (version 57, rustc 1.95). A
# new toolchain may change the format; the script then fails loudly rather than guess.
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true
source scripts/published-crates.sh
crates=("${published[@]}")
out=api
$check && out=$(mktemp -d)
mkdir -p "$out"
export RUSTC_BOOTSTRAP=1
for c in "${crates[@]}"; do
  cargo rustdoc -q -p "$c" --lib --all-features -- -Z unstable-options --output-format json
  python3 scripts/api_snapshot.py "target/doc/${c//-/_}.json" >"$out/$c.txt"
done
if $check; then
  status=0
  for c in "${crates[@]}"; do
    if ! diff -u "api/$c.txt" "$out/$c.txt"; then
      status=1
    fi
  done
  rm -rf "$out"
  if [ "$status" -ne 0 ]; then
    echo "the public API changed: run scripts/api-snapshot.sh and commit api/ with the change" >&2
  fi
  exit "$status"
fi
wc -l api/*.txt
