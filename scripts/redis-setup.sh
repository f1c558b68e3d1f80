#!/usr/bin/env bash
# Installs the real Redis server the chat's cross-server tests start (Debian's redis-server), if
# it is missing. Idempotent; examples/tests/chat_redis.rs and scripts/browser-test.sh run it
# first. The package's own service, where an init system started it, is stopped: the tests start
# their own servers on free ports and stop them by process id.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
have() { command -v "$1" >/dev/null || [ -x "/usr/bin/$1" ]; }
if ! have redis-server || ! have redis-cli; then
  "$(dirname "$0")/apt-install.sh" redis-server redis-tools
fi
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  $sudo systemctl stop redis-server || true
fi
