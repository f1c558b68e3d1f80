#!/usr/bin/env bash
# Derives, from Autobahn|Testsuite's own code, what its tester sends in every case
# (crates/sansock-conformance/autobahn/derive_frames.py runs its case classes on its own
# WebSocketProtocol), and writes it to crates/sansock-conformance/tests/autobahn-frames.json,
# the table tests/autobahn_traffic.rs holds the tester to. With --check, compares instead of
# writing, and fails on any difference.
#
# Sources from PyPI: autobahntestsuite 0.8.2 and the autobahn 0.10.9 it pins (sdists, into
# target/autobahn-src), and six and txaio for autobahn to import (a venv in target/). ~40 s.
set -euo pipefail
cd "$(dirname "$0")/.."
src=target/autobahn-src
venv=target/autobahn-venv
table=crates/sansock-conformance/tests/autobahn-frames.json
if [ ! -d "$src/autobahn-0.10.9" ] || [ ! -d "$src/autobahntestsuite-0.8.2" ]; then
  mkdir -p "$src"
  python3 -m venv "$venv"
  "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    autobahntestsuite==0.8.2 autobahn==0.10.9 -d "$src"
  tar -xzf "$src/autobahntestsuite-0.8.2.tar.gz" -C "$src"
  tar -xzf "$src/autobahn-0.10.9.tar.gz" -C "$src"
fi
if ! "$venv/bin/python" -c "import six, txaio" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check six==1.17.0 txaio==26.6.1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$venv/bin/python" crates/sansock-conformance/autobahn/derive_frames.py \
  "$src/autobahn-0.10.9" "$src/autobahntestsuite-0.8.2" > "$out"
if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$out" "$table"; then
    echo "$table differs from what Autobahn's code derives (scripts/autobahn-frames.sh rewrites it)" >&2
    diff <(head -c 2000 "$out") <(head -c 2000 "$table") >&2 || true
    exit 1
  fi
  echo "$table: as Autobahn's code derives it"
else
  cp "$out" "$table"
  echo "wrote $table"
fi
