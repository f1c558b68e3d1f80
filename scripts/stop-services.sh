#!/usr/bin/env bash
# Stops the named services where an init system started them after their packages were
# installed (squid, nginx, redis-server…): the tests start their own on free ports and stop them
# by process id. Idempotent; a service that is not running (or no systemd) is left alone.
#
#   scripts/stop-services.sh SERVICE...
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
command -v systemctl >/dev/null || exit 0
for service in "$@"; do
  if systemctl is-active --quiet "$service" 2>/dev/null; then
    $sudo systemctl stop "$service" || true
  fi
done
