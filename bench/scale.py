#!/usr/bin/env python3
"""Read-path scale benchmark: prints figures, asserts nothing.

For SQLite and PostgreSQL 15 (started by the script itself, as in
bench/ingest.py), and for each size (default 1,000, 10,000, 100,000 and
1,000,000 enrolled leads), a fresh database gets one campaign whose steps use
{{firstName}}, {{company}} and the custom field {{industry}}; half the leads
lack a first name and a third lack the custom field. Then every read endpoint
that reads many rows is timed (median of several calls after warm-up; lists
filtered by a status or type that a small campaign has only ten of ask for
pages of ten, so every size returns a full page), and a
table endpoint x backend x size is printed with the growth ratio of the
largest size over the smallest (1M/1k by default).

How the data gets there:
- leads: through the real API (POST /v1/campaigns/:id/leads/bulk, 10,000 per
  request), as a user would load them; suppressions and the mailbox and the
  webhook through the API too.
- the rest by direct SQL into the store's own tables, because driving real
  sends and IMAP replies for 50,000 leads at 1M would take hours. The rows are
  the ones the engine writes (src/store/sql/delivery_queries.cc,
  inbound_queries.cc, webhook_queries.cc, suppression_queries.cc): a spread of
  enrollment statuses (93% queued with due times spread over the next days,
  2% replied, 1% each bounced, completed, unsubscribed, removed and
  suppressed; three in ten queued leads due now), messages for the 5% that were contacted (one or two steps,
  delivered or bounced), inbound replies, bounce reports and unsubscribes
  for them, a message.sent / message.replied webhook event and delivery with
  its attempt per message (15% failed), and campaign_stats counters that match
  the rows. The campaign is marked paused so the engine leaves it alone.
- the scheduler's claim query and the inbound poller's matching queries are
  not endpoints: they are run here as prepared statements with the engine's
  SQL text (keep in sync with the files above), in a transaction that is
  rolled back.

PostgreSQL runs with autovacuum on, as shipped; a run is quick enough that it
may not have analyzed the new rows, so what is measured is the engine's own
statistics upkeep (--analyze runs ANALYZE after loading instead).

Usage: bench/scale.py [--sizes 1000,10000,100000,1000000] [--backends sqlite,postgres]
                      [--calls 7] [--bin build/leadterra] [--analyze]
"""
import argparse
import base64
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "peers"))
sys.path.insert(0, HERE)
from ingest import Client, start_server  # noqa: E402  (shared with the ingest benchmark)

MASTER_KEY = "4c" * 32
NOW = 1_900_000_000_000  # "now" for the rows written by SQL (ms)
DAY = 86_400_000


def cursor(value):
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def lead(i):
    d = {"email": f"lead{i}@co{i // 4}.example", "lastName": f"Last{i}",
         "company": f"Company {i // 4}", "jobTitle": "VP Sales"}
    if i % 2:
        d["firstName"] = f"First{i}"
    if i % 3:
        d["customFields"] = {"industry": "SaaS", "rank": str(i)}
    return d


