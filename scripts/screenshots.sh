#!/usr/bin/env bash
# Screenshots of every dashboard page into docs/screenshots/ (PNG, 1280 px
# wide; the mobile-* ones 390 px): builds web/ apart, starts the binary on a
# fresh SQLite file with an SMTP peer (aiosmtpd), fills a workspace with
# sample data (tests/node/dashboard/seed.mjs), and lets Chromium visit each
# page (tests/node/dashboard/screenshots.mjs).
#
# usage: scripts/screenshots.sh [OUTDIR]   (LEADTERRA_BIN picks the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${1:-$ROOT/docs/screenshots}
BIN=${LEADTERRA_BIN:-$ROOT/build/leadterra}
PY=/usr/bin/python3   # Debian's, with python3-aiosmtpd
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

node web/build.mjs "$TMP/web" >/dev/null

# The peer also writes the HTML of messages with tracking URLs to
# $TMP/tracked.json (JSON [{to, html}], renamed into place), for seed.mjs to
# open and click some the way people and machines would.
"$PY" -u - >"$TMP/peer.out" 2>"$TMP/peer.err" <<EOF &
import json, os, sys, time
sys.path.insert(0, "$ROOT/tests/e2e")
from smtp_peer import SmtpPeer
p = SmtpPeer().start()
print(p.port)
seen, tracked = 0, []
while True:
    time.sleep(0.3)
    new = p.snapshot()[seen:]
    seen += len(new)
    htmls = [(m["to"], m["msg"].get_body(preferencelist=("html",))) for m in new]
    found = [{"to": to, "html": b.get_content()} for to, b in htmls if b is not None and "/t/o/" in b.get_content()]
    if found:
        tracked += found
        with open("$TMP/tracked.json.tmp", "w") as f:
            json.dump(tracked, f)
        os.replace("$TMP/tracked.json.tmp", "$TMP/tracked.json")
EOF
PIDS+=($!)
for _ in $(seq 50); do [ -s "$TMP/peer.out" ] && break; sleep 0.1; done
SMTP_PORT=$(head -1 "$TMP/peer.out")

DB="sqlite:$TMP/shots.db"
KEY=$(cd "$TMP" && "$BIN" workspace create "Northwind Outbound" --database "$DB" | tail -1)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$TMP" && exec "$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" --web-dir "$TMP/web" \
  >"$TMP/server.out" 2>"$TMP/server.err") &
PIDS+=($!)
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done

IDS=$(TRACKED_MAIL_FILE="$TMP/tracked.json" node tests/node/dashboard/seed.mjs "$URL" "$KEY" "$SMTP_PORT" | tail -1)
mkdir -p "$OUT"
node tests/node/dashboard/screenshots.mjs "$URL" "$KEY" "$OUT" "$IDS"
echo "screenshots in $OUT"
