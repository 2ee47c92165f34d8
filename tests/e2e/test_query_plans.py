"""PostgreSQL only: the read paths use indexes that lead with workspace_id.

Tables shared by every workspace hold 100,000 rows of other workspaces
(loaded by SQL generate_series, then ANALYZE as autovacuum would); one
workspace has a campaign of 1,000 leads loaded through the API. The server
connects with auto_explain loaded (every statement's plan comes back as a
WARNING, which libpq prints to the server's stderr), so the plans checked are
those of the engine's own statements for each endpoint, called often enough
that PostgreSQL may switch the prepared statements to generic plans. None may
be a sequential scan of a shared table, and the key ones must use their index.
The scheduler's claim and the inbound poller's matching are not endpoints:
their SQL (copied from src/store/sql/) is EXPLAINed directly.
"""
import base64
import re
import subprocess

import pytest

from conftest import PG_URL, Server, bulk, database_for, pg_schema_for

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")

# The tables given ROWS rows (small ones, e.g. campaigns, may well be scanned).
SHARED = ["leads", "enrollments", "messages", "inbound_messages", "suppressions",
          "webhook_events", "webhook_deliveries", "webhook_attempts"]
NOISE_WORKSPACES = 20
ROWS = 100_000

EXPLAIN_ON = ("%20-csession_preload_libraries%3Dauto_explain"
              "%20-cauto_explain.log_min_duration%3D0"
              "%20-cauto_explain.log_level%3Dwarning")


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url],
                          input=sql, capture_output=True, text=True, check=True).stdout


def load_noise(url, camp):
    """ROWS rows per shared table, in NOISE_WORKSPACES other workspaces."""
    n, w = ROWS, NOISE_WORKSPACES
    ws = "'ws_7noise' || lpad((g %% %d)::text, 17, '0')" % w
    lead = "'lead_7noise' || lpad(g::text, 15, '0')"
    camp_of = "'camp_7noise' || lpad((g %% %d)::text, 15, '0')" % w
    series = " FROM generate_series(1, %d) g" % n
    psql(url, ";\n".join([
        "BEGIN",
        "INSERT INTO workspaces(id, name, created_at) SELECT 'ws_7noise' || lpad(g::text, 17, "
        "'0'), 'noise', 0 FROM generate_series(0, %d) g" % (w - 1),
        "INSERT INTO campaigns(workspace_id, id, name, status, created_at, updated_at) SELECT "
        "'ws_7noise' || lpad(g::text, 17, '0'), 'camp_7noise' || lpad(g::text, 15, '0'), 'n', "
        "'running', 0, 0 FROM generate_series(0, %d) g" % (w - 1),
        "INSERT INTO campaign_stats(workspace_id, campaign_id, updated_at) SELECT workspace_id, "
        "id, 0 FROM campaigns WHERE id LIKE 'camp_7noise%'",
        "INSERT INTO leads(workspace_id, email_norm, id, email, first_name, company, "
        "custom_fields, created_at, updated_at) SELECT %s, 'n' || g || '@co' || (g / 4) || "
        "'.example', %s, 'n' || g || '@co' || (g / 4) || '.example', CASE WHEN g %% 2 = 0 THEN "
        "'F' END, 'Co', '{\"industry\":\"x\"}', 0, 0%s" % (ws, lead, series),
        "INSERT INTO enrollments(workspace_id, campaign_id, lead_id, status, enrolled_at, "
        "next_send_at) SELECT %s, %s, %s, CASE WHEN g %% 10 = 0 THEN 'replied' ELSE 'queued' "
        "END, 0, g%s" % (ws, camp_of, lead, series),
        "INSERT INTO messages(workspace_id, id, campaign_id, lead_id, step_index, mailbox_id, "
        "message_id_header, status, created_at, updated_at) SELECT %s, 'msg_7noise' || "
        "lpad(g::text, 16, '0'), %s, %s, 0, 'mbx_x', '<n' || g || '@x>', 'delivered', 0, 0%s"
        % (ws, camp_of, lead, series),
        "INSERT INTO inbound_messages(workspace_id, id, mailbox_id, uidvalidity, uid, kind, "
        "campaign_id, lead_id, message_row_id, from_addr, subject, message_id_header, snippet, "
        "received_at) SELECT %s, 'in_' || g, 'mbx_x', 1, g, 'reply', %s, %s, 'msg_x', 'a@b', "
        "'Re', '<r' || g || '@x>', '', 0%s" % (ws, camp_of, lead, series),
        "INSERT INTO suppressions(workspace_id, value, kind, reason, source, created_at) SELECT "
        "%s, CASE WHEN g %% 50 = 0 THEN 'd' || g || '.example' ELSE 's' || g || '@x.example' "
        "END, CASE WHEN g %% 50 = 0 THEN 'domain' ELSE 'address' END, 'manual', 'api', 0%s"
        % (ws, series),
        "INSERT INTO webhook_events(workspace_id, id, type, data, created_at) SELECT %s, "
        "'evt_7noise' || lpad(g::text, 20, '0'), 'message.sent', '{}', 0%s" % (ws, series),
        "INSERT INTO webhook_deliveries(workspace_id, webhook_id, event_id, status, attempts, "
        "created_at) SELECT %s, 'whk_7noise', 'evt_7noise' || lpad(g::text, 20, '0'), CASE WHEN "
        "g %% 20 = 0 THEN 'failed' ELSE 'delivered' END, 1, 0%s" % (ws, series),
        "INSERT INTO webhook_attempts(workspace_id, webhook_id, event_id, attempt, attempted_at, "
        "latency_ms) SELECT %s, 'whk_7noise', 'evt_7noise' || lpad(g::text, 20, '0'), 1, 0, 5%s"
        % (ws, series),
        "COMMIT",
        "ANALYZE",
    ]) + ";\n")


