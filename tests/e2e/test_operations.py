"""Operating the server: /metrics read by Prometheus's own parser (promtool)
while a campaign sends to the aiosmtpd peer, --metrics-listen, JSON logs
parsed line by line, /readyz, and an online SQLite backup taken mid-send
that restores with every message and counter."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time

import pytest
import requests

from conftest import PG_URL, Server, bulk, run_cli, start, step, wait_until

METRICS_RE = re.compile(r"^Metrics on (http://[0-9.]+:\d+)/metrics\s*$")


def metric_lines(text, name):
    return [l for l in text.splitlines() if l.startswith(name + "{") or l.startswith(name + " ")]


def metric_value(text, name, **labels):
    total = 0.0
    for line in metric_lines(text, name):
        if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def promtool_check(text):
    proc = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=30)
    return proc.returncode, proc.stdout + proc.stderr


def send_campaign(srv, peer, n, name="Ops"):
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    camp = srv.create_campaign(name, [step("Hello {{firstName}}", "<p>Hi {{firstName}}</p>")])
    bulk(srv, camp["id"], [{"email": "ops%d@leads.test" % i, "firstName": "L%d" % i}
                           for i in range(n)])
    start(srv, camp["id"])
    return camp["id"]


def delivered(srv, cid):
    return srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]["metrics"]["delivered"]


@pytest.mark.skipif(not shutil.which("promtool"), reason="needs promtool (Debian's prometheus)")
def test_metrics_on_their_own_listener_move_while_a_campaign_sends(make_server, peer):
    srv = make_server("--rate-limit", "0", "--metrics-listen", "127.0.0.1:0")
    metrics_url = None
    for line in srv.stdout_lines:
        m = METRICS_RE.match(line)
        if m:
            metrics_url = m.group(1) + "/metrics"
    assert metrics_url, srv.stdout_lines
    # Not on the API listener then.
    assert srv.get("/metrics", key=None).status_code == 404
    before = requests.get(metrics_url).text
    code, out = promtool_check(before)
    assert code == 0, out

    cid = send_campaign(srv, peer, 20)
    wait_until(lambda: delivered(srv, cid) == 20, lambda: "delivered=%d" % delivered(srv, cid))
    srv.get("/v1/campaigns/%s/stats" % cid)
    srv.get("/v1/campaigns/camp_%s" % ("0" * 26))  # a 404 on the same route pattern
    after = requests.get(metrics_url).text
    code, out = promtool_check(after)
    assert code == 0, out
    assert metric_value(after, "leadterra_messages_total", outcome="delivered") >= 20
    mailbox = srv.get("/v1/mailboxes").json()["data"][0]["id"]
    assert metric_value(after, "leadterra_smtp_transaction_duration_seconds_count",
                        mailbox=mailbox, result="ok") >= 20
    assert metric_value(after, "leadterra_http_requests_total",
                        route="/v1/campaigns/:id/stats", status="200") >= 1
    assert metric_value(after, "leadterra_http_requests_total",
                        route="/v1/campaigns/:id", status="404") >= 1
    # Route patterns, never raw paths: no id ever appears as a label value.
    assert "camp_" not in after and "lead_" not in after
    assert metric_value(after, "leadterra_http_request_duration_seconds_count",
                        route="/v1/campaigns/:id/leads/bulk") >= 1
    assert metric_value(after, "leadterra_store_transaction_duration_seconds_count") > 0
    assert metric_value(after, "leadterra_process_resident_memory_bytes") > 0
    assert metric_value(after, "leadterra_uptime_seconds") > 0
    assert metric_lines(after, "leadterra_enrollments_queued")
    assert metric_lines(after, "leadterra_webhook_outbox_depth")


def test_json_logs_parse_line_by_line(make_server):
    srv = make_server("--rate-limit", "0", "--log-format", "json")
    r = srv.get("/v1/campaigns", headers={"X-Request-Id": "ops-trace-1"})
    assert r.status_code == 200
    srv.get("/v1/campaigns/nope")
    assert srv.stop() == 0
    lines = [l for l in srv.stderr_text().splitlines() if l.strip()]
    assert lines
    records = [json.loads(l) for l in lines]  # every line is one JSON object
    for rec in records:
        assert {"time", "level", "message"} <= set(rec), rec
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", rec["time"]), rec
    mine = [r for r in records if r.get("request_id") == "ops-trace-1"]
    assert len(mine) == 1, records
    assert mine[0]["message"] == "request" and mine[0]["status"] == 200
    assert mine[0]["method"] == "GET" and mine[0]["path"] == "/v1/campaigns"
    assert mine[0]["workspace"] == srv.workspace_id
    assert isinstance(mine[0]["duration_ms"], (int, float))
    assert any(r.get("status") == 404 for r in records)


def test_readyz(server):
    r = requests.get(server.url("/readyz"))
    assert r.status_code == 200 and r.json() == {"status": "ready"}
    assert requests.get(server.url("/healthz")).status_code == 200


@pytest.mark.skipif(bool(PG_URL), reason="SQLite backups; PostgreSQL uses pg_dump")
def test_backup_taken_mid_send_restores_every_message_and_counter(make_server, peer, tmp_path):
    srv = make_server("--rate-limit", "0")
    cid = send_campaign(srv, peer, 400, name="Backup")
    wait_until(lambda: delivered(srv, cid) >= 50, lambda: "delivered=%d" % delivered(srv, cid))
    copy = str(tmp_path / "copy.db")
    res = run_cli(["backup", "--database", srv.database, "--to", copy])
    assert res.returncode == 0, res
    assert "backed up" in res.stdout
    again = run_cli(["backup", "--database", srv.database, "--to", copy])
    assert again.returncode != 0 and "exists" in again.stderr, again
    wait_until(lambda: delivered(srv, cid) == 400, lambda: "delivered=%d" % delivered(srv, cid))

    # The copy is consistent: its counters agree with its own message rows.
    db = sqlite3.connect(copy)
    rows = dict(db.execute("SELECT status, COUNT(*) FROM messages GROUP BY status").fetchall())
    # A campaign's counters are the sum of its shards (src/store/sql/counters.h).
    counters = db.execute("SELECT SUM(delivered) FROM campaign_stats WHERE campaign_id = ?",
                          (cid,)).fetchone()
    enrolled = db.execute("SELECT COUNT(*) FROM enrollments WHERE campaign_id = ?",
                          (cid,)).fetchone()[0]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert enrolled == 400
    assert counters[0] == rows.get("delivered", 0) and counters[0] >= 50, (counters, rows)

    # A server restored on the copy (with the key file beside it) serves it.
    shutil.copy(srv.db_path + ".key", copy + ".key")
    restored = Server(tmp_path / "restored", args=["--rate-limit", "0", "--workers", ""],
                      db_path=copy, expect_bootstrap=False)
    try:
        r = restored.request("GET", "/v1/campaigns/%s/stats" % cid, key=srv.key)
        assert r.status_code == 200, r.text
        m = r.json()["data"]
        assert m["enrolledLeads"] == 400
        assert m["metrics"]["delivered"] == counters[0]
        listed = restored.list_all("/v1/campaigns/%s/leads" % cid, key=srv.key, limit=1000)
        assert len(listed) == 400
    finally:
        assert restored.stop() == 0
