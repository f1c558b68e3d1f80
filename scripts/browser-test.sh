#!/usr/bin/env bash
# The examples in a real browser: installs Debian's Chromium and playwright-core (from npm) if
# they are missing (and redis-server and nginx, for the chat across servers), builds the example programs,
# and runs tests/browser/*.test.mjs with Node's test runner. Idempotent; safe to run again.
# Saves a screenshot of the chat in target/chat.png; with --update-screenshot, over the README's
# docs/src/images/chat.png instead.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v chromium >/dev/null 2>&1 || scripts/apt-install.sh chromium

if [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "installing playwright-core from npm (no browser download)"
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

scripts/redis-setup.sh   # the cross-server chat test starts a real redis-server
scripts/reverse-proxy-setup.sh   # and one runs nginx in front of the chat

if [ "${1:-}" = "--update-screenshot" ]; then
  export SANSOCK_SCREENSHOT="$PWD/docs/src/images/chat.png"
fi

cargo build -q -p sansock-examples --examples
SANSOCK_EXAMPLES="$PWD/target/debug/examples" CHROMIUM="$(command -v chromium)" \
  node --test --test-concurrency=1 tests/browser/
