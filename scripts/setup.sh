#!/usr/bin/env bash
# Sets Kyso up on a fresh Debian/Ubuntu machine: the Debian packages it needs, then `npm ci`.
#   bash scripts/setup.sh           what the CLI, the agent and `npm run demo` need (SoftHSM, OpenSC, OpenSSL, NSS tools)
#   bash scripts/setup.sh --tests   also every tool the tests check outputs with (.ci/apt-packages.txt)
# Works as root (no sudo needed) and as a user with sudo. Needs only apt and the npm registry: Electron's binary
# is never downloaded (the tray app's build tools live in desktop/, installed only to build installers).
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
case "${1:-}" in
  --tests) want_tests=1 ;;
  '') ;;
  *) echo "usage: bash scripts/setup.sh [--tests]" >&2; exit 2 ;;
esac

# Lines of .ci/apt-packages.txt marked "# demo" are what the product itself needs; the rest only the tests.
if [ "$want_tests" = 1 ]; then
  pkgs=$(sed -e 's/#.*//' .ci/apt-packages.txt | tr -s ' \n' ' ')
else
  pkgs=$(grep -E '#\s*demo' .ci/apt-packages.txt | sed -e 's/#.*//' | tr -s ' \n' ' ')
fi

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "Cần quyền root để cài:$missing / Root is needed to install:$missing (run as root, or install sudo)" >&2
    exit 1
  fi
  echo "apt-get install$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# pkcs11js builds against Node's headers; Electron's binary is not part of this install (see desktop/).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
# The tests also check the installer configuration against electron-builder's own schema.
if [ "$want_tests" = 1 ]; then npm ci --prefix desktop --no-audit --no-fund --loglevel=error; fi
# The test fixtures (test PKI, SoftHSM tokens, a corpus and documents from LibreOffice, Chromium and friends: about
# two minutes) are built here once, through the tests' own global setup, and checked by tests/fixtures.test.ts;
# `npm test` then finds them built (it rebuilds what is missing or stale).
if [ "$want_tests" = 1 ]; then npx vitest run tests/fixtures.test.ts; fi
