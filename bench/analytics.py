#!/usr/bin/env python3
"""Analytics benchmark: prints figures, asserts nothing.

One server sends two real campaigns to Postfix's smtp-sink on loopback
(12 mailboxes of 100,000 a day): a small one of 1,000 messages and a large one of --large
messages (default 1,000,000), waiting each time until stats show every
message delivered. Then it times GET /v1/campaigns/:id/analytics for both
(by day over the default 30 days, and by hour over the last 48 hours),
--calls calls each after a warm-up (alternating between the two), from this script on the same machine,
and prints medians, p99 and the large/small ratio (goal: at most 1.5).
The endpoint reads counters kept per 15-minute slot, so its cost should
follow the slots the send spanned, not the messages.

Usage: bench/analytics.py [--large 1000000] [--calls 200] [--bin build/leadterra]
                          [--database postgres://…]
Needs: postfix (smtp-sink).
"""
import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from send import Api, free_port, start_node, start_sink  # noqa: E402


def send(api, name, count, sink_port):
    camp = api.call("POST", "/v1/campaigns", {"name": name, "sequenceSteps": [
        {"subject": "Quick question, {{firstName}}",
         "bodyHtml": "<p>Hi {{firstName}},</p><p>How is {{company}} doing?</p>"}]})["data"]["id"]
    for s in range(0, count, 10000):
        api.call("POST", f"/v1/campaigns/{camp}/leads/bulk", {"leads": [
            {"email": f"{name}{i}@company{i % 5000}.example", "firstName": f"First{i}",
             "company": f"Company {i % 5000}"} for i in range(s, min(s + 10000, count))]})
    t0 = time.perf_counter()
    api.call("POST", f"/v1/campaigns/{camp}/start")
    while True:
        m = api.call("GET", f"/v1/campaigns/{camp}/stats")["data"]["metrics"]
        if m["delivered"] + m["bounced"] >= count:
            break
        time.sleep(0.2)
    print(f"{name}: {count:,} messages delivered in {time.perf_counter() - t0:.0f} s", flush=True)
    return camp


def timed(api, paths, calls):
    """Times GET of each of `paths`, alternating between them so that both
    see the same machine; returns [(median ms, p99 ms, last body)] per path."""
    for path in paths:
        api.call("GET", path)
    samples = [[] for _ in paths]
    bodies = [None] * len(paths)
    for _ in range(calls):
        for i, path in enumerate(paths):
            t0 = time.perf_counter()
            bodies[i] = api.call("GET", path)
            samples[i].append((time.perf_counter() - t0) * 1000)
    out = []
    for s, body in zip(samples, bodies):
        s.sort()
        out.append((statistics.median(s), s[int(len(s) * 0.99) - 1], body["data"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--mailboxes", type=int, default=12)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "leadterra"))
    ap.add_argument("--database", default="")
    args = ap.parse_args()
    sink_port = free_port()
    sink = start_sink(sink_port)
    with tempfile.TemporaryDirectory() as work:
        database = args.database or "sqlite:" + os.path.join(work, "analytics.db")
        proc, port, key = start_node(args, database, None, work, "node0", True)
        try:
            api = Api(port, key)
            for m in range(args.mailboxes):
                api.call("POST", "/v1/mailboxes", {
                    "email": f"sender{m}@sender.test", "fromName": "Sam Sender",
                    "dailyLimit": 100_000,
                    "smtp": {"host": "127.0.0.1", "port": sink_port, "security": "none"}})
            small = send(api, "small", 1000, sink_port)
            large = send(api, "large", args.large, sink_port)
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            hour_query = urllib.parse.urlencode({
                "interval": "hour", "to": (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z"),
                "from": (now - datetime.timedelta(hours=47)).strftime("%Y-%m-%dT%H:00:00Z")})
            print(f"{'query':<30}{'1,000 msgs':>22}{f'{args.large:,} msgs':>24}{'ratio':>8}")
            for label, query in [("by day, last 30 days", ""), ("by hour, last 48 hours", "?" + hour_query)]:
                (s_med, s_p99, _), (l_med, l_p99, l_data) = timed(
                    api, [f"/v1/campaigns/{small}/analytics{query}",
                          f"/v1/campaigns/{large}/analytics{query}"], args.calls)
                assert l_data["totals"]["delivered"] == args.large, l_data["totals"]
                print(f"{label:<30}{s_med:>9.2f} ms (p99 {s_p99:.2f}){l_med:>11.2f} ms (p99 {l_p99:.2f})"
                      f"{l_med / s_med:>8.2f}")
        finally:
            proc.terminate()
            proc.wait()
            sink.terminate()
            sink.wait()


if __name__ == "__main__":
    main()
