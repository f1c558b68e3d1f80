#!/usr/bin/env bash
# Installs the real Redis server the chat's cross-server tests start (Debian's redis-server), if
# it is missing. Idempotent; examples/tests/chat_redis.rs and scripts/browser-test.sh run it
# first. The package's own service, where an init system started it, is stopped: the tests start
# their own servers on free ports and stop them by process id.
set -euo pipefail
have() { command -v "$1" >/dev/null || [ -x "/usr/bin/$1" ]; }
if ! have redis-server || ! have redis-cli; then
  "$(dirname "$0")/apt-install.sh" redis-server redis-tools
fi
"$(dirname "$0")/stop-services.sh" redis-server
