#!/usr/bin/env bash
# Screenshots of every dashboard page into docs/screenshots/ (PNG, 1280 px
# wide; the mobile-* and *-mobile ones 390 px): builds web/ apart, starts the
# binary on a fresh SQLite file with an SMTP peer (aiosmtpd) and an IMAP peer
# (Dovecot, one user per sending mailbox), fills a workspace with sample data
# (tests/node/dashboard/seed.mjs), and lets Chromium visit each page
# (tests/node/dashboard/screenshots.mjs).
#
# usage: scripts/screenshots.sh [OUTDIR]   (LEADTERRA_BIN picks the binary;
# SHOT_WIDTH=390 takes every page at that width)
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
# open and click some the way people and machines would. And it answers for
# the leads: seed.mjs writes $TMP/replies.json ([{to, kind: reply |
# out_of_office, body, fromName}]); each one is put, threaded under what the
# lead was sent, into the IMAP inbox of the mailbox that sent it (a Dovecot
# user named like the mailbox), a second apart.
"$PY" -u - >"$TMP/peer.out" 2>"$TMP/peer.err" <<EOF &
import email.utils, json, os, signal, sys, time
sys.path.insert(0, "$ROOT/tests/e2e")
from smtp_peer import SmtpPeer
from imap_peer import DovecotPeer, out_of_office, reply
p = SmtpPeer().start()
d = DovecotPeer().start()
def bye(*_):
    d.stop()
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
for mailbox in ("dana@northwind-outbound.test", "sam@northwind-outbound.test"):
    d.add_user(mailbox, "imap-pw")
print(p.port)
print(d.port)
seen, tracked, answered = 0, [], 0
while True:
    time.sleep(0.3)
    snap = p.snapshot()
    new = snap[seen:]
    seen += len(new)
    htmls = [(m["to"], m["msg"].get_body(preferencelist=("html",))) for m in new]
    found = [{"to": to, "html": b.get_content()} for to, b in htmls if b is not None and "/t/o/" in b.get_content()]
    if found:
        tracked += found
        with open("$TMP/tracked.json.tmp", "w") as f:
            json.dump(tracked, f)
        os.replace("$TMP/tracked.json.tmp", "$TMP/tracked.json")
    if os.path.exists("$TMP/replies.json"):
        with open("$TMP/replies.json") as f:
            asked = json.load(f)
        for r in asked[answered:]:
            sent = [m["msg"] for m in snap if r["to"].lower() in [t.lower() for t in m["to"]]]
            if not sent:
                break
            m = sent[-1]
            name, mailbox = email.utils.parseaddr(str(m["From"]))
            answered += 1
            if mailbox not in d.users:
                continue
            mid, subject = str(m["Message-ID"]).strip(), str(m["Subject"])
            plain = m.get_body(preferencelist=("plain",))
            if r.get("kind") == "out_of_office":
                raw = out_of_office(r["to"], mailbox, subject, mid, from_name=r.get("fromName"))
            else:
                raw = reply(r["to"], mailbox, "Re: " + subject, mid, body=r["body"], from_name=r.get("fromName"),
                            to_name=name or None, quoted=plain.get_content().strip() if plain is not None else None)
            d.deliver(mailbox, raw)
            time.sleep(1.05)  # Date headers count whole seconds: one reply a second
EOF
PIDS+=($!)
for _ in $(seq 100); do [ "$(wc -l <"$TMP/peer.out")" -ge 2 ] && break; sleep 0.1; done
SMTP_PORT=$(sed -n 1p "$TMP/peer.out")
IMAP_PORT=$(sed -n 2p "$TMP/peer.out")

DB="sqlite:$TMP/shots.db"
KEY=$(cd "$TMP" && "$BIN" workspace create "Northwind Outbound" --database "$DB" | tail -1)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$TMP" && exec "$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" --web-dir "$TMP/web" \
  >"$TMP/server.out" 2>"$TMP/server.err") &
PIDS+=($!)
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done

IDS=$(TRACKED_MAIL_FILE="$TMP/tracked.json" INBOX_REQUESTS_FILE="$TMP/replies.json" IMAP_PORT="$IMAP_PORT" IMAP_PASSWORD=imap-pw \
  node tests/node/dashboard/seed.mjs "$URL" "$KEY" "$SMTP_PORT" | tail -1)
mkdir -p "$OUT"
node tests/node/dashboard/screenshots.mjs "$URL" "$KEY" "$OUT" "$IDS"
echo "screenshots in $OUT"