# --- the rows the engine would have written, by direct SQL -------------------
# Portable SQL (SQLite 3.40 and PostgreSQL 15). bench_pick numbers the
# enrollments in lead-id order; its bucket (n % 100) decides the lead's fate.
def shape_sql(ws, camp, mailbox, webhook):
    q = lambda s: "'" + s + "'"  # noqa: E731
    ws, camp, mailbox, webhook = q(ws), q(camp), q(mailbox), q(webhook)
    return [
        f"CREATE TABLE bench_pick AS SELECT e.lead_id AS lead_id, l.email AS email, "
        f"l.email_norm AS email_norm, "
        f"row_number() OVER (ORDER BY e.lead_id) AS n FROM enrollments e JOIN leads l ON "
        f"l.workspace_id = e.workspace_id AND l.id = e.lead_id WHERE e.workspace_id = {ws} AND "
        f"e.campaign_id = {camp}",
        "CREATE UNIQUE INDEX bench_pick_lead ON bench_pick(lead_id)",
        # 0,1 replied; 2 bounced; 3 completed; 4 unsubscribed; 5 removed; 6 suppressed.
        f"UPDATE enrollments SET status = CASE p.n % 100 WHEN 0 THEN 'replied' WHEN 1 THEN "
        f"'replied' WHEN 2 THEN 'bounced' WHEN 3 THEN 'completed' WHEN 4 THEN 'unsubscribed' "
        f"WHEN 5 THEN 'removed' WHEN 6 THEN 'suppressed' ELSE 'queued' END, "
        f"current_step = CASE p.n % 100 WHEN 3 THEN 2 WHEN 0 THEN 1 WHEN 1 THEN 1 "
        f"WHEN 4 THEN 1 ELSE 0 END, "
        # Three in ten queued leads are due (a backlog), the others over the next days.
        f"next_send_at = CASE WHEN p.n % 100 <= 6 THEN NULL WHEN p.n % 10 < 3 THEN "
        f"{NOW} - (p.n % 1000) * 1000 ELSE {NOW} + (p.n % 5000) * 60000 END, "
        f"last_sent_at = CASE WHEN p.n % 100 < 5 THEN {NOW - DAY} ELSE NULL END, "
        f"mailbox_id = {mailbox} FROM bench_pick p WHERE p.lead_id = enrollments.lead_id AND "
        f"enrollments.workspace_id = {ws} AND enrollments.campaign_id = {camp}",
        # Step 1 for buckets 0-4 (bounced for bucket 2), step 2 for bucket 3.
        f"INSERT INTO messages(workspace_id, id, campaign_id, lead_id, step_index, mailbox_id, "
        f"message_id_header, subject, status, attempts, smtp_code, smtp_reply, created_at, "
        f"updated_at, sent_at, lease_until) SELECT {ws}, 'msg_0' || substr(lead_id, 7), {camp}, "
        f"lead_id, 0, {mailbox}, '<msg_0' || substr(lead_id, 7) || '@sender.example>', 'Hi there', CASE WHEN n % 100 = 2 THEN 'bounced' ELSE "
        f"'delivered' END, 1, CASE WHEN n % 100 = 2 THEN 550 ELSE 250 END, CASE WHEN n % 100 = 2 "
        f"THEN '5.1.1 user unknown' ELSE '250 2.0.0 Ok' END, {NOW - 2 * DAY}, {NOW - 2 * DAY}, "
        f"{NOW - 2 * DAY}, 0 FROM bench_pick WHERE n % 100 < 5",
        f"INSERT INTO messages(workspace_id, id, campaign_id, lead_id, step_index, mailbox_id, "
        f"message_id_header, subject, status, attempts, smtp_code, smtp_reply, created_at, "
        f"updated_at, sent_at, lease_until) SELECT {ws}, 'msg_1' || substr(lead_id, 7), {camp}, "
        f"lead_id, 1, {mailbox}, '<msg_1' || substr(lead_id, 7) || '@sender.example>', '', 'delivered', 1, 250, '250 2.0.0 Ok', {NOW - DAY}, "
        f"{NOW - DAY}, {NOW - DAY}, 0 FROM bench_pick WHERE n % 100 = 3",
        # Replies (0, 1), bounce reports (2), unsubscribes by email (4).
        f"INSERT INTO inbound_messages(workspace_id, id, mailbox_id, uidvalidity, uid, kind, "
        f"campaign_id, lead_id, message_row_id, from_addr, subject, message_id_header, snippet, "
        f"dsn_status, smtp_code, diagnostic, received_at) SELECT {ws}, 'in_' || "
        f"substr(lead_id, 6), {mailbox}, 1, n, CASE n % 100 WHEN 2 THEN 'bounce' WHEN 4 THEN "
        f"'unsubscribe' ELSE 'reply' END, {camp}, lead_id, 'msg_0' || substr(lead_id, 7), "
        f"CASE WHEN n % 100 = 2 THEN 'mailer-daemon@mx.example' ELSE email END, CASE n % 100 "
        f"WHEN 2 THEN 'Undelivered Mail Returned to Sender' WHEN 4 THEN 'unsubscribe' ELSE "
        f"'Re: Hi there' END, '<in' || n || '@mail.example>', 'Thanks, tell me more', CASE WHEN "
        f"n % 100 = 2 THEN '5.1.1' ELSE NULL END, CASE WHEN n % 100 = 2 THEN 550 ELSE NULL END, "
        f"CASE WHEN n % 100 = 2 THEN 'smtp; 550 5.1.1 user unknown' ELSE NULL END, "
        f"{NOW - DAY // 2} FROM bench_pick WHERE n % 100 IN (0, 1, 2, 4)",
        f"INSERT INTO suppressions(workspace_id, value, kind, reason, source, created_at) SELECT "
        f"{ws}, email_norm, 'address', 'unsubscribed', 'email', {NOW - DAY // 2} FROM bench_pick "
        f"WHERE n % 100 = 4 ON CONFLICT DO NOTHING",
        f"INSERT INTO suppressions(workspace_id, value, kind, reason, source, created_at) SELECT "
        f"{ws}, email_norm, 'address', 'manual', 'api', {NOW - DAY} FROM bench_pick "
        f"WHERE n % 100 = 6 ON CONFLICT DO NOTHING",
        # The outbox: message.sent per message, message.replied per reply.
        f"INSERT INTO webhook_events(workspace_id, id, type, data, created_at) SELECT "
        f"workspace_id, 'evt_' || substr(id, 5), 'message.sent', '{{\"messageId\":\"' || id || '\"}}', sent_at FROM messages WHERE "
        f"workspace_id = {ws} AND campaign_id = {camp} AND status = 'delivered'",
        f"INSERT INTO webhook_events(workspace_id, id, type, data, created_at) SELECT "
        f"workspace_id, 'evt_2' || substr(lead_id, 7), 'message.replied', "
        f"'{{\"inboundId\":\"' || id || '\"}}', received_at FROM inbound_messages WHERE "
        f"workspace_id = {ws} AND kind = 'reply'",
        f"INSERT INTO webhook_deliveries(workspace_id, webhook_id, event_id, status, attempts, "
        f"next_attempt_at, lease_until, created_at, delivered_at) SELECT workspace_id, {webhook}, "
        f"id, CASE WHEN substr(id, 29, 1) IN ('0', '1', '2', '3', '4') THEN 'failed' ELSE "
        f"'delivered' END, 1, "
        f"NULL, NULL, created_at, CASE WHEN substr(id, 29, 1) IN ('0', '1', '2', '3', '4') THEN NULL ELSE "
        f"created_at + 120 END FROM webhook_events WHERE workspace_id = {ws}",
        f"INSERT INTO webhook_attempts(workspace_id, webhook_id, event_id, attempt, attempted_at, "
        f"status_code, latency_ms, error) SELECT workspace_id, webhook_id, event_id, 1, "
        f"created_at + 100, CASE WHEN status = 'failed' THEN 500 ELSE 200 END, 20, NULL FROM "
        f"webhook_deliveries WHERE workspace_id = {ws}",
        # Counters as the engine keeps them.
        f"UPDATE campaign_stats SET "
        f"enrolled = (SELECT count(*) FROM enrollments WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status != 'removed'), "
        f"queued = (SELECT count(*) FROM enrollments WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status = 'queued'), "
        f"completed = (SELECT count(*) FROM enrollments WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status = 'completed'), "
        f"replied = (SELECT count(*) FROM enrollments WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status = 'replied'), "
        f"unsubscribed = (SELECT count(*) FROM enrollments WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status = 'unsubscribed'), "
        f"delivered = (SELECT count(*) FROM messages WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status = 'delivered'), "
        f"bounced = (SELECT count(*) FROM messages WHERE workspace_id = {ws} AND "
        f"campaign_id = {camp} AND status = 'bounced'), updated_at = {NOW} "
        f"WHERE workspace_id = {ws} AND campaign_id = {camp}",
        f"UPDATE campaigns SET status = 'paused', started_at = {NOW - 3 * DAY}, "
        f"stop_on_reply = 'company' WHERE workspace_id = {ws} AND id = {camp}",
        "DROP TABLE bench_pick",
    ]


