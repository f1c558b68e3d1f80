#!/usr/bin/env bash
# Installs the real peers the interop tests and the benchmark talk to, if they are missing: Node's
# `ws` and Bun (npm, into tests/interop/node_modules; Bun's binary comes in its npm package) and
# Python's `websockets` (PyPI, into target/interop-venv).
# Idempotent; crates/sansock-cross/tests/interop.rs runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d tests/interop/node_modules/ws ] || [ ! -x tests/interop/node_modules/.bin/bun ]; then
  echo "installing ws and bun from npm"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi
venv=target/interop-venv
if ! "$venv/bin/python" -c "import websockets" 2>/dev/null; then
  echo "installing websockets from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
fi
