#!/usr/bin/env bash
# Fetches Autobahn|Testsuite's data files (the payloads of its compression groups 12 and 13:
# data1.json, lena512.bmp, pg2229.txt, data1.html, 10.1.1.105.5439.pdf) from its package on PyPI
# into target/autobahn-data, for `sansock-conformance --autobahn-data target/autobahn-data`.
# Idempotent. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/autobahn-data
if [ ! -f "$out/10.1.1.105.5439.pdf" ]; then
  tmp=$(mktemp -d)
  # pip from a venv of its own: the system's Python may have none, or refuse to touch it.
  python3 -m venv "$tmp/venv" >&2
  "$tmp/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    autobahntestsuite==0.8.2 -d "$tmp" >&2
  mkdir -p "$out"
  tar -xzf "$tmp"/autobahntestsuite-0.8.2.tar.gz -C "$tmp"
  cp "$tmp"/autobahntestsuite-0.8.2/autobahntestsuite/testdata/* "$out"/
  rm -rf "$tmp"
fi
echo "$out"