# --- internal queries, the engine's SQL text ---------------------------------
# ClaimDueSends (delivery_queries.cc), FindByHeader / FindByAddress /
# StopCompany (inbound_queries.cc).
LEAD_COLUMNS = ("l.id, l.workspace_id, l.email, l.first_name, l.last_name, l.company, "
                "l.job_title, l.custom_fields, l.created_at, l.updated_at, l.timezone")
CLAIM = ("SELECT " + LEAD_COLUMNS + ", e.current_step, coalesce(e.mailbox_id, '') FROM "
         "enrollments e JOIN leads l ON l.workspace_id = e.workspace_id AND l.id = e.lead_id "
         "WHERE e.workspace_id = ?1 AND e.campaign_id = ?2 AND e.status = 'queued' AND "
         "e.next_send_at IS NOT NULL AND e.next_send_at <= ?3 ORDER BY e.next_send_at LIMIT ?4")
SENT_COLUMNS = "m.id, m.campaign_id, m.lead_id, m.status, m.message_id_header, m.step_index"
BY_HEADER = ("SELECT " + SENT_COLUMNS + " FROM messages m WHERE m.workspace_id = ?1 AND "
             "m.message_id_header = ?2 LIMIT 1")
BY_ADDRESS = ("SELECT " + SENT_COLUMNS + " FROM leads l JOIN messages m ON m.workspace_id = "
              "l.workspace_id AND m.lead_id = l.id WHERE l.workspace_id = ?1 AND "
              "l.email_norm = ?2 AND m.mailbox_id = ?3 AND m.status IN ('delivered', 'unknown', "
              "'bounced') ORDER BY m.created_at DESC LIMIT 1")
