#!/usr/bin/python3
"""Open and click tracking benchmark (SPEC §13): prints figures, asserts nothing.

1. HTTP. One server (--rate-limit 0) sends a campaign with tracking on
   (opens and clicks, three links) to --leads leads through the repository's
   aiosmtpd peer (tests/e2e/smtp_peer.py), which records the messages; the
   open-pixel and tracked-link paths are read from them. Then wrk, with the
   same threads, connections and duration each time, GETs /healthz, the pixels
   (GET /t/o/<token>, 200) and the links (GET /t/c/<token>, 302), picking a
   random path of the set for each request, and the script prints
   requests/s, p50, p99 and the ratio to /healthz (goal: at least 0.5).
   wrk counts only answers of 400 and above as errors, so 302s are successes.
   Each token is rate-limited in memory (about 1/s, bursts of 10); that only
   decides whether a hit is recorded, never the answer, so wrk measures the
   answer path (the recorded hits are printed too).
2. Sending. bench/send.py's send (fresh SQLite server, Postfix's smtp-sink on
   loopback, timed from the start request until stats show every message
   delivered) of --messages messages with the same HTML body of three links,
   tracking off and then on (opens and clicks); prints msg/s of both and the
   ratio on/off (goal: at least 0.8).

Usage: /usr/bin/python3 bench/tracking.py [--duration 10s] [--connections 32] [--threads 2]
                                          [--messages 20000] [--leads 50] [--mailboxes 8]
                                          [--bin build/leadterra]
Needs: wrk, postfix (smtp-sink), python3-aiosmtpd (hence /usr/bin/python3).
"""
import argparse
import html
import http.client
import os
import re
import subprocess
import sys
import tempfile
import logging
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from send import Api, free_port, leadterra_run, start_node, start_sink  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's login_data warning
try:
    from smtp_peer import SmtpPeer  # noqa: E402  (tests/e2e; needs aiosmtpd)
except ImportError:
    sys.exit("needs aiosmtpd: run with /usr/bin/python3 (python3-aiosmtpd)")

BROWSER = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0 Safari/537.36")
BODY = ('<p>Hi {{firstName}},</p><p>How is {{company}} doing? Our '
        '<a href="https://acme.test/pricing?plan=pro&amp;ref=mail">pricing</a>, the '
        '<a href="https://acme.test/docs/getting-started">docs</a> and a '
        '<a href="https://acme.test/case-studies/{{company}}">case study</a>.</p>'
        '<p>Sam</p>')
TRACKED_RE = re.compile(r'/t/([oc])/[^"\'\s<>]+')


def tracked_paths(args, workdir):
    """Starts a server with a campaign of args.leads tracked messages to the
    aiosmtpd peer; returns (server proc, port, open paths, click paths)."""
    peer = SmtpPeer().start()
    proc, port, key = start_node(args, "sqlite:" + os.path.join(workdir, "http.db"), None,
                                 workdir, "http", True)
    try:
        api = Api(port, key)
        api.call("POST", "/v1/mailboxes", peer.mailbox_body(daily_limit=100_000))
        camp = api.call("POST", "/v1/campaigns", {
            "name": "tracking bench", "tracking": {"opens": True, "clicks": True},
            "sequenceSteps": [{"subject": "Quick question, {{firstName}}", "bodyHtml": BODY}]})
        camp = camp["data"]["id"]
        api.call("POST", f"/v1/campaigns/{camp}/leads/bulk", {"leads": [
            {"email": f"lead{i}@company{i}.example", "firstName": f"First{i}",
             "company": f"Company{i}"} for i in range(args.leads)]})
        api.call("POST", f"/v1/campaigns/{camp}/start")
        deadline = time.monotonic() + 120
        while len(peer.snapshot()) < args.leads:
            if time.monotonic() > deadline:
                sys.exit(f"only {len(peer.snapshot())} of {args.leads} messages arrived")
            time.sleep(0.1)
        paths = {"o": set(), "c": set()}
        for m in peer.snapshot():
            body = m["msg"].get_body(preferencelist=("html",)).get_content()
            for match in TRACKED_RE.finditer(body):
                paths[match.group(1)].add(html.unescape(match.group(0)))
        return proc, port, sorted(paths["o"]), sorted(paths["c"])
    except BaseException:
        proc.terminate()
        proc.wait()
        raise
    finally:
        peer.stop()


def check(port, path, want):
    """Fails the run (not a figure) if `path` does not answer `want`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"User-Agent": BROWSER})
    r = conn.getresponse()
    r.read()
    conn.close()
    if r.status != want:
        sys.exit(f"GET {path}: {r.status}, expected {want}")


def wrk(args, port, paths, workdir):
    """wrk GETs a random one of `paths` per request; returns
    (requests/s, p50 ms, p99 ms, answers >= 400, socket errors)."""
    script = os.path.join(workdir, "paths.lua")
    with open(script, "w") as f:
        f.write('wrk.headers["User-Agent"] = "%s"\n' % BROWSER)
        f.write("local paths = {%s}\n" % ", ".join('"%s"' % p for p in paths))
        f.write("""local n = #paths
