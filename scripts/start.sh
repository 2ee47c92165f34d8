#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the server on the
# embedded SQLite database (./leadterra.db). On a new database it prints a
# first workspace and API key. Extra arguments go to `leadterra serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/leadterra serve "$@"
