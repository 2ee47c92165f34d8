#!/usr/bin/env bash
# Installs every Debian package Leadterra needs to build, run and test.
# Idempotent: installs only what is missing; uses apt, and npm for the
# pinned Node packages (package-lock.json) of the folders listed below.
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build ccache g++ clang libclang-rt-14-dev pkg-config dpkg-dev
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libgumbo-dev
  libcurl4-openssl-dev libgmime-3.0-dev libidn2-dev libhowardhinnant-date-dev tzdata
  prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev python3 python3-pytest python3-requests python3-aiosmtpd sqlite3 wrk curl
  dovecot-imapd python3-dkim openssl postgresql-15 postgresql-client-15
  prometheus  # promtool checks the /metrics exposition
  chromium fonts-dejavu-core  # the dashboard's browser tests (driven by playwright-core)
)
# Node.js 20 and npm come with the machine; from Debian when they do not.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then PACKAGES+=(nodejs npm); fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"

# Node packages, exactly as locked: the dashboard's (bundled into the binary
# at build time), the TypeScript client and the test tools
# (the MCP SDK, Redocly's OpenAPI linter). `npm ci` runs again only when a
# lock file changed since the last install.
cd "$(dirname "$0")/.."
for dir in web clients/typescript tests/node; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
echo "setup: node packages present"
