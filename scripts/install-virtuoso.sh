#!/usr/bin/env bash
# Installs the Virtuoso 7.2 server (virtuoso-t) and its SQL client (isql-vt) from Debian's
# packages for the store tests, when they are not there yet. Only the binaries package:
# it starts no system service and asks nothing; the tests start their own server on
# loopback with a temporary database (tests/stores.py). Needs root or sudo.
set -euo pipefail
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin >/dev/null
