#!/usr/bin/env python3
"""Send benchmark: prints figures, asserts nothing.

Leadterra sends N leads x 1 step to Postfix's smtp-sink on loopback through M
mailboxes; the script prints messages/s, the server's CPU time and peak RSS.
Against the same sink, in the same run, it measures the raw ceiling
(smtp-source: one message per connection, 20 in parallel) and a pooled
nodemailer script (what a user would write instead), and prints both ratios.

With --postgres it also sends on a PostgreSQL 15 it starts itself, with 1, 2
and 3 nodes sharing the database, and prints each rate and the ratios.

With --scrape S it runs the send again while a scraper reads /metrics every
S seconds, and prints the scraped/unscraped ratio.

Usage: bench/send.py [--leads 100000] [--mailboxes 8] [--bin build/leadterra] [--dkim]
                     [--postgres] [--scrape 1]
Needs: postfix (smtp-sink, smtp-source), node + `npm install` in bench/.
"""
import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "peers"))
from procstat import busy_fraction, cpu_seconds, machine_cpu, peak_rss_mib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port):
    proc = subprocess.Popen(["smtp-sink", "-u", "nobody", "-c", f"127.0.0.1:{port}", "1000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    sys.exit("smtp-sink did not start")






class Api:
    def __init__(self, port, key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.h = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.h)
        r = self.conn.getresponse()
        payload = r.read()
        if r.status >= 300:
            sys.exit(f"{method} {path}: {r.status} {payload[:200]!r}")
        return json.loads(payload)


def start_node(args, database, env, workdir, name, bootstrap):
    """Starts `leadterra serve`; returns (proc, port, key or None)."""
    out = open(os.path.join(workdir, name + ".out"), "w+")
    proc = subprocess.Popen([args.bin, "serve", "--listen", "127.0.0.1:0", "--database", database,
                             "--rate-limit", "0", "--smtp-connections", str(args.mailboxes),
                             "--log-level", "warn"],
                            stdout=out, stderr=subprocess.DEVNULL, env=env)
    want = "API key" if bootstrap else "127.0.0.1:"
    for _ in range(400):
        out.seek(0)
        text = out.read()
        if want in text:
            port = int(re.search(r"127\.0\.0\.1:(\d+)", text).group(1))
            key = re.search(r"(sk_live_\w+)", text)
            return proc, port, key.group(1) if key else None
        time.sleep(0.05)
    proc.kill()
    sys.exit("leadterra did not start")


class Scraper(threading.Thread):
    """GETs /metrics every `interval` seconds, as Prometheus would, until
    stopped; counts the scrapes and their time."""

    def __init__(self, port, interval):
        super().__init__(daemon=True)
        self.port, self.interval = port, interval
        self.done = threading.Event()
        self.count, self.seconds, self.bytes = 0, 0.0, 0

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while not self.done.wait(self.interval):
            t0 = time.perf_counter()
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            self.bytes += len(r.read())
            self.seconds += time.perf_counter() - t0
            self.count += 1


def leadterra_run(args, sink_port, workdir, dkim=False, database=None, env=None, nodes=1,
                  scrape_interval=None, campaign=None):
    """Sends args.leads messages; with `nodes` > 1 every node (same database)
    sends; with `scrape_interval` a scraper reads /metrics that often during
    the send; `campaign` is the POST /v1/campaigns body (default: one step,
    no links, no tracking). Returns (seconds, CPU seconds of all nodes, peak RSS of the
    first, final metrics)."""
    database = database or "sqlite:" + os.path.join(workdir, "send.db")
    procs = []
    try:
        proc, port, key = start_node(args, database, env, workdir, "node0", True)
        procs.append(proc)
        api = Api(port, key)
        for m in range(args.mailboxes):
            api.call("POST", "/v1/mailboxes", {
                "email": f"sender{m}@sender.test", "fromName": "Sam Sender", "dailyLimit": 100000,
                "smtp": {"host": "127.0.0.1", "port": sink_port, "security": "none"}})
        if dkim:
            api.call("POST", "/v1/dkim-keys", {"domain": "sender.test"})
        camp = api.call("POST", "/v1/campaigns", campaign or {"name": "send bench", "sequenceSteps": [
            {"subject": "Quick question, {{firstName}}",
             "bodyHtml": "<p>Hi {{firstName}},</p><p>How is {{company}} doing?</p>"}]})["data"]["id"]
        for s in range(0, args.leads, 10000):
            api.call("POST", f"/v1/campaigns/{camp}/leads/bulk", {"leads": [
                {"email": f"lead{i}@company{i % 5000}.example", "firstName": f"First{i}",
                 "company": f"Company {i % 5000}"} for i in range(s, min(s + 10000, args.leads))]})
        for n in range(1, nodes):
            procs.append(start_node(args, database, env, workdir, f"node{n}", False)[0])
        cpu0 = sum(cpu_seconds(p.pid) for p in procs)
        machine0 = machine_cpu()
        scraper = Scraper(port, scrape_interval) if scrape_interval else None
        t0 = time.perf_counter()
        if scraper:
            scraper.start()
        api.call("POST", f"/v1/campaigns/{camp}/start")
        done, progress_at = -1, time.perf_counter()
        while True:
            m = api.call("GET", f"/v1/campaigns/{camp}/stats")["data"]["metrics"]
            if m["delivered"] + m["bounced"] >= args.leads:
                break
            if m["delivered"] + m["bounced"] != done:
                done, progress_at = m["delivered"] + m["bounced"], time.perf_counter()
            elif time.perf_counter() - progress_at > 120:
                raise SystemExit(f"stalled: no send for 120 s at {done} of {args.leads}: {m}")
            time.sleep(0.1)
        seconds = time.perf_counter() - t0
        if scraper:
            scraper.done.set()
            scraper.join()
            m["scrapes"], m["scrape_seconds"], m["scrape_bytes"] = (
                scraper.count, scraper.seconds, scraper.bytes)
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
        m["machine_busy"] = busy_fraction(machine0, machine_cpu())
        return seconds, cpu, peak_rss_mib(procs[0].pid), m
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()


def postgres_runs(args, sink_port):
    """The same send on PostgreSQL with 1, 2 and 3 nodes (fresh schema each)."""
    from postgres_peer import PostgresPeer  # tests/peers
    rates = {}
    with PostgresPeer(fast=False) as pg, tempfile.TemporaryDirectory() as workdir:
        env = dict(os.environ, LEADTERRA_MASTER_KEY="4c" * 32)
        for nodes in args.pg_nodes:
            schema = f"send{nodes}"
            pg.psql(f"CREATE SCHEMA {schema}")
            database = pg.url + "?options=-csearch_path%3D" + schema
            seconds, cpu, _, m = leadterra_run(args, sink_port, workdir, database=database, env=env,
                                               nodes=nodes)
            rates[nodes] = args.leads / seconds
            print(f"leadterra on PostgreSQL, {nodes} node(s): {rates[nodes]:,.0f} msg/s; "
                  f"CPU of the nodes {cpu:.1f} s; machine CPU busy {m['machine_busy']:.0%} "
                  f"(nodes, PostgreSQL, sink); delivered {m['delivered']:,}", flush=True)
    if 1 in rates:
        print("ratio to 1 node: " + ", ".join(f"{n} nodes {rates[n] / rates[1]:.2f}"
                                              for n in args.pg_nodes if n != 1))


def smtp_source_seconds(port, count):
    t0 = time.perf_counter()
    subprocess.run(["smtp-source", "-s", "20", "-m", str(count), "-f", "sales@sender.test",
                    "-t", "lead@company.example", f"127.0.0.1:{port}"], check=True)
    return time.perf_counter() - t0


def nodemailer_seconds(port, count, connections):
    if not os.path.isdir(os.path.join(HERE, "node_modules", "nodemailer")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE,
                       check=True)
    out = subprocess.run(["node", os.path.join(HERE, "nodemailer_send.mjs"), str(port), str(count),
                          str(connections)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--mailboxes", type=int, default=8)
    ap.add_argument("--bin", default=os.environ.get("LEADTERRA_BIN", "build/leadterra"))
    ap.add_argument("--dkim", action="store_true",
                    help="also run with a 2048-bit DKIM key and print the signed/unsigned ratio")
    ap.add_argument("--postgres", action="store_true",
                    help="also send on PostgreSQL with 1, 2 and 3 nodes")
    ap.add_argument("--pg-nodes", type=lambda v: [int(n) for n in v.split(",")], default=[1, 2, 3],
                    help="node counts for --postgres (default 1,2,3)")
    ap.add_argument("--scrape", type=float, default=0, metavar="SECONDS",
                    help="also run with /metrics scraped every SECONDS and print the ratio")
    ap.add_argument("--reference-messages", type=int, default=20_000,
                    help="messages for the smtp-source and nodemailer runs (rates are compared)")
    args = ap.parse_args()
    port = free_port()
    sink = start_sink(port)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            seconds, cpu, rss, metrics = leadterra_run(args, port, workdir)
        rate = args.leads / seconds
        print(f"leadterra: {args.leads:,} messages via {args.mailboxes} mailboxes in {seconds:.2f} s "
              f"= {rate:,.0f} msg/s; server CPU {cpu:.1f} s ({cpu / seconds * 100:.0f}% of one core); "
              f"peak RSS {rss:.0f} MiB; delivered {metrics['delivered']:,}, bounced {metrics['bounced']}")
        if args.dkim:
            with tempfile.TemporaryDirectory() as workdir:
                signed_s, signed_cpu, _, _ = leadterra_run(args, port, workdir, dkim=True)
            signed = args.leads / signed_s
            print(f"leadterra with DKIM (rsa-sha256, 2048-bit): {signed:,.0f} msg/s; server CPU "
                  f"{signed_cpu:.1f} s; ratio signed / unsigned: {signed / rate:.2f}")
        if args.scrape:
            with tempfile.TemporaryDirectory() as workdir:
                scraped_s, _, _, sm = leadterra_run(args, port, workdir,
                                                    scrape_interval=args.scrape)
            scraped = args.leads / scraped_s
            print(f"leadterra with /metrics scraped every {args.scrape:g} s: {scraped:,.0f} msg/s "
                  f"({sm['scrapes']} scrapes of {sm['scrape_bytes'] / max(1, sm['scrapes']) / 1024:.1f} KB, "
                  f"mean {sm['scrape_seconds'] / max(1, sm['scrapes']) * 1000:.2f} ms); "
                  f"ratio scraped / not: {scraped / rate:.3f}")
        if args.postgres:
            postgres_runs(args, port)
        n = args.reference_messages
        src_rate = n / smtp_source_seconds(port, n)
        print(f"smtp-source (raw ceiling, 20 parallel, {n:,} messages): {src_rate:,.0f} msg/s")
        node_rate = n / nodemailer_seconds(port, n, args.mailboxes)
        print(f"nodemailer pooled ({args.mailboxes} connections, {n:,} messages): "
              f"{node_rate:,.0f} msg/s")
        print(f"ratio leadterra / smtp-source: {rate / src_rate:.2f}; "
              f"leadterra / nodemailer: {rate / node_rate:.2f}x")
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
