#!/usr/bin/env bash
# Installs the real proxy servers the proxy tests start, if they are missing: tinyproxy (HTTP
# CONNECT) and microsocks (SOCKS5), from Debian's packages. Idempotent;
# crates/sansock-cross/tests/proxy.rs runs it first.
set -euo pipefail
missing=()
command -v tinyproxy >/dev/null || missing+=(tinyproxy)
command -v microsocks >/dev/null || missing+=(microsocks)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
