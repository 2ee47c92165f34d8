#!/usr/bin/env python3
"""Lead ingest benchmark: prints figures, asserts nothing.

1. 1,000,000 leads through the real HTTP API (POST /v1/campaigns/:id/leads/bulk,
   10,000 per request) into a fresh SQLite database: leads/s and the server's
   peak RSS.
2. The same rows as CSV through the sqlite3 command-line tool's .import into
   an equivalent table (same columns, same unique key on workspace + email),
   and the ratio of the two times.
3. GET /v1/campaigns/:id/stats latency at 1,000 and at 1,000,000 enrolled
   leads, and their ratio.

With --postgres the server runs on a PostgreSQL 15 the script starts itself
(durable settings), and step 2 is `psql \\copy` of the same rows into an
equivalent PostgreSQL table instead.

Usage: bench/ingest.py [--leads N] [--batch N] [--bin build/leadterra] [--postgres]
"""
import argparse
import csv
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "peers"))
from procstat import peak_rss_mib  # noqa: E402


def start_server(binary, workdir, database, env=None, tag="server"):
    """Starts `leadterra serve` on a free port; returns (process, port, API key)."""
    out = open(os.path.join(workdir, tag + ".out"), "w+")
    err = open(os.path.join(workdir, tag + ".err"), "w")
    proc = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--database", database, "--rate-limit", "0",
         "--log-level", "warn"], stdout=out, stderr=err, env=env)
    for _ in range(400):
        out.seek(0)
        text = out.read()
        if "API key" in text:
            port = int(re.search(r"127\.0\.0\.1:(\d+)", text).group(1))
            key = re.search(r"(sk_live_\w+)", text).group(1)
            return proc, port, key
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.exit("server did not start: " + open(os.path.join(workdir, tag + ".err")).read()[-2000:])


class Client:
    def __init__(self, port, key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status >= 300:
            sys.exit(f"{method} {path} -> {resp.status} {payload[:300]!r}")
        return json.loads(payload)


def lead(i):
    return {"email": f"lead{i}@company{i % 5000}.example", "firstName": f"First{i}",
            "lastName": f"Last{i}", "company": f"Company {i % 5000}",
            "jobTitle": "VP Sales", "customFields": {"industry": "SaaS", "rank": str(i)}}




def make_campaign(client, name):
    steps = [{"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hello {{company}}</p>"}]
    return client.call("POST", "/v1/campaigns", {"name": name, "sequenceSteps": steps})["data"]["id"]


def stats_latency_ms(client, campaign, rounds=300):
    for _ in range(20):
        client.call("GET", f"/v1/campaigns/{campaign}/stats")
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        client.call("GET", f"/v1/campaigns/{campaign}/stats")
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def sqlite_import_seconds(rows_csv, workdir):
    db = os.path.join(workdir, "import.db")
    schema = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE leads (workspace_id TEXT NOT NULL, email_norm TEXT NOT NULL, id TEXT NOT NULL,"
        " email TEXT NOT NULL, first_name TEXT, last_name TEXT, company TEXT, job_title TEXT,"
        " custom_fields TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
        " PRIMARY KEY (workspace_id, email_norm)) WITHOUT ROWID;"
        "CREATE UNIQUE INDEX leads_by_id ON leads(workspace_id, id);")
    subprocess.run(["sqlite3", db, schema], check=True, capture_output=True)
    t0 = time.perf_counter()
    subprocess.run(["sqlite3", db, ".mode csv", f".import {rows_csv} leads"], check=True)
    return time.perf_counter() - t0


def psql_copy_seconds(pg, rows_csv):
    pg.psql("CREATE TABLE copy_leads (workspace_id TEXT COLLATE \"C\" NOT NULL, "
            "email_norm TEXT COLLATE \"C\" NOT NULL, id TEXT COLLATE \"C\" NOT NULL, "
            "email TEXT NOT NULL, first_name TEXT, last_name TEXT, company TEXT, job_title TEXT, "
            "custom_fields TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, "
            "PRIMARY KEY (workspace_id, email_norm))")
    pg.psql("CREATE UNIQUE INDEX copy_leads_by_id ON copy_leads(workspace_id, id)")
    t0 = time.perf_counter()
    pg.psql(f"\\copy copy_leads FROM '{rows_csv}' WITH (FORMAT csv)")
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--bin", default=os.environ.get("LEADTERRA_BIN", "build/leadterra"))
    ap.add_argument("--postgres", action="store_true",
                    help="run on PostgreSQL and compare with psql \\copy")
    args = ap.parse_args()

    pg = None
    if args.postgres:
        from postgres_peer import PostgresPeer
        pg = PostgresPeer(fast=False).start()
    try:
        run(args, pg)
    finally:
        if pg:
            pg.stop()


def run(args, pg):
    with tempfile.TemporaryDirectory() as workdir:
        os.chmod(workdir, 0o755)  # psql reads the CSV from here
        if pg:
            database, env = pg.url, dict(os.environ, LEADTERRA_MASTER_KEY="4c" * 32)
        else:
            database, env = "sqlite:" + os.path.join(workdir, "bench.db"), None
        proc, port, key = start_server(args.bin, workdir, database, env)
        try:
            client = Client(port, key)
            big = make_campaign(client, "ingest")
            print(f"preparing {args.leads:,} leads in requests of {args.batch:,} ...", flush=True)
            bodies = [json.dumps({"leads": [lead(i) for i in range(s, min(s + args.batch, args.leads))]},
                                 separators=(",", ":")).encode()
                      for s in range(0, args.leads, args.batch)]
            t0 = time.perf_counter()
            enrolled = 0
            for body in bodies:
                enrolled += client.call("POST", f"/v1/campaigns/{big}/leads/bulk", body)["data"]["enrolled"]
            api_seconds = time.perf_counter() - t0
            rss = peak_rss_mib(proc.pid)
            print(f"HTTP ingest: {enrolled:,} leads in {api_seconds:.2f} s = "
                  f"{enrolled / api_seconds:,.0f} leads/s; server peak RSS {rss:.0f} MiB "
                  f"({sum(map(len, bodies)) / 2**20:.0f} MiB of JSON)")

            small = make_campaign(client, "small")
            client.call("POST", f"/v1/campaigns/{small}/leads/bulk",
                        {"leads": [lead(i) for i in range(1000)]})
            small_ms = stats_latency_ms(client, small)
            big_ms = stats_latency_ms(client, big)
            print(f"stats latency (median of 300): {small_ms:.3f} ms at 1,000 leads, "
                  f"{big_ms:.3f} ms at {enrolled:,} leads; ratio {big_ms / small_ms:.2f}")
        finally:
            proc.terminate()
            proc.wait()

        rows_csv = os.path.join(workdir, "leads.csv")
        with open(rows_csv, "w", newline="") as f:
            w = csv.writer(f)
            for i in range(args.leads):
                d = lead(i)
                w.writerow(["ws_bench", d["email"], f"lead_{i:026d}", d["email"], d["firstName"],
                            d["lastName"], d["company"], d["jobTitle"],
                            json.dumps(d["customFields"]), 0, 0])
        if pg:
            import_seconds = psql_copy_seconds(pg, rows_csv)
            tool = "psql \\copy"
        else:
            import_seconds = sqlite_import_seconds(rows_csv, workdir)
            tool = "sqlite3 .import"
        print(f"{tool} of the same {args.leads:,} rows: {import_seconds:.2f} s = "
              f"{args.leads / import_seconds:,.0f} rows/s")
        print(f"ratio HTTP ingest / raw import: {api_seconds / import_seconds:.2f}x")


if __name__ == "__main__":
    main()
