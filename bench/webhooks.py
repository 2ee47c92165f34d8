#!/usr/bin/env python3
"""Webhook dispatch benchmark: prints figures, asserts nothing.

Phase 1 runs Leadterra with only the sender worker (`--workers sender`), so
the events it is given pile up in the outbox: N `webhook.test` events for one
endpoint (a small Node receiver on loopback that answers 204). Phase 2 starts
Leadterra again on the same database with every worker and times how long the
dispatcher takes to drain the outbox into the receiver: events/s, plus the
server's CPU time and peak RSS while draining.

Usage: bench/webhooks.py [--events 20000] [--bin build/leadterra]
Needs: node (the receiver is bench/webhook_receiver.mjs, no npm packages).
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstat import cpu_seconds, peak_rss_mib  # noqa: E402
from send import Api, free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def start_leadterra(binary, db, workers):
    out = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--database",
                             "sqlite:" + db, "--rate-limit", "0", "--log-level", "warn",
                             "--workers", workers], stdout=out, stderr=subprocess.DEVNULL)
    for _ in range(200):
        out.seek(0)
        text = out.read()
        if "listening" in text:
            return proc, int(re.search(r"127\.0\.0\.1:(\d+)", text).group(1)), text
        time.sleep(0.05)
    sys.exit("leadterra did not start")


def receiver_counts(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/count")
    return json.loads(conn.getresponse().read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--bin", default=os.environ.get("LEADTERRA_BIN", "build/leadterra"))
    args = ap.parse_args()
    rport = free_port()
    receiver = subprocess.Popen(["node", os.path.join(HERE, "webhook_receiver.mjs"), str(rport)],
                                stdout=subprocess.PIPE, text=True)
    receiver.stdout.readline()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            db = os.path.join(workdir, "webhooks.db")
            proc, port, text = start_leadterra(args.bin, db, "sender")
            key = re.search(r"(sk_live_\w+)", text).group(1)
            api = Api(port, key)
            hook = api.call("POST", "/v1/webhooks", {
                "url": f"http://127.0.0.1:{rport}/hook", "events": ["message.sent"]})["data"]
            t0 = time.perf_counter()
            for _ in range(args.events):
                api.call("POST", f"/v1/webhooks/{hook['id']}/test")
            queued = time.perf_counter() - t0
            proc.terminate()
            proc.wait()

            proc, port, _ = start_leadterra(args.bin, db, "sender,webhooks")
            cpu0 = cpu_seconds(proc.pid)
            t0 = time.perf_counter()
            while receiver_counts(rport)["distinct"] < args.events:
                time.sleep(0.02)
            seconds = time.perf_counter() - t0
            cpu = cpu_seconds(proc.pid) - cpu0
            rss = peak_rss_mib(proc.pid)
            counts = receiver_counts(rport)
            proc.terminate()
            proc.wait()
        print(f"outbox filled: {args.events:,} events in {queued:.2f} s "
              f"({args.events / queued:,.0f} test events/s through the API)")
        print(f"dispatch: {args.events:,} events drained in {seconds:.2f} s = "
              f"{args.events / seconds:,.0f} events/s; server CPU {cpu:.1f} s "
              f"({cpu / seconds * 100:.0f}% of one core); peak RSS {rss:.0f} MiB; "
              f"receiver got {counts['posts']:,} POSTs for {counts['distinct']:,} events")
    finally:
        receiver.terminate()
        receiver.wait()


if __name__ == "__main__":
    main()
