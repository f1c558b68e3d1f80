#!/usr/bin/env bash
# Installs what scripts/forbid-io-uring.py needs, if it is missing: libseccomp's Python binding
# for Debian's python3 (the package python3-seccomp). Idempotent; the compio loopback test that
# forbids io_uring runs it first.
set -euo pipefail
if ! /usr/bin/python3 -c "import seccomp" 2>/dev/null; then
  "$(dirname "$0")/apt-install.sh" python3-seccomp
fi
