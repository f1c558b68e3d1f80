#!/usr/bin/env bash
# Installs the real proxy servers the proxy tests start, if they are missing, from Debian's
# packages: tinyproxy and squid (HTTP CONNECT), microsocks and dante-server (SOCKS5, and SOCKS4a
# through dante), stunnel4 (TLS in front of a proxy: an https:// proxy), openssl (squid's
# password file). Idempotent; crates/sansock-cross/tests/proxy.rs runs it first.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
missing=()
have() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }
have tinyproxy || missing+=(tinyproxy)
have microsocks || missing+=(microsocks)
have squid || missing+=(squid)
have danted || missing+=(dante-server)
have stunnel || missing+=(stunnel4)
have openssl || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  "$(dirname "$0")/apt-install.sh" "${missing[@]}"
fi
# The packages' own services, where an init system started them, are not what the tests use.
for service in squid danted; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    $sudo systemctl stop "$service" || true
  fi
done
