#!/usr/bin/env python3
"""Inbound benchmark: prints figures, asserts nothing.

Runs Leadterra with a real SMTP peer (aiosmtpd) and a real Dovecot on
loopback. N leads get one message; then N replies (threaded by In-Reply-To)
are delivered into the mailbox's INBOX and the script measures:
  - latency: for a few replies delivered one at a time at random moments,
    the time until GET /stats counts them, with the given poll interval
    (default: the product default, 60 s);
  - throughput: N replies delivered at once, polled every second, the time
    until all are counted (replies processed per second).

Usage: bench/inbound.py [--latency-replies 3] [--interval 60] [--replies 1000]
Needs: dovecot-imapd and python3-aiosmtpd (scripts/setup.sh installs both).
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from imap_peer import DovecotPeer, reply  # noqa: E402
from send import Api  # noqa: E402
from smtp_peer import SmtpPeer  # noqa: E402

USER, PASSWORD = "sales@sender.test", "secret"


def start_leadterra(binary, workdir):
    out = open(os.path.join(workdir, "out"), "w+")
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--database",
                             "sqlite:" + os.path.join(workdir, "inbound.db"), "--rate-limit", "0",
                             "--log-level", "warn"], stdout=out, stderr=subprocess.DEVNULL)
    for _ in range(200):
        out.seek(0)
        text = out.read()
        if "API key" in text:
            port = int(re.search(r"127\.0\.0\.1:(\d+)", text).group(1))
            return proc, Api(port, re.search(r"(sk_live_\w+)", text).group(1))
        time.sleep(0.05)
    sys.exit("leadterra did not start")


def campaign_with_sends(api, smtp, leads, tag):
    camp = api.call("POST", "/v1/campaigns", {"name": "inbound bench " + tag, "sequenceSteps": [
        {"subject": "Quick question, {{firstName}}", "bodyHtml": "<p>Hi {{firstName}}</p>"}]})
    cid = camp["data"]["id"]
    emails = [f"lead{i}-{tag}@company{i}.example" for i in range(leads)]
    api.call("POST", f"/v1/campaigns/{cid}/leads/bulk",
             {"leads": [{"email": e, "firstName": "L"} for e in emails]})
    api.call("POST", f"/v1/campaigns/{cid}/start")
    while api.call("GET", f"/v1/campaigns/{cid}/stats")["data"]["metrics"]["delivered"] < leads:
        time.sleep(0.1)
    sent = {}
    for m in smtp.snapshot():
        to = str(m["to"][0] if isinstance(m["to"], (list, tuple)) else m["to"]).lower()
        sent[to] = m["msg"]["Message-ID"]
    return cid, [(e, sent[e]) for e in emails]


def replied(api, cid):
    return api.call("GET", f"/v1/campaigns/{cid}/stats")["data"]["metrics"]["replied"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("LEADTERRA_BIN", "build/leadterra"))
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--latency-replies", type=int, default=3)
    ap.add_argument("--replies", type=int, default=1000)
    args = ap.parse_args()
    smtp = SmtpPeer().start()
    dovecot = DovecotPeer()
    dovecot.start()
    dovecot.add_user(USER, PASSWORD)
    with tempfile.TemporaryDirectory() as workdir:
        proc, api = start_leadterra(args.bin, workdir)
        try:
            body = smtp.mailbox_body(email_address=USER, daily_limit=100000)
            body["imap"] = dovecot.mailbox_imap(USER, PASSWORD, poll=args.interval)
            mbx = api.call("POST", "/v1/mailboxes", body)["data"]["id"]

            cid, sent = campaign_with_sends(api, smtp, args.latency_replies, "latency")
            rng = random.Random(7)
            latencies = []
            for n, (email, msgid) in enumerate(sent, 1):
                time.sleep(rng.uniform(0, args.interval))
                dovecot.deliver(USER, reply(email, USER, "Re: Quick question", msgid))
                t0 = time.perf_counter()
                while replied(api, cid) < n:
                    time.sleep(0.05)
                latencies.append(time.perf_counter() - t0)
            print(f"reply latency with a {args.interval} s poll interval: "
                  + ", ".join(f"{x:.1f} s" for x in latencies)
                  + f" (mean {sum(latencies) / len(latencies):.1f} s, worst case one interval "
                    "plus the poll)")

            api.call("PATCH", f"/v1/mailboxes/{mbx}", {"imap": {"pollIntervalSeconds": 1}})
            cid, sent = campaign_with_sends(api, smtp, args.replies, "throughput")
            # Paused mailboxes are not polled: queue every reply, then time
            # from resuming until all are counted.
            api.call("PATCH", f"/v1/mailboxes/{mbx}", {"status": "paused"})
            for email, msgid in sent:
                dovecot.deliver(USER, reply(email, USER, "Re: Quick question", msgid))
            api.call("PATCH", f"/v1/mailboxes/{mbx}", {"status": "active"})
            t0 = time.perf_counter()
            while replied(api, cid) < args.replies:
                time.sleep(0.05)
            seconds = time.perf_counter() - t0
            print(f"throughput: {args.replies:,} replies read, parsed and applied in "
                  f"{seconds:.2f} s = {args.replies / seconds:,.0f} replies/s "
                  f"(1 s poll interval; fetched in batches of 200)")
        finally:
            proc.terminate()
            proc.wait()
            dovecot.stop()
            smtp.stop()


if __name__ == "__main__":
    main()
