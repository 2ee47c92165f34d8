#!/usr/bin/env bash
# Installs every Debian package Leadterra needs to build, run and test.
# Idempotent: installs only what is missing; uses apt only.
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build ccache g++ clang libclang-rt-14-dev pkg-config
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libgumbo-dev
  libcurl4-openssl-dev libgmime-3.0-dev libhowardhinnant-date-dev tzdata libopendkim-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev python3 python3-pytest python3-requests python3-aiosmtpd sqlite3 wrk curl
  dovecot-imapd python3-dkim openssl postgresql-15 postgresql-client-15
)

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
