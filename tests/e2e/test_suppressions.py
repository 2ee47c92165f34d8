"""Suppression list through the real binary: add addresses and domains with a
reason, list (filter, pages), delete; suppressed addresses are refused at
enrollment (per-row errors) and leads suppressed after enrollment are never
sent (enrollment `suppressed`); another workspace sees none of it."""


import pytest

from conftest import assert_error, bulk, start, step, wait_until


def suppress(srv, key="default", **body):
    r = srv.post("/v1/suppressions", body, key=key)
    assert r.status_code == 200, r.text
    return r.json()["data"]


@pytest.mark.parametrize("body,param", [
    ({}, "emails"),
    ({"emails": [], "domains": []}, "emails"),
    ({"emails": "a@b.com"}, "emails"),
    ({"emails": ["ok@b.com", "not-an-email"]}, "emails[1]"),
    ({"emails": [42]}, "emails[0]"),
    ({"domains": ["bad domain"]}, "domains[0]"),
    ({"domains": ["x@y.com"]}, "domains[0]"),
    ({"emails": ["a@b.com"], "reason": "x" * 501}, "reason"),
    ({"emails": ["a@b.com"], "bogus": 1}, "bogus"),
])
def test_validation_writes_nothing(server, ws, body, param):
    assert_error(server.post("/v1/suppressions", body, key=ws), 400, "invalid_request", param)
    assert server.list_all("/v1/suppressions", key=ws) == []


def test_add_list_filter_page_delete(server, ws, other_ws):
    d = suppress(server, key=ws, emails=["Zed@Example.com", "amy@example.com"],
                 domains=["@Competitor.io", "rival.net"], reason="do not contact")
    assert d == {"added": 4, "alreadySuppressed": 0}
    assert suppress(server, key=ws, emails=["zed@example.com"]) == \
        {"added": 0, "alreadySuppressed": 1}
    items = server.list_all("/v1/suppressions", key=ws, limit=1)
    assert [i["value"] for i in items] == ["amy@example.com", "competitor.io", "rival.net",
                                          "zed@example.com"]
    assert {i["type"] for i in items} == {"email", "domain"}
    assert all(i["reason"] == "do not contact" and i["source"] == "api" for i in items)
    only = server.list_all("/v1/suppressions", key=ws, type="domain")
    assert [i["value"] for i in only] == ["competitor.io", "rival.net"]
    assert_error(server.get("/v1/suppressions?type=phone", key=ws), 400, "invalid_request", "type")
    assert_error(server.get("/v1/suppressions?cursor=%%%", key=ws), 400, "invalid_request",
                 "cursor")

    # Another workspace sees nothing and cannot delete.
    _, other_key = other_ws
    assert server.list_all("/v1/suppressions", key=other_key) == []
    assert_error(server.delete("/v1/suppressions/amy@example.com", key=other_key), 404,
                 "not_found")

    r = server.delete("/v1/suppressions/AMY@example.com", key=ws)
    assert r.status_code == 200 and r.json()["data"] == {"value": "amy@example.com",
                                                         "deleted": True}, r.text
    assert_error(server.delete("/v1/suppressions/amy@example.com", key=ws), 404, "not_found")
    assert len(server.list_all("/v1/suppressions", key=ws)) == 3


def test_suppressed_addresses_are_refused_at_enrollment(server, ws):
    suppress(server, key=ws, emails=["blocked@acme.test"], domains=["banned.test"])
    camp = server.create_campaign("Refusals", key=ws)
    r = server.post("/v1/campaigns/%s/leads/bulk" % camp["id"], {"leads": [
        {"email": "ok@acme.test"},
        {"email": "Blocked@ACME.test"},
        {"email": "anyone@banned.test"},
        {"email": "fine@other.test"},
    ]}, key=ws)
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["enrolled"] == 2, d
    refused = sorted((e["index"], e["code"]) for e in d["errors"])
    assert refused == [(1, "suppressed"), (2, "suppressed")], d["errors"]
    emails = {l["email"] for l in server.list_all("/v1/campaigns/%s/leads" % camp["id"], key=ws)}
    assert emails == {"ok@acme.test", "fine@other.test"}


def test_leads_suppressed_after_enrollment_are_never_sent(make_server, peer):
    srv = make_server("--rate-limit", "0", "--day-seconds", "1")
    assert srv.post("/v1/mailboxes", peer.mailbox_body()).status_code == 201
    camp = srv.create_campaign("Late suppression", [step("Hi {{firstName}}", "<p>x</p>")])
    bulk(srv, camp["id"], [{"email": "keep@one.test", "firstName": "K"},
                           {"email": "drop@one.test", "firstName": "D"},
                           {"email": "who@gone.test", "firstName": "W"}])
    suppress(srv, emails=["drop@one.test"], domains=["gone.test"])
    start(srv, camp["id"])

    def statuses():
        return {l["email"]: l["status"]
                for l in srv.list_all("/v1/campaigns/%s/leads" % camp["id"])}
    wait_until(lambda: statuses()["keep@one.test"] == "completed", lambda: repr(statuses()))
    wait_until(lambda: srv.get("/v1/campaigns/%s/stats" % camp["id"]).json()["data"]["metrics"]
               ["queued"] == 0, lambda: repr(statuses()))
    s = statuses()
    assert s["drop@one.test"] == "suppressed" and s["who@gone.test"] == "suppressed", s
    assert sorted(m["to"][0] for m in peer.snapshot()) == ["keep@one.test"]
    suppressed = srv.list_all("/v1/campaigns/%s/leads" % camp["id"], status="suppressed")
    assert len(suppressed) == 2