def plans_between(srv, start):
    text = srv.stderr_text()[start:]
    return [chunk for chunk in text.split("WARNING:  duration:")[1:]]


def seq_scans(plan):
    return [t for t in SHARED if re.search(r"Seq Scan on %s\b" % t, plan)]


def cursor(value):
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


@pytest.fixture
def explained(tmp_path):
    db_path = str(tmp_path / "plans.db")
    database_for(db_path)  # creates the schema
    url = PG_URL + "?options=-csearch_path%3D" + pg_schema_for(db_path)
    srv = Server(tmp_path / "srv", db_path=db_path, use_flags=False,
                 args=["--listen", "127.0.0.1:0", "--database", url + EXPLAIN_ON])
    yield srv, url
    assert srv.stop() == 0


def test_read_paths_use_workspace_indexes(explained):
    srv, url = explained
    steps = [{"subject": "Hi {{firstName}}", "bodyHtml": "<p>{{company}}, {{industry}}</p>"}]
    camp = srv.create_campaign("plans", steps=steps)["id"]
    leads = [{"email": "p%d@co%d.example" % (i, i // 4), "company": "Co %d" % i,
              **({"firstName": "F%d" % i} if i % 2 else {}),
              **({"customFields": {"industry": "SaaS"}} if i % 3 else {})} for i in range(1000)]
    bulk(srv, camp, leads)
    mailbox = srv.add_mailbox()["id"]
    hook = srv.post("/v1/webhooks", {"url": "http://127.0.0.1:1/h",
                                      "events": ["message.sent"]}).json()["data"]["id"]
    r = srv.post("/v1/suppressions", {"emails": ["x%d@blocked.example" % i for i in range(100)],
                                      "domains": ["banned%d.example" % i for i in range(10)]})
    assert r.status_code in (200, 201), r.text
    load_noise(url, camp)
    for table in ["leads", "enrollments", "messages", "suppressions", "webhook_deliveries"]:
        assert int(psql(url, "SELECT count(*) FROM %s" % table)) >= ROWS, table

    a_lead = srv.get("/v1/campaigns/%s/leads?limit=1" % camp).json()["data"][0]["id"]
    base = "/v1/campaigns/" + camp
    endpoints = {
        "lint": ("GET", base + "/lint", ["enrollments_pkey", "leads_by_id"]),
        "stats": ("GET", base + "/stats", []),
        "leads": ("GET", base + "/leads?cursor=" + cursor(a_lead), ["enrollments_pkey"]),
        "leads replied": ("GET", base + "/leads?status=replied", ["enrollments_by_status"]),
        "leads queued": ("GET", base + "/leads?status=queued", ["enrollments_pkey"]),
        "thread": ("GET", base + "/leads/%s/messages" % a_lead, ["messages_by_lead"]),
        "preview": ("POST", base + "/preview", ["leads_by_id"]),
        "deliveries": ("GET", "/v1/webhooks/%s/deliveries" % hook, ["webhook_deliveries_pkey"]),
        "deliveries failed": ("GET", "/v1/webhooks/%s/deliveries?status=failed" % hook,
                              ["webhook_deliveries_by_status"]),
        "suppressions": ("GET", "/v1/suppressions", ["suppressions_pkey"]),
        "suppressions domain": ("GET", "/v1/suppressions?type=domain", ["suppressions_by_kind"]),
        "search address": ("GET", "/v1/leads?q=p12", ["leads_pkey"]),
        "search name": ("GET", "/v1/leads?q=f1", ["leads_by_name", "leads_by_last_name"]),
        "search company": ("GET", "/v1/leads?q=co%201", ["leads_by_company"]),
        "all leads": ("GET", "/v1/leads?cursor=" + cursor(a_lead), ["leads_by_id"]),
        "lead": ("GET", "/v1/leads/" + a_lead, ["enrollments_pkey", "leads_by_id"]),
        "inbox": ("GET", "/v1/inbox", ["inbox_by_time"]),
        "inbox label": ("GET", "/v1/inbox?label=interested", ["inbox_by_label"]),
        "inbox unread": ("GET", "/v1/inbox?unread=true", ["inbox_unread"]),
        "inbox campaign": ("GET", "/v1/inbox?campaignId=" + camp, ["inbox_by_campaign"]),
    }
    problems = []
    for name, (method, path, indexes) in endpoints.items():
        start = len(srv.stderr_text())
        for _ in range(8):  # past the 5 custom plans of a prepared statement
            body = {"leadId": a_lead} if method == "POST" else None
            r = srv.request(method, path, json_body=body)
            assert r.status_code == 200, (name, r.text)
        plans = "\n".join(plans_between(srv, start))
        assert plans, "no plans came back (auto_explain not loaded?)"
        if seq_scans(plans):
            problems.append((name, "sequential scan of " + ", ".join(seq_scans(plans)), plans))
        for index in indexes:
            if index not in plans:
                problems.append((name, "does not use " + index, plans))
    assert not problems, "\n\n".join("%s: %s\n%s" % (n, why, p[-3000:]) for n, why, p in problems)

    # Not endpoints: the engine's SQL, EXPLAINed as it is prepared.
    ws = srv.workspace_id
    internal = {
        "claim": ("SELECT l.id, e.current_step FROM enrollments e JOIN leads l ON "
                  "l.workspace_id = e.workspace_id AND l.id = e.lead_id WHERE e.workspace_id = $1 "
                  "AND e.campaign_id = $2 AND e.status = 'queued' AND e.next_send_at IS NOT NULL "
                  "AND e.next_send_at <= 99999999 ORDER BY e.next_send_at LIMIT 200 FOR UPDATE OF "
                  "e SKIP LOCKED", "enrollments_due"),
        # Set-based statements of a send's commit (store/sql/json_rows.h):
        # whatever PostgreSQL estimates for the JSON rows, it reads the key.
        "mark sending": ("UPDATE messages SET status = 'sending' WHERE workspace_id = $1 AND id = "
                         "ANY(ARRAY(SELECT json_array_elements_text(CAST('[\"msg_x\"]' AS "
                         "json)))) AND (status || '') = 'claimed' AND (lease_owner || '') = $2 "
                         "AND EXISTS (SELECT 1 FROM enrollments e WHERE e.workspace_id = $1 AND "
                         "e.campaign_id = messages.campaign_id AND e.lead_id = messages.lead_id "
                         "AND (e.status || '') = 'active') RETURNING id", "messages_pkey"),
        "record outcomes": ("UPDATE messages SET status = v.c2 FROM (SELECT r ->> 0 AS c1, "
                            "r ->> 1 AS c2, r ->> 2 AS c3 FROM json_array_elements(CAST("
                            "'[[\"msg_x\", \"delivered\", \"w\"]]' AS json)) AS r) AS v "
                            "WHERE messages.workspace_id = v.c3 AND messages.id = v.c1 AND "
                            "(messages.workspace_id = $1 AND messages.id = ANY(ARRAY(SELECT "
                            "json_array_elements_text(CAST('[\"msg_x\"]' AS json))))) AND "
                            "(messages.status || '') IN ('claimed', 'sending') AND $2 <> '' "
                            "RETURNING messages.id", "messages_pkey"),
        "move enrollments": ("UPDATE enrollments SET status = v.c2 FROM (SELECT r ->> 0 AS c1, "
                             "r ->> 1 AS c2 FROM json_array_elements(CAST('[[\"ld_x\", "
                             "\"queued\"]]' AS json)) AS r) AS v WHERE enrollments.workspace_id "
                             "= $1 AND enrollments.campaign_id = $2 AND enrollments.lead_id = v.c1 "
                             "AND (enrollments.workspace_id = $1 AND enrollments.campaign_id = $2 "
                             "AND enrollments.lead_id = ANY(ARRAY(SELECT "
                             "json_array_elements_text(CAST('[\"ld_x\"]' AS json))))) AND "
                             "(enrollments.status || '') = 'active' RETURNING enrollments.lead_id",
                             "enrollments_pkey"),
        "match by header": ("SELECT m.id FROM messages m WHERE m.workspace_id = $1 AND "
                            "m.message_id_header = '<n5@x>' AND $2 <> '' LIMIT 1",
                            "messages_by_header"),
        "match by address": ("SELECT m.id FROM leads l JOIN messages m ON m.workspace_id = "
                             "l.workspace_id AND m.lead_id = l.id WHERE l.workspace_id = $1 AND "
                             "l.email_norm = 'p5@co1.example' AND m.mailbox_id = $2 AND "
                             "m.status IN ('delivered', 'unknown', 'bounced') ORDER BY "
                             "m.created_at DESC LIMIT 1", "leads_pkey"),
        "stop company": ("UPDATE enrollments SET status = 'stopped' WHERE workspace_id = $1 AND "
                         "campaign_id = $2 AND status = 'queued' AND lead_id IN (SELECT id FROM "
                         "leads WHERE workspace_id = $1 AND substr(email_norm, strpos(email_norm, "
                         "'@') + 1) = 'co1.example')", "leads_by_domain"),
    }
    for name, (sql, index) in internal.items():
        second = mailbox if name == "match by address" else camp
        script = ("SET plan_cache_mode = force_generic_plan;\nPREPARE q(text, text) AS %s;\n"
                  "EXPLAIN EXECUTE q('%s', '%s');\n" % (sql, ws, second))
        plan = psql(url, "BEGIN;\n" + script + "ROLLBACK;\n")
        assert not seq_scans(plan), (name, plan)
        assert index in plan, (name, plan)