STOP_COMPANY = ("UPDATE enrollments SET status = 'stopped', next_send_at = NULL WHERE "
                "workspace_id = ?1 AND campaign_id = ?2 AND status = ?4 AND lead_id IN "
                "(SELECT id FROM leads WHERE workspace_id = ?1 AND {domain_expr} = ?3)")
DOMAIN_EXPR = {"sqlite": "substr(email_norm, instr(email_norm, '@') + 1)",
               "postgres": "substr(email_norm, strpos(email_norm, '@') + 1)"}


def internal_queries(ws, camp, mailbox, size):
    mid = size // 2
    # (name, sql, params, is_write)
    return [
        ("claim (scheduler)", CLAIM + "{for_update}", [ws, camp, NOW, 200]),
        ("match by header (inbound)", BY_HEADER, [ws, "<{mid_msg}@sender.example>"]),
        ("match by address (inbound)", BY_ADDRESS, [ws, f"lead{mid}@co{mid // 4}.example",
                                                   mailbox]),
        ("stop company (inbound)", STOP_COMPANY, [ws, camp, f"co{mid // 4}.example", "queued"]),
    ]


def time_sqlite(path, queries, calls):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 10000")
    out = {}
    for name, sql, params in queries:
        sql = sql.replace("{for_update}", "").replace("{domain_expr}", DOMAIN_EXPR["sqlite"])
        samples = []
        for i in range(calls + 2):
            db.execute("BEGIN")
            t0 = time.perf_counter()
            db.execute(sql, params).fetchall()
            dt = time.perf_counter() - t0
            db.execute("ROLLBACK")
            if i >= 2:
                samples.append(dt)
        out[name] = statistics.median(samples)
    db.close()
    return out


