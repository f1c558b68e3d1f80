#!/usr/bin/env bash
# Installs the real reverse proxies the deployment tests start in front of the chat (Debian's
# nginx and haproxy), if they are missing. Idempotent; examples/tests/reverse_proxies.rs and
# scripts/browser-test.sh run it first. The packages' own services, where an init system
# started them, are stopped: the tests start their own on free ports and stop them by pid.
set -euo pipefail
missing=()
have() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }
have nginx || missing+=(nginx)
have haproxy || missing+=(haproxy)
have openssl || missing+=(openssl) # the browser test's certificate for nginx
if [ ${#missing[@]} -gt 0 ]; then
  "$(dirname "$0")/apt-install.sh" "${missing[@]}"
fi
"$(dirname "$0")/stop-services.sh" nginx haproxy
