#!/usr/bin/env bash
# Installs the real proxy servers the proxy tests start, if they are missing, from Debian's
# packages: tinyproxy and squid (HTTP CONNECT), microsocks and dante-server (SOCKS5, and SOCKS4a
# through dante), stunnel4 (TLS in front of a proxy: an https:// proxy), openssl (squid's
# password file). Idempotent; crates/sansock-cross/tests/proxy.rs runs it first.
set -euo pipefail
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
"$(dirname "$0")/stop-services.sh" squid danted