def pg_literal(v):
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def time_postgres(url, queries, calls):
    """Prepared statements in one psql session, like the engine's; \\timing
    gives each EXECUTE's time as the client sees it."""
    script = ["\\set ON_ERROR_STOP 1", "\\pset pager off"]
    names = []
    for k, (name, sql, params) in enumerate(queries):
        sql = sql.replace("{for_update}", " FOR UPDATE OF e SKIP LOCKED")
        sql = sql.replace("{domain_expr}", DOMAIN_EXPR["postgres"])
        sql = re.sub(r"\?(\d)", r"$\1", sql)
        types = ", ".join("bigint" if isinstance(p, int) else "text" for p in params)
        script.append(f"PREPARE q{k}({types}) AS {sql};")
        args = ", ".join(pg_literal(p) for p in params)
        for i in range(calls + 2):
            script.append("BEGIN;")
            script.append("\\timing on")
            script.append(f"\\echo @@ {k} {i}")
            script.append(f"EXECUTE q{k}({args});")
            script.append("\\timing off")
            script.append("ROLLBACK;")
        names.append(name)
    res = subprocess.run(["psql", "-X", "-q", "-o", "/dev/null", url], input="\n".join(script),
                         capture_output=True, text=True, check=True)
    samples = {k: [] for k in range(len(queries))}
    current = None
    for line in res.stdout.splitlines():
        m = re.match(r"@@ (\d+) (\d+)", line)
        if m:
            current = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.match(r"Time: ([\d.]+) ms", line)
        if m and current and current[1] >= 2:
            samples[current[0]].append(float(m.group(1)) / 1000)
            current = None
    return {names[k]: statistics.median(v) for k, v in samples.items() if v}


def timed(client, path, calls, method="GET", body=None):
    for _ in range(2):
        client.call(method, path, body)
    samples = []
    for _ in range(calls):
        t0 = time.perf_counter()
        client.call(method, path, body)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def sql_one(backend, target, sql):
    if backend == "sqlite":
        db = sqlite3.connect(target)
        row = db.execute(sql).fetchone()
        db.close()
        return row[0]
    out = subprocess.run(["psql", "-X", "-At", target, "-c", sql], capture_output=True,
                         text=True, check=True).stdout.strip()
    return out


