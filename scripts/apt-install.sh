#!/usr/bin/env bash
# Installs Debian packages that are missing — the one way the project's scripts install them.
# Callers may run at once (two tests of one binary, a test and the browser run): a lock file
# makes them take turns, and each installs only what is still missing once it holds the lock,
# so the second finds the first's work done instead of failing on apt's own lock.
#
#   scripts/apt-install.sh PACKAGE...     (PACKAGE or PACKAGE=VERSION)
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
exec 9>"${TMPDIR:-/tmp}/sansock-apt-install.lock"
flock 9
missing=()
# PACKAGE (any version) or PACKAGE=VERSION (that version, as apt-get says it) is installed.
installed() {
  local status
  status=$(dpkg-query -W -f='${Status} ${Version}' "${1%%=*}" 2>/dev/null) || return 1
  case "$1" in
    *=*) [ "$status" = "install ok installed ${1#*=}" ] ;;
    *) [[ "$status" == "install ok installed "* ]] ;;
  esac
}
for package in "$@"; do
  installed "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# apt's own lock may be held by something outside the project (an unattended upgrade): wait.
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
