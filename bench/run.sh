#!/usr/bin/env bash
# Benchmarks that print figures (nothing here asserts a time).
#   bench/run.sh            all benchmarks
# HTTP: wrk against GET /v1/campaigns/:id on a fresh SQLite database, rate
# limiting off, printing requests/s and latency percentiles.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LEADTERRA_BIN:-build/leadterra}
[ -x "$BIN" ] || scripts/build.sh >/dev/null
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
"$BIN" serve --listen 127.0.0.1:0 --database "sqlite:$work/bench.db" --rate-limit 0 \
  --log-level warn >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 100); do grep -q 'API key' "$work/out" 2>/dev/null && break; sleep 0.05; done
url=$(grep -o 'http://[0-9.:]*' "$work/out")
key=$(grep -o 'sk_live_[A-Za-z0-9]*' "$work/out")

campaign=$(curl -sf "$url/v1/campaigns" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' \
  -d '{"name":"bench","sequenceSteps":[{"subject":"Hi {{firstName}}","bodyHtml":"<p>Hello</p>"},{"delayDays":3,"subject":"","bodyHtml":"<p>Again</p>"}]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')

cat >"$work/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $key"
done = function(summary, latency, requests)
  io.write(string.format("GET /v1/campaigns/:id  requests/s=%.0f  p50=%.2fms  p99=%.2fms  errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (server and wrk share $(nproc) cores)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$work/auth.lua" "$url/v1/campaigns/$campaign" |
  tail -n 1