def run_sql(backend, target, statements):
    if backend == "sqlite":
        db = sqlite3.connect(target, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 60000")
        db.execute("BEGIN IMMEDIATE")
        for s in statements:
            db.execute(s)
        db.execute("COMMIT")
        db.close()
    else:
        script = "\\set ON_ERROR_STOP 1\nBEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;\n"
        subprocess.run(["psql", "-X", "-q", target], input=script, text=True, check=True,
                       stdout=subprocess.DEVNULL)


def bench_one(args, backend, size, workdir, pg):
    if backend == "sqlite":
        target = os.path.join(workdir, f"scale{size}.db")
        database = "sqlite:" + target
    else:
        dbname = f"scale{size}"
        pg.psql(f"CREATE DATABASE {dbname}")
        target = database = pg.url.rsplit("/", 1)[0] + "/" + dbname
    proc, port, key = start_server(args.bin, workdir, database,
                                   dict(os.environ, LEADTERRA_MASTER_KEY=MASTER_KEY),
                                   tag=f"{backend}{size}")
    results = {}
    try:
        c = Client(port, key)
        steps = [{"subject": "Hi {{firstName}}", "bodyHtml": "<p>{{company}} in {{industry}}</p>"},
                 {"delayDays": 3, "subject": "", "bodyHtml": "<p>Bumping this, {{firstName}}</p>"}]
        camp = c.call("POST", "/v1/campaigns", {"name": "scale", "sequenceSteps": steps})["data"]["id"]
        mailbox = c.call("POST", "/v1/mailboxes", {
            "email": "sales@sender.example", "fromName": "Sales", "dailyLimit": 1000,
            "status": "paused",
            "smtp": {"host": "127.0.0.1", "port": 9, "username": "u", "password": "p",
                     "security": "none"}})["data"]["id"]
        webhook = c.call("POST", "/v1/webhooks", {
            "url": "http://127.0.0.1:9/hook",
            "events": ["message.sent", "message.replied"]})["data"]["id"]
        t0 = time.perf_counter()
        batch = 10_000
        for s in range(0, size, batch):
            body = json.dumps({"leads": [lead(i) for i in range(s, min(size, s + batch))]},
                              separators=(",", ":")).encode()
            c.call("POST", f"/v1/campaigns/{camp}/leads/bulk", body)
        # Suppressions through the API: addresses never enrolled and domains.
        n_sup, n_dom = max(10, size // 100), max(20, size // 5000)
        for s in range(0, n_sup, 9_000):
            emails = [f"blocked{i}@elsewhere{i % 97}.example"
                      for i in range(s, min(n_sup, s + 9_000))]
            c.call("POST", "/v1/suppressions", {"emails": emails})
        c.call("POST", "/v1/suppressions",
               {"domains": [f"banned{i}.example" for i in range(n_dom)]})
        ws = sql_one(backend, target, "SELECT workspace_id FROM campaigns LIMIT 1")
        run_sql(backend, target, shape_sql(ws, camp, mailbox, webhook))
        if backend == "postgres":
            pg_analyze(target)  # --analyze: what autovacuum would have done by now
        load_s = time.perf_counter() - t0
        counts = sql_one(backend, target,
                         "SELECT (SELECT count(*) FROM enrollments) || ' enrollments, ' || "
                         "(SELECT count(*) FROM messages) || ' messages, ' || "
                         "(SELECT count(*) FROM inbound_messages) || ' inbound, ' || "
                         "(SELECT count(*) FROM webhook_deliveries) || ' deliveries, ' || "
                         "(SELECT count(*) FROM suppressions) || ' suppressions'")
        print(f"  {backend} {size:>9,}: loaded in {load_s:.1f} s ({counts})", flush=True)

        mid_lead = sql_one(backend, target,
                           f"SELECT lead_id FROM enrollments WHERE campaign_id = '{camp}' "
                           f"ORDER BY lead_id LIMIT 1 OFFSET {size // 2}")
        replied_lead = sql_one(backend, target,
                               f"SELECT lead_id FROM enrollments WHERE campaign_id = '{camp}' AND "
                               f"status = 'replied' ORDER BY lead_id LIMIT 1 OFFSET "
                               f"{max(0, size // 100 - 1)}")
        mid_event = sql_one(backend, target,
                            "SELECT event_id FROM webhook_deliveries ORDER BY event_id LIMIT 1 "
                            "OFFSET (SELECT count(*) / 2 FROM webhook_deliveries)")
        mid_sup = sql_one(backend, target,
                          "SELECT value FROM suppressions ORDER BY value LIMIT 1 OFFSET "
                          "(SELECT count(*) / 2 FROM suppressions)")
        n = args.calls
        base = f"/v1/campaigns/{camp}"
        results["lint"] = timed(c, f"{base}/lint", max(3, n // 2))
        results["stats"] = timed(c, f"{base}/stats", n)
        results["leads"] = timed(c, f"{base}/leads", n)
        results["leads deep cursor"] = timed(c, f"{base}/leads?cursor={cursor(mid_lead)}", n)
        for status in ["queued", "replied", "bounced", "completed", "unsubscribed", "removed",
                       "suppressed", "active"]:
            results[f"leads status={status}"] = timed(
                c, f"{base}/leads?status={status}&limit=10", n)
        results["leads status=queued deep"] = timed(
            c, f"{base}/leads?status=queued&cursor={cursor(mid_lead)}", n)
        results["leads status=replied deep"] = timed(
            c, f"{base}/leads?status=replied&limit=10&cursor={cursor(mid_lead)}", n)
        results["thread"] = timed(c, f"{base}/leads/{replied_lead}/messages", n)
        results["preview by leadId"] = timed(c, f"{base}/preview", n, "POST",
                                             {"leadId": mid_lead, "stepNumber": 1})
        results["webhook deliveries"] = timed(c, f"/v1/webhooks/{webhook}/deliveries", n)
        results["webhook deliveries deep"] = timed(
            c, f"/v1/webhooks/{webhook}/deliveries?cursor={cursor(mid_event)}", n)
        results["webhook deliveries status=failed"] = timed(
            c, f"/v1/webhooks/{webhook}/deliveries?status=failed&limit=10", n)
        results["suppressions"] = timed(c, "/v1/suppressions", n)
        results["suppressions deep"] = timed(c, f"/v1/suppressions?cursor={cursor(mid_sup)}", n)
        results["suppressions type=domain"] = timed(c, "/v1/suppressions?type=domain&limit=10",
                                                    n)
        mid_msg = sql_one(backend, target,
                          "SELECT id FROM messages WHERE step_index = 0 ORDER BY id LIMIT 1 OFFSET "
                          "(SELECT count(*) / 2 FROM messages WHERE step_index = 0)")
        queries = [(name, sql, [p.replace("{mid_msg}", mid_msg) if isinstance(p, str) else p
                                for p in params])
                   for name, sql, params in internal_queries(ws, camp, mailbox, size)]
        if backend == "sqlite":
            results.update(time_sqlite(target, queries, n))
        else:
            results.update(time_postgres(target, queries, n))
    finally:
        proc.terminate()
        proc.wait()
    return results


def pg_analyze(url):
    subprocess.run(["psql", "-X", "-q", url, "-c", "ANALYZE"], check=True)


GOALS = {"lint": None, "stats": 1.5}  # pages: 2


def run_matrix(args, backends, sizes, bench_one):
    """Runs bench_one(args, backend, size, workdir, pg) for every backend and
    size (one PostgreSQL server for all, started only if needed); returns
    {name: {(backend, size): figure}}."""
    pg = None
    table = {}
    try:
        if "postgres" in backends:
            from postgres_peer import PostgresPeer
            pg = PostgresPeer(fast=False).start()
        with tempfile.TemporaryDirectory() as workdir:
            for backend in backends:
                for size in sizes:
                    for name, figure in bench_one(args, backend, size, workdir, pg).items():
                        table.setdefault(name, {})[(backend, size)] = figure
    finally:
        if pg:
            pg.stop()
    return table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--calls", type=int, default=7)
    ap.add_argument("--bin", default=os.environ.get("LEADTERRA_BIN", "build/leadterra"))
    ap.add_argument("--analyze", action="store_true",
                    help="PostgreSQL: ANALYZE after loading, as if autovacuum had caught up "
                         "(by default the engine's own statistics upkeep is all there is)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    if not args.analyze:
        global pg_analyze
        pg_analyze = lambda url: None  # noqa: E731
    table = run_matrix(args, backends, sizes, bench_one)
    lo, hi = sizes[0], sizes[-1]
    head = f"{'endpoint':34} {'backend':9}" + "".join(f"{s:>11,}" for s in sizes) + \
        f"  {hi // 1000}k/{lo // 1000}k  goal"
    print()
    print("median seconds per call")
    print(head)
    print("-" * len(head))
    for name, cells in table.items():
        for backend in backends:
            row = [cells.get((backend, s)) for s in sizes]
            if any(v is None for v in row):
                continue
            ratio = row[-1] / row[0] if row[0] > 0 else float("inf")
            if name == "lint":
                goal, ok = "linear", ratio <= 1.5 * hi / lo
            else:
                limit = GOALS.get(name, 2.0)
                goal, ok = f"<={limit:g}", ratio <= limit
            if hi >= 1_000_000 and name != "lint" and row[-1] > 1.0:
                ok = False
            print(f"{name:34} {backend:9}" + "".join(f"{v:11.4f}" for v in row) +
                  f"  {ratio:7.2f}  {goal} {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