request = function() return wrk.format("GET", paths[math.random(n)]) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %f %f %f %d %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
""")
    out = subprocess.run(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}",
                          "-s", script, f"http://127.0.0.1:{port}"],
                         check=True, capture_output=True, text=True).stdout
    fields = re.search(r"^RESULT (.*)$", out, re.M).group(1).split()
    return float(fields[0]), float(fields[1]), float(fields[2]), int(fields[3]), int(fields[4])


def tracking_hits(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    return {m.group(1): float(m.group(2)) for m in re.finditer(
        r'^leadterra_tracking_hits_total\{[^}]*result="(\w+)"[^}]*\} (\S+)$', text, re.M)}


def http_bench(args):
    with tempfile.TemporaryDirectory() as workdir:
        proc, port, opens, clicks = tracked_paths(args, workdir)
        try:
            check(port, "/healthz", 200)
            for p in opens:
                check(port, p, 200)
            for p in clicks:
                check(port, p, 302)
            time.sleep(1)  # let the checks' hits be written before the runs
            hits0 = tracking_hits(port)
            print(f"HTTP: wrk -t{args.threads} -c{args.connections} -d{args.duration}, a random path "
                  f"of the set per request, browser User-Agent; server --rate-limit 0; "
                  f"{len(opens)} open and {len(clicks)} click tokens from {args.leads} real messages; "
                  f"server and wrk share {os.cpu_count()} cores.")
            print("Each token is rate-limited (about 1/s, bursts of 10): that decides only whether "
                  "a hit is recorded, not the answer, so wrk measures the answer path. wrk counts "
                  "answers >= 400 as errors (302 is a success).", flush=True)
            print(f"{'endpoint':<22}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'>=400':>8}"
                  f"{'sock err':>10}{'/ healthz':>11}")
            base = None
            for label, paths in [("GET /healthz", ["/healthz"]), ("GET /t/o/:token (200)", opens),
                                 ("GET /t/c/:token (302)", clicks)]:
                rps, p50, p99, bad, sock = wrk(args, port, paths, workdir)
                base = base or rps
                ratio = "" if paths == ["/healthz"] else f"{rps / base:.2f}"
                print(f"{label:<22}{rps:>12,.0f}{p50:>9.2f}{p99:>9.2f}{bad:>8}{sock:>10}{ratio:>11}",
                      flush=True)
            time.sleep(1.5)
            hits = tracking_hits(port)
            print("goal: each tracking ratio at least 0.5. Hits recorded during the runs "
                  "(leadterra_tracking_hits_total): " +
                  ", ".join(f"{k} {v - hits0.get(k, 0):,.0f}" for k, v in sorted(hits.items())))
        finally:
            proc.terminate()
            proc.wait()


def send_bench(args):
    sink_port = free_port()
    sink = start_sink(sink_port)
    send_args = argparse.Namespace(leads=args.messages, mailboxes=args.mailboxes, bin=args.bin)
    print(f"Sending: {args.messages:,} messages via {args.mailboxes} mailboxes to smtp-sink, "
          "one HTML step with 3 links, timed from start until stats show all delivered "
          "(as bench/send.py).", flush=True)
    try:
        rates = {}
        for label, on in [("off", False), ("on (opens+clicks)", True)]:
            campaign = {"name": "send bench", "tracking": {"opens": on, "clicks": on},
                        "sequenceSteps": [{"subject": "Quick question, {{firstName}}",
                                           "bodyHtml": BODY}]}
            with tempfile.TemporaryDirectory() as workdir:
                seconds, cpu, rss, m = leadterra_run(send_args, sink_port, workdir,
                                                     campaign=campaign)
            rates[on] = args.messages / seconds
            print(f"tracking {label:<18} {seconds:6.2f} s = {rates[on]:>8,.0f} msg/s; server CPU "
                  f"{cpu:.1f} s; peak RSS {rss:.0f} MiB; delivered {m['delivered']:,}, "
                  f"bounced {m['bounced']}", flush=True)
        print(f"ratio on / off: {rates[True] / rates[False]:.2f} (goal: at least 0.8)")
    finally:
        sink.terminate()
        sink.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", default="10s", help="wrk duration of each HTTP run")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--leads", type=int, default=50,
                    help="tracked messages whose tokens wrk spreads its requests over")
    ap.add_argument("--messages", type=int, default=20_000, help="messages of each send run")
    ap.add_argument("--mailboxes", type=int, default=8)
    ap.add_argument("--bin", default=os.environ.get("LEADTERRA_BIN",
                                                    os.path.join(HERE, "..", "build", "leadterra")))
    args = ap.parse_args()
    print("Tracking benchmark (SPEC §13): the tracking endpoints against /healthz, and sending "
          "with tracking off and on. Prints figures, asserts nothing.", flush=True)
    http_bench(args)
    send_bench(args)


if __name__ == "__main__":
    main()
