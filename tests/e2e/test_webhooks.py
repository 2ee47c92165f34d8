"""Webhooks, end to end: real binary -> real HTTP receiver on loopback (and,
for message events, the real SMTP peer).

Signatures are checked independently (webhook_receiver.WebhookReceiver.verify,
Python's hmac). Nothing here asserts a latency: every wait polls a condition
up to a generous deadline and fails with the state it last saw.
"""

import collections
import random
import re
import time
import uuid

import pytest

from conftest import wait_until, CAMP_ID_RE, ULID, assert_error, step
from webhook_receiver import WebhookReceiver

DEADLINE = 30.0

WHK_ID_RE = re.compile(r"^whk_" + ULID + r"$")
EVT_ID_RE = re.compile(r"^evt_" + ULID + r"$")
MSG_ID_RE = re.compile(r"^msg_" + ULID + r"$")
LEAD_ID_RE = re.compile(r"^lead_" + ULID + r"$")
WHSEC_RE = re.compile(r"^whsec_[0-9A-Za-z]{32}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")

EVENT_TYPES = ["campaign.started", "campaign.paused", "message.sent", "message.bounced",
               "message.replied", "lead.unsubscribed", "step.winner_selected", "message.opened",
               "message.clicked"]
WEBHOOK_FIELDS = {"id", "url", "events", "description", "status", "createdAt", "lastSuccessAt",
                  "failingSince"}
DELIVERY_FIELDS = {"eventId", "eventType", "webhookId", "status", "attemptCount", "createdAt",
                   "nextAttemptAt", "deliveredAt", "lastStatusCode", "lastError", "attempts"}
ATTEMPT_FIELDS = {"attemptedAt", "statusCode", "latencyMs", "error"}
ENVELOPE_FIELDS = {"id", "type", "createdAt", "data"}

GOOD_URL = "https://hooks.example.com/leadterra"
USER_AGENT = "Leadterra-Webhooks/1"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------



def webhook_server(make_server, *extra, **kw):
    return make_server(*(["--rate-limit", "0"] + list(extra)), **kw)


def create_webhook(srv, url, events=("message.sent",), key="default", **extra):
    body = {"url": url, "events": list(events)}
    body.update(extra)
    r = srv.post("/v1/webhooks", body, key=key)
    assert r.status_code == 201, (r.status_code, r.text)
    w = r.json()["data"]
    check_webhook(w)
    assert WHSEC_RE.match(w.get("secret") or ""), w
    return w


def public(w):
    return {k: v for k, v in w.items() if k != "secret"}


def check_webhook(w):
    missing = WEBHOOK_FIELDS - set(w)
    assert not missing, ("webhook lacks %r" % sorted(missing), w)
    assert WHK_ID_RE.match(w["id"]), w
    assert TIME_RE.match(w["createdAt"]), w
    assert w["status"] in ("active", "failing"), w
    assert w["lastSuccessAt"] is None or TIME_RE.match(w["lastSuccessAt"]), w
    assert w["failingSince"] is None or TIME_RE.match(w["failingSince"]), w
    assert isinstance(w["events"], list) and w["events"], w
    assert all(e in EVENT_TYPES for e in w["events"]), w


def get_webhook(srv, wid, key="default"):
    r = srv.get("/v1/webhooks/" + wid, key=key)
    assert r.status_code == 200, r.text
    w = r.json()["data"]
    check_webhook(w)
    assert "secret" not in w, w
    return w


def send_test(srv, wid, key="default", body=None):
    r = srv.post("/v1/webhooks/%s/test" % wid, body, key=key)
    assert r.status_code == 202, (r.status_code, r.text)
    d = r.json()["data"]
    assert d["type"] == "webhook.test", d
    assert d["webhookId"] == wid, d
    assert EVT_ID_RE.match(d["eventId"]), d
    return d["eventId"]


def deliveries(srv, wid, key="default", **params):
    out = srv.list_all("/v1/webhooks/%s/deliveries" % wid, key=key, **params)
    for d in out:
        check_delivery(d)
    return out


def check_delivery(d):
    missing = DELIVERY_FIELDS - set(d)
    assert not missing, ("delivery lacks %r" % sorted(missing), d)
    assert EVT_ID_RE.match(d["eventId"]), d
    assert WHK_ID_RE.match(d["webhookId"]), d
    assert d["status"] in ("pending", "delivered", "failed"), d
    assert isinstance(d["attemptCount"], int) and d["attemptCount"] >= 0, d
    assert TIME_RE.match(d["createdAt"]), d
    for k in ("nextAttemptAt", "deliveredAt"):
        assert d[k] is None or TIME_RE.match(d[k]), (k, d)
    assert d["lastStatusCode"] is None or isinstance(d["lastStatusCode"], int), d
    assert d["lastError"] is None or isinstance(d["lastError"], str), d
    assert isinstance(d["attempts"], list), d
    for a in d["attempts"]:
        missing = ATTEMPT_FIELDS - set(a)
        assert not missing, ("attempt lacks %r" % sorted(missing), d)
        assert TIME_RE.match(a["attemptedAt"]), d
        assert a["statusCode"] is None or isinstance(a["statusCode"], int), d
        assert isinstance(a["latencyMs"], int) and not isinstance(a["latencyMs"], bool), d
        assert a["latencyMs"] >= 0, d
        assert a["error"] is None or isinstance(a["error"], str), d
    # attempts are listed oldest first
    times = [a["attemptedAt"] for a in d["attempts"]]
    assert times == sorted(times), d
    if d["status"] == "delivered":
        assert TIME_RE.match(d["deliveredAt"] or ""), d
        assert d["nextAttemptAt"] is None, d
        assert 200 <= (d["lastStatusCode"] or 0) < 300, d
    if d["status"] == "failed":
        assert d["nextAttemptAt"] is None and d["deliveredAt"] is None, d


def find_delivery(srv, wid, eid, key="default"):
    for d in deliveries(srv, wid, key=key):
        if d["eventId"] == eid:
            return d
    return None


def wait_delivery(srv, wid, eid, pred, what, key="default", timeout=DEADLINE):
    seen = {}

    def check():
        d = find_delivery(srv, wid, eid, key=key)
        seen["d"] = d
        return d if d is not None and pred(d) else None
    return wait_until(check, lambda: "%s; last delivery seen: %r" % (what, seen.get("d")),
                      timeout=timeout)


def delivered(srv, wid, eid, key="default", timeout=DEADLINE):
    return wait_delivery(srv, wid, eid, lambda d: d["status"] == "delivered",
                         "delivery of %s to %s" % (eid, wid), key=key, timeout=timeout)


def check_envelope(ev, type_):
    assert isinstance(ev, dict) and set(ev) == ENVELOPE_FIELDS, ev
    assert EVT_ID_RE.match(ev["id"]), ev
    assert ev["type"] == type_, ev
    assert TIME_RE.match(ev["createdAt"]), ev
    assert isinstance(ev["data"], dict), ev


def check_request(rec, secret, path=None):
    """Headers and signature of one request the receiver got."""
    assert rec.method == "POST", rec
    if path is not None:
        assert rec.path == path, rec
    assert rec.headers.get("Content-Type", "").startswith("application/json"), dict(rec.headers)
    assert rec.headers.get("User-Agent") == USER_AGENT, dict(rec.headers)
    assert isinstance(rec.json, dict), rec.body[:500]
    assert rec.headers.get("Leadterra-Event-Id") == rec.json.get("id"), (dict(rec.headers),
                                                                        rec.json)
    sig = rec.headers.get("Leadterra-Signature")
    parsed = WebhookReceiver.parse_signature(sig)
    assert parsed is not None, "malformed Leadterra-Signature %r" % (sig,)
    assert abs(int(parsed[0]) - time.time()) < 600, "signature t=%s is not now" % parsed[0]
    assert WebhookReceiver.verify(secret, rec.headers, rec.body), (
        "signature does not verify: %r over %r" % (sig, rec.body[:300]))


def leads_by_email(srv, cid):
    out = srv.list_all("/v1/campaigns/%s/leads" % cid, limit=1000)
    return {l["email"].lower(): l for l in out}


def stats(srv, cid):
    r = srv.get("/v1/campaigns/%s/stats" % cid)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def peer_msgid_local(m):
    """The local part of the Message-ID header the SMTP peer received."""
    mid = str(m["msg"]["Message-ID"] or "").strip().strip("<>")
    return mid.split("@")[0]


# --------------------------------------------------------------------------
# Create: validation
# --------------------------------------------------------------------------

_DROP = object()


def _b(**kw):
    """A valid create body with some fields replaced (or dropped with _DROP)."""
    body = {"url": GOOD_URL, "events": ["message.sent"]}
    for k, v in kw.items():
        if v is _DROP:
            body.pop(k, None)
        else:
            body[k] = v
    return body


_HOST = "https://example.com/"

INVALID = [
    ("url missing", _b(url=_DROP), "url"),
    ("url null", _b(url=None), "url"),
    ("url number", _b(url=42), "url"),
    ("url empty", _b(url=""), "url"),
    ("url ftp", _b(url="ftp://example.com/hook"), "url"),
    ("url no scheme", _b(url="example.com/hook"), "url"),
    ("url relative", _b(url="/hook"), "url"),
    ("url no host", _b(url="http://"), "url"),
    ("url empty host with path", _b(url="http:///hook"), "url"),
    ("url space in host", _b(url="https://exa mple.com/hook"), "url"),
    ("url space in path", _b(url="https://example.com/a b"), "url"),
    ("url control char", _b(url="https://example.com/a\x01b"), "url"),
    ("url newline", _b(url="https://example.com/a\nb"), "url"),
    ("url too long", _b(url=_HOST + "a" * (2049 - len(_HOST))), "url"),
    ("events missing", _b(events=_DROP), "events"),
    ("events null", _b(events=None), "events"),
    ("events empty", _b(events=[]), "events"),
    ("events string", _b(events="message.sent"), "events"),
    ("events object", _b(events={"0": "message.sent"}), "events"),
    ("events unknown type", _b(events=["message.sent", "message.forwarded"]), "events[1]"),
    ("events wrong case", _b(events=["Message.Sent"]), "events[0]"),
    ("events webhook.test", _b(events=["webhook.test"]), "events[0]"),
    ("events non-string item", _b(events=["message.sent", "campaign.paused", 5]), "events[2]"),
    ("events empty string", _b(events=[""]), "events[0]"),
    ("unknown field", _b(foo=1), "foo"),
    ("secret not settable", _b(secret="whsec_" + "a" * 32), "secret"),
    ("status not settable", _b(status="active"), "status"),
    ("description too long", _b(description="d" * 501), "description"),
    ("description too many bytes", _b(description="\u00e9" * 251), "description"),
    ("description number", _b(description=7), "description"),
]


@pytest.mark.parametrize("name,body,param", INVALID, ids=[c[0] for c in INVALID])
def test_create_validation(server, ws, name, body, param):
    r = server.post("/v1/webhooks", body, key=ws)
    assert_error(r, 400, "invalid_request", param)
    # No partial write.
    r = server.get("/v1/webhooks", key=ws)
    assert r.status_code == 200, r.text
    assert r.json() == {"data": [], "nextCursor": None}


def test_create_body_not_json_object(server, ws):
    r = server.post("/v1/webhooks", [GOOD_URL], key=ws)
    assert_error(r, 400, "invalid_request", check_param=False)
    r = server.request("POST", "/v1/webhooks", key=ws, data=b'{"url": "http://x.test/",',
                       headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_request", check_param=False)
    r = server.request("POST", "/v1/webhooks", key=ws,
                       data=b'{"url":"http://x.test/","events":["message.sent"]}',
                       headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type", check_param=False)
    r = server.post("/v1/webhooks", _b(), key=None)
    assert_error(r, 401, "authentication_failed", check_param=False)
    r = server.get("/v1/webhooks", key=ws)
    assert r.json() == {"data": [], "nextCursor": None}


def test_create_boundaries_accepted(server, ws):
    long_url = _HOST + "a" * (2048 - len(_HOST))
    assert len(long_url.encode()) == 2048
    w = create_webhook(server, long_url, key=ws)
    assert w["url"] == long_url
    w = create_webhook(server, "http://127.0.0.1:9/x?y=1", key=ws,
                       description="\u00e9" * 250)  # 500 bytes
    assert w["description"] == "\u00e9" * 250
    assert w["url"] == "http://127.0.0.1:9/x?y=1"
    assert len(server.list_all("/v1/webhooks", key=ws)) == 2


# --------------------------------------------------------------------------
# Create, get, list, delete, tenancy
# --------------------------------------------------------------------------

def test_create_get_list_delete(server, ws):
    w1 = create_webhook(server, GOOD_URL + "/one", key=ws,
                        events=["message.sent", "campaign.started", "message.sent"])
    w2 = create_webhook(server, "http://127.0.0.1:8999/two", key=ws,
                        events=list(reversed(EVENT_TYPES)))
    w3 = create_webhook(server, GOOD_URL + "/three", key=ws, events=["lead.unsubscribed"],
                        description="Zapier \u2014 prod")

    # Duplicates collapsed, canonical order; description null when absent.
    assert w1["events"] == ["campaign.started", "message.sent"], w1
    assert w2["events"] == EVENT_TYPES, w2
    assert w1["description"] is None and w2["description"] is None
    assert w3["description"] == "Zapier \u2014 prod"
    assert w1["url"] == GOOD_URL + "/one"
    for w in (w1, w2, w3):
        assert w["status"] == "active", w
        assert w["lastSuccessAt"] is None and w["failingSince"] is None, w
    secrets = [w["secret"] for w in (w1, w2, w3)]
    assert len(set(secrets)) == 3, secrets

    # The secret is shown once: never by GET or list.
    made = sorted((public(w) for w in (w1, w2, w3)), key=lambda w: w["id"])
    for w in made:
        r = server.get("/v1/webhooks/" + w["id"], key=ws)
        assert r.status_code == 200, r.text
        assert r.json()["data"] == w
        assert not any(s in r.text for s in secrets), r.text
    r = server.get("/v1/webhooks", key=ws)
    assert r.status_code == 200, r.text
    assert r.json() == {"data": made, "nextCursor": None}
    assert not any(s in r.text for s in secrets) and "whsec_" not in r.text, r.text

    # Pagination, ascending by id.
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        r = server.get("/v1/webhooks", key=ws, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"data", "nextCursor"}, body
        assert len(body["data"]) <= 1, body
        seen += body["data"]
        cursor = body["nextCursor"]
        pages += 1
        assert pages < 10, "pagination never terminated"
        if cursor is None:
            break
    assert seen == made

    for params, param in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"),
                          ({"limit": "x"}, "limit"), ({"cursor": "garbage"}, "cursor")):
        assert_error(server.get("/v1/webhooks", key=ws, params=params), 400, "invalid_request",
                     param)

    # Delete.
    r = server.delete("/v1/webhooks/" + w2["id"], key=ws)
    assert r.status_code == 200, r.text
    assert r.json() == {"data": {"id": w2["id"], "deleted": True}}
    path = "/v1/webhooks/" + w2["id"]
    assert_error(server.get(path, key=ws), 404, "not_found", check_param=False)
    assert_error(server.delete(path, key=ws), 404, "not_found", check_param=False)
    assert_error(server.get(path + "/deliveries", key=ws), 404, "not_found", check_param=False)
    assert_error(server.post(path + "/test", key=ws), 404, "not_found", check_param=False)
    assert server.list_all("/v1/webhooks", key=ws) == [w for w in made if w["id"] != w2["id"]]


def test_other_workspace_gets_404(server, ws):
    _, other = server.new_workspace("Webhooks other %s" % uuid.uuid4().hex[:6])
    w = create_webhook(server, GOOD_URL, key=ws)
    path = "/v1/webhooks/" + w["id"]
    assert_error(server.get(path, key=other), 404, "not_found", check_param=False)
    assert_error(server.get(path + "/deliveries", key=other), 404, "not_found",
                 check_param=False)
    assert_error(server.post(path + "/test", key=other), 404, "not_found", check_param=False)
    assert_error(server.delete(path, key=other), 404, "not_found", check_param=False)
    assert server.list_all("/v1/webhooks", key=other) == []
    # Untouched for its owner, and no test event was queued by the stranger.
    assert get_webhook(server, w["id"], key=ws) == public(w)
    assert deliveries(server, w["id"], key=ws) == []

    for bad in ("whk_00000000000000000000000000", "nope", w["id"].upper()):
        assert_error(server.get("/v1/webhooks/" + bad, key=ws), 404, "not_found",
                     check_param=False)
        assert_error(server.delete("/v1/webhooks/" + bad, key=ws), 404, "not_found",
                     check_param=False)
        assert_error(server.post("/v1/webhooks/%s/test" % bad, key=ws), 404, "not_found",
                     check_param=False)


# --------------------------------------------------------------------------
# Test event: delivery, signature, deliveries list
# --------------------------------------------------------------------------

def test_test_event_is_delivered_signed(server, ws, receivers):
    rcv = receivers(ok_status=200)
    w = create_webhook(server, rcv.url, events=["message.sent"], key=ws)
    wid, secret = w["id"], w["secret"]

    r = server.post("/v1/webhooks/%s/test" % wid, key=ws)
    assert r.status_code == 202, r.text
    assert r.json() == {"data": {"eventId": r.json()["data"]["eventId"], "type": "webhook.test",
                                 "webhookId": wid}}, r.text
    eid = r.json()["data"]["eventId"]
    assert EVT_ID_RE.match(eid), eid

    rcv.wait_for(lambda: eid in rcv.event_ids(), describe="test event %s" % eid)
    reqs = rcv.requests()
    assert len(reqs) == 1, reqs  # exactly that event, once
    rec = reqs[0]
    assert rec.ok and rec.event_id == eid, rec
    check_request(rec, secret, path="/hooks")
    ev = rec.json
    check_envelope(ev, "webhook.test")
    assert ev["id"] == eid
    assert ev["data"] == {"webhookId": wid}, ev

    # The signature is bound to the secret and to the exact bytes.
    assert not WebhookReceiver.verify(secret[:-1] + ("A" if secret[-1] != "A" else "B"),
                                      rec.headers, rec.body)
    assert not WebhookReceiver.verify(secret[len("whsec_"):], rec.headers, rec.body)
    assert not WebhookReceiver.verify(secret, rec.headers, rec.body + b" ")
    assert not WebhookReceiver.verify(secret, rec.headers, rec.body.replace(b"webhook.test",
                                                                            b"webhook.tesT"))

    d = delivered(server, wid, eid, key=ws)
    assert d["eventType"] == "webhook.test" and d["webhookId"] == wid, d
    assert d["attemptCount"] == 1 and len(d["attempts"]) == 1, d
    assert d["lastStatusCode"] == 200 and d["lastError"] is None, d
    a = d["attempts"][0]
    assert a["statusCode"] == 200 and a["error"] is None, d
    assert isinstance(a["latencyMs"], int) and a["latencyMs"] >= 0, d

    wait_until(lambda: get_webhook(server, wid, key=ws)["lastSuccessAt"],
               lambda: get_webhook(server, wid, key=ws))
    w_now = get_webhook(server, wid, key=ws)
    assert w_now["status"] == "active" and w_now["failingSince"] is None, w_now

    # A body, if any, must be {}.
    eid2 = send_test(server, wid, key=ws, body={})
    r = server.post("/v1/webhooks/%s/test" % wid, {"foo": 1}, key=ws)
    assert_error(r, 400, "invalid_request", check_param=False)
    eid3 = send_test(server, wid, key=ws)
    assert len({eid, eid2, eid3}) == 3

    rcv.wait_for(lambda: rcv.event_ids() >= {eid, eid2, eid3}, describe="three test events")
    for e in (eid2, eid3):
        delivered(server, wid, e, key=ws)
    # Only test events were created (the rejected one made none).
    assert rcv.event_ids() == {eid, eid2, eid3}
    for rec in rcv.requests():
        check_request(rec, secret)

    # Deliveries: newest first (descending event id), paginated.
    ds = deliveries(server, wid, key=ws)
    ids = [x["eventId"] for x in ds]
    assert sorted(ids) == sorted([eid, eid2, eid3]), ids
    assert ids == sorted(ids, reverse=True), ids
    walked, cursor = [], None
    for _ in range(10):
        params = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        r = server.get("/v1/webhooks/%s/deliveries" % wid, key=ws, params=params)
        assert r.status_code == 200, r.text
        assert len(r.json()["data"]) <= 1
        walked += [x["eventId"] for x in r.json()["data"]]
        cursor = r.json()["nextCursor"]
        if cursor is None:
            break
    assert walked == ids
    assert [x["eventId"] for x in deliveries(server, wid, key=ws, status="delivered")] == ids
    assert deliveries(server, wid, key=ws, status="pending") == []
    assert deliveries(server, wid, key=ws, status="failed") == []
    for bad in ("bogus", "", "Delivered"):
        assert_error(server.get("/v1/webhooks/%s/deliveries" % wid, key=ws,
                                params={"status": bad}), 400, "invalid_request", "status")


# --------------------------------------------------------------------------
# Campaign events
# --------------------------------------------------------------------------

def test_campaign_started_and_paused_events(server, ws, receivers):
    rcv = receivers()
    server.add_mailbox(key=ws)  # lets the campaign start; it has no leads to send to
    both = create_webhook(server, rcv.url_for("/both"), key=ws,
                          events=["campaign.paused", "campaign.started"])
    started_only = create_webhook(server, rcv.url_for("/started"), key=ws,
                                  events=["campaign.started"])
    msgs_only = create_webhook(server, rcv.url_for("/msgs"), key=ws, events=["message.sent"])
    gone = create_webhook(server, rcv.url_for("/gone"), key=ws,
                          events=["campaign.started", "campaign.paused"])
    r = server.delete("/v1/webhooks/" + gone["id"], key=ws)
    assert r.status_code == 200, r.text

    camp = server.create_campaign("Launch \u00e9t\u00e9", [step("Hi", "<p>x</p>")], key=ws)
    cid = camp["id"]
    r = server.post("/v1/campaigns/%s/start" % cid, key=ws)
    assert r.status_code == 200, r.text
    started_at = r.json()["data"]["startedAt"]

    rcv.wait_for(lambda: rcv.events("campaign.started", path="/both")
                 and rcv.events("campaign.started", path="/started"),
                 describe="campaign.started at /both and /started")
    r = server.post("/v1/campaigns/%s/pause" % cid, key=ws)
    assert r.status_code == 200, r.text
    rcv.wait_for(lambda: rcv.events("campaign.paused", path="/both"),
                 describe="campaign.paused at /both")

    ev = rcv.events("campaign.started", path="/both")[0]
    check_envelope(ev, "campaign.started")
    d = ev["data"]
    assert d["campaignId"] == cid and CAMP_ID_RE.match(cid), d
    assert d["name"] == "Launch \u00e9t\u00e9", d
    assert d["status"] == "running", d
    assert TIME_RE.match(d["startedAt"]), d
    assert d["startedAt"] == started_at, (d, started_at)

    pev = rcv.events("campaign.paused", path="/both")[0]
    check_envelope(pev, "campaign.paused")
    assert pev["data"]["campaignId"] == cid and pev["data"]["name"] == "Launch \u00e9t\u00e9"
    assert pev["data"]["status"] == "paused", pev
    assert pev["id"] != ev["id"]

    # One event, fanned out: the same id and bytes to both subscribers, each
    # signed with its own webhook's secret.
    ev2 = rcv.events("campaign.started", path="/started")[0]
    assert ev2 == ev
    for rec in rcv.requests(path="/both"):
        check_request(rec, both["secret"])
        assert not WebhookReceiver.verify(started_only["secret"], rec.headers, rec.body)
    for rec in rcv.requests(path="/started"):
        check_request(rec, started_only["secret"])
    assert {e["type"] for e in rcv.events(path="/both")} == {"campaign.started",
                                                             "campaign.paused"}

    # Subscriptions filter: no paused event for /started, nothing for /msgs,
    # nothing for the deleted webhook. The deliveries list is written with the
    # event, so it is authoritative at once.
    ds = deliveries(server, started_only["id"], key=ws)
    assert [(x["eventType"], x["eventId"]) for x in ds] == [("campaign.started", ev["id"])], ds
    assert deliveries(server, msgs_only["id"], key=ws) == []
    types_both = sorted(x["eventType"] for x in deliveries(server, both["id"], key=ws))
    assert types_both == ["campaign.paused", "campaign.started"], types_both
    delivered(server, started_only["id"], ev["id"], key=ws)
    assert {e["type"] for e in rcv.events(path="/started")} == {"campaign.started"}
    assert rcv.requests(path="/msgs") == []
    assert rcv.requests(path="/gone") == []


# --------------------------------------------------------------------------
# Message events through the real SMTP peer
# --------------------------------------------------------------------------

def test_message_sent_and_bounced_events(make_server, peer, receivers):
    srv = webhook_server(make_server, "--retry-base-seconds", "1",
                         "--webhook-retry-base-seconds", "0.2")
    rcv = receivers()
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    mbx = r.json()["data"]
    w_all = create_webhook(srv, rcv.url_for("/all"), events=["message.sent", "message.bounced"])
    w_bounce = create_webhook(srv, rcv.url_for("/bounces"), events=["message.bounced"])

    camp = srv.create_campaign("Msgs", [step("Hi {{firstName}}", "<p>Hello {{firstName}}</p>")])
    cid = camp["id"]
    people = {"ann@leads.test": "Ann", "bob@leads.test": "Bob", "cy@leads.test": "Cy",
              "reject1@leads.test": "Rex"}
    r = srv.post("/v1/campaigns/%s/leads/bulk" % cid,
                 {"leads": [{"email": e, "firstName": n} for e, n in people.items()]})
    assert r.status_code == 200 and r.json()["data"]["errors"] == [], r.text
    r = srv.post("/v1/campaigns/%s/start" % cid)
    assert r.status_code == 200, r.text

    wait_until(lambda: stats(srv, cid)["metrics"]["delivered"] == 3
               and stats(srv, cid)["metrics"]["bounced"] == 1,
               lambda: "stats=%r peer=%d" % (stats(srv, cid), len(peer.snapshot())))
    rcv.wait_for(lambda: len(rcv.event_ids("message.sent", path="/all")) >= 3
                 and len(rcv.event_ids("message.bounced", path="/all")) >= 1
                 and len(rcv.event_ids("message.bounced", path="/bounces")) >= 1,
                 describe="3 message.sent + 1 message.bounced")

    ls = leads_by_email(srv, cid)
    accepted = {}
    for m in peer.snapshot():
        for to in m["to"]:
            accepted[to.lower()] = m
    assert sorted(accepted) == ["ann@leads.test", "bob@leads.test", "cy@leads.test"], accepted

    sent = {}
    for ev in rcv.events("message.sent", path="/all"):
        check_envelope(ev, "message.sent")
        sent.setdefault(ev["id"], ev)
        assert sent[ev["id"]] == ev, "one event id, two bodies"
    assert len(sent) == len(accepted) == 3
    by_email = {}
    for ev in sent.values():
        d = ev["data"]
        email = d["email"]
        assert email in accepted, d
        assert email not in by_email, "two message.sent events for %s" % email
        by_email[email] = d
        assert MSG_ID_RE.match(d["messageId"]), d
        assert d["campaignId"] == cid, d
        assert d["leadId"] == ls[email]["id"] and LEAD_ID_RE.match(d["leadId"]), d
        assert d["stepIndex"] == 0 and d["stepNumber"] == 1, d
        assert d["mailboxId"] == mbx["id"], d
        assert d["subject"] == "Hi " + people[email], d
        assert d["subject"] == accepted[email]["msg"]["Subject"], d
        assert TIME_RE.match(d["sentAt"]), d
        local = peer_msgid_local(accepted[email])
        if local.startswith("msg_"):  # the Message-ID header carries the message id
            assert local == d["messageId"], (local, d)
    assert len({d["messageId"] for d in by_email.values()}) == 3

    bounced = rcv.events("message.bounced", path="/all")
    assert len({e["id"] for e in bounced}) == 1, bounced
    bev = bounced[0]
    check_envelope(bev, "message.bounced")
    b = bev["data"]
    assert b["email"] == "reject1@leads.test", b
    assert MSG_ID_RE.match(b["messageId"]) and b["messageId"] not in {
        d["messageId"] for d in by_email.values()}, b
    assert b["campaignId"] == cid and b["leadId"] == ls["reject1@leads.test"]["id"], b
    assert b["stepIndex"] == 0 and b["stepNumber"] == 1, b
    assert b["mailboxId"] == mbx["id"], b
    assert b["smtpCode"] == 550 and not isinstance(b["smtpCode"], bool), b
    assert isinstance(b["smtpReply"], str) and "no such user" in b["smtpReply"].lower(), b
    assert TIME_RE.match(b["bouncedAt"]), b

    # /bounces got the very same bounce event, and nothing else.
    assert {e["type"] for e in rcv.events(path="/bounces")} == {"message.bounced"}
    assert rcv.events(path="/bounces")[0] == bev

    for rec in rcv.requests(path="/all"):
        check_request(rec, w_all["secret"])
    for rec in rcv.requests(path="/bounces"):
        check_request(rec, w_bounce["secret"])

    wait_until(lambda: all(d["status"] == "delivered" for d in deliveries(srv, w_all["id"])),
               lambda: deliveries(srv, w_all["id"]))
    ds = deliveries(srv, w_all["id"])
    assert collections.Counter(d["eventType"] for d in ds) == {"message.sent": 3,
                                                              "message.bounced": 1}, ds
    assert {d["eventId"] for d in ds} == set(sent) | {bev["id"]}


# --------------------------------------------------------------------------
# Retries, timeouts, isolation, failing endpoints
# --------------------------------------------------------------------------

def test_failed_attempts_are_retried_with_identical_body(make_server, receivers):
    srv = webhook_server(make_server, "--webhook-timeout-seconds", "2",
                         "--webhook-retry-base-seconds", "0.2")
    rcv = receivers()
    rcv.fail_first(3)
    w = create_webhook(srv, rcv.url)
    eid = send_test(srv, w["id"])

    rcv.wait_for(lambda: rcv.successes(event_id=eid), describe="eventual success for " + eid)
    d = delivered(srv, w["id"], eid)
    assert d["attemptCount"] == 4, d
    assert [a["statusCode"] for a in d["attempts"]] == [503, 503, 503, 204], d
    assert d["lastStatusCode"] == 204 and d["lastError"] is None, d

    # Delivered exactly once successfully; nothing more after that.
    time.sleep(1.0)
    reqs = rcv.requests()
    assert len(reqs) == 4, reqs
    assert [r.status for r in reqs] == [503, 503, 503, 204], reqs
    assert len(rcv.successes(event_id=eid)) == 1
    assert all(r.event_id == eid for r in reqs), reqs
    assert len({r.body for r in reqs}) == 1, "retries must send identical bytes"
    for rec in reqs:
        check_request(rec, w["secret"])
    assert find_delivery(srv, w["id"], eid)["attemptCount"] == 4


def test_timeout_is_a_failed_attempt(make_server, receivers):
    srv = webhook_server(make_server, "--webhook-timeout-seconds", "1",
                         "--webhook-retry-base-seconds", "0.2")
    rcv = receivers(mode="hang")
    w = create_webhook(srv, rcv.url)
    eid = send_test(srv, w["id"])

    d = wait_delivery(srv, w["id"], eid, lambda d: len(d["attempts"]) >= 1,
                      "a timed-out attempt")
    assert d["status"] == "pending", d
    a = d["attempts"][0]
    assert a["statusCode"] is None, d
    assert a["error"] and "time" in a["error"].lower(), d
    assert d["lastStatusCode"] is None, d
    assert d["lastError"] and "time" in d["lastError"].lower(), d
    assert rcv.successes() == []

    rcv.set_mode("ok")
    d = delivered(srv, w["id"], eid)
    assert d["attempts"][-1]["statusCode"] == 204 and d["attempts"][-1]["error"] is None, d
    assert d["attemptCount"] == len(d["attempts"]) >= 2, d
    for a in d["attempts"][:-1]:
        assert a["statusCode"] is None and "time" in (a["error"] or "").lower(), d
    assert d["lastStatusCode"] == 204 and d["lastError"] is None, d
    rcv.wait_for(lambda: rcv.successes(event_id=eid), describe="success at the receiver")
    assert len(rcv.successes(event_id=eid)) == 1, rcv.requests()
    assert len({r.body for r in rcv.requests(event_id=eid)}) == 1


def test_hanging_endpoint_does_not_block_others(make_server, receivers):
    # A long timeout: A's requests stay hanging for the whole test unless released.
    srv = webhook_server(make_server, "--webhook-timeout-seconds", "60",
                         "--webhook-retry-base-seconds", "0.2")
    srv.add_mailbox()
    slow = receivers(mode="hang")
    fast = receivers()
    wa = create_webhook(srv, slow.url, events=["campaign.started"])
    wb = create_webhook(srv, fast.url, events=["campaign.started"])

    a_ids = [send_test(srv, wa["id"]) for _ in range(4)]
    slow.wait_for(lambda: slow.hanging(), describe="A's first request hanging")

    camp = srv.create_campaign("Both", [step()])
    r = srv.post("/v1/campaigns/%s/start" % camp["id"])
    assert r.status_code == 200, r.text
    b_ids = [send_test(srv, wb["id"]) for _ in range(4)]

    fast.wait_for(lambda: len(fast.event_ids()) == 5,
                  describe="B's 4 test events + campaign.started while A hangs")
    started = fast.event_ids("campaign.started")
    assert len(started) == 1
    assert fast.event_ids("webhook.test") == set(b_ids)
    # Ordering, not timing: all of that happened while A was still stuck.
    assert slow.hanging(), slow.requests()
    assert slow.successes() == [], slow.requests()
    for rec in fast.requests():
        check_request(rec, wb["secret"])

    # Release A: everything it missed arrives, including the shared event.
    slow.set_mode("ok")
    slow.wait_for(lambda: slow.event_ids() == set(a_ids) | started,
                  describe="A's events after release")
    for rec in slow.successes():
        check_request(rec, wa["secret"])
    for eid in a_ids:
        delivered(srv, wa["id"], eid)


def test_failing_endpoint_then_recovery(make_server, receivers):
    srv = webhook_server(make_server, "--webhook-timeout-seconds", "1",
                         "--webhook-retry-base-seconds", "0.2",
                         "--webhook-retry-window-seconds", "2")
    rcv = receivers(mode="fail")
    w = create_webhook(srv, rcv.url)
    wid = w["id"]
    e1 = send_test(srv, wid)

    d = wait_delivery(srv, wid, e1, lambda d: d["status"] == "failed" or d["attemptCount"] >= 1,
                      "a first failed attempt")
    if d["status"] == "pending":
        assert d["lastStatusCode"] == 503, d
        assert TIME_RE.match(d["nextAttemptAt"] or ""), d
        assert d["deliveredAt"] is None, d

    d = wait_delivery(srv, wid, e1, lambda d: d["status"] == "failed", "delivery failed")
    assert d["attemptCount"] == len(d["attempts"]) >= 2, d
    assert all(a["statusCode"] == 503 for a in d["attempts"]), d
    assert d["lastStatusCode"] == 503, d
    assert d["deliveredAt"] is None and d["nextAttemptAt"] is None, d

    wait_until(lambda: get_webhook(srv, wid)["status"] == "failing",
               lambda: "webhook=%r" % get_webhook(srv, wid))
    wh = get_webhook(srv, wid)
    assert TIME_RE.match(wh["failingSince"] or ""), wh
    assert wh["lastSuccessAt"] is None, wh

    assert [x["eventId"] for x in deliveries(srv, wid, status="failed")] == [e1]
    assert deliveries(srv, wid, status="pending") == []
    assert deliveries(srv, wid, status="delivered") == []
    assert rcv.successes() == []
    assert len({r.body for r in rcv.requests(event_id=e1)}) == 1
    # A failed delivery is not tried again.
    n = len(rcv.requests(event_id=e1))
    time.sleep(1.0)
    assert len(rcv.requests(event_id=e1)) == n, rcv.requests()

    # The endpoint comes back: one success makes the webhook active again.
    rcv.set_mode("ok")
    e2 = send_test(srv, wid)
    delivered(srv, wid, e2)
    wait_until(lambda: get_webhook(srv, wid)["status"] == "active",
               lambda: "webhook=%r" % get_webhook(srv, wid))
    wh = get_webhook(srv, wid)
    assert TIME_RE.match(wh["lastSuccessAt"] or ""), wh
    assert wh["failingSince"] is None, wh
    assert find_delivery(srv, wid, e1)["status"] == "failed"
    assert rcv.successes(event_id=e1) == []
    assert len(rcv.successes(event_id=e2)) == 1
    for rec in rcv.requests():
        check_request(rec, w["secret"])


def test_deleted_webhook_stops_retrying(make_server, receivers):
    srv = webhook_server(make_server, "--webhook-timeout-seconds", "1",
                         "--webhook-retry-base-seconds", "0.2")
    rcv = receivers(mode="fail")
    w = create_webhook(srv, rcv.url)
    eid = send_test(srv, w["id"])
    rcv.wait_for(lambda: len(rcv.requests(event_id=eid)) >= 2, describe="two failed attempts")
    r = srv.delete("/v1/webhooks/" + w["id"])
    assert r.status_code == 200, r.text
    n = len(rcv.requests())
    # Backoff from 0.2 s would bring at least two more attempts in this time;
    # at most one that was already in flight may still arrive.
    time.sleep(2.5)
    assert len(rcv.requests()) <= n + 1, rcv.requests()
    assert_error(srv.get("/v1/webhooks/%s/deliveries" % w["id"]), 404, "not_found",
                 check_param=False)


# --------------------------------------------------------------------------
# Durability: kill -9 while messages and their events are in flight
# --------------------------------------------------------------------------

def test_kill_9_loses_no_message_sent_event(make_server, peer, receivers, tmp_path):
    n_leads = 200
    rcv = receivers(delay=0.05)  # slow-ish: events are still being delivered at the kills
    db = str(tmp_path / "webhooks-crash.db")
    args = ["--rate-limit", "0", "--retry-base-seconds", "1", "--webhook-timeout-seconds", "2",
            "--webhook-retry-base-seconds", "0.2"]
    srv = make_server(*args, db_path=db)
    key = srv.key
    r = srv.post("/v1/mailboxes", peer.mailbox_body(daily_limit=100000))
    assert r.status_code == 201, r.text
    w = create_webhook(srv, rcv.url, events=["message.sent"])
    camp = srv.create_campaign("Crash hooks", [step("Hello {{firstName}}", "<p>hi</p>")])
    cid = camp["id"]
    r = srv.post("/v1/campaigns/%s/leads/bulk" % cid,
                 {"leads": [{"email": "k%03d@crash.test" % i, "firstName": "K%d" % i}
                            for i in range(n_leads)]})
    assert r.status_code == 200 and r.json()["data"]["enrolled"] == n_leads, r.text
    r = srv.post("/v1/campaigns/%s/start" % cid)
    assert r.status_code == 200, r.text

    def crash_and_restart(old):
        old.kill()  # SIGKILL: no drain, no cleanup
        new = make_server(*args, db_path=db, expect_bootstrap=False)
        new.key = key
        return new

    # First kill once sending is under way, then twice more shortly after
    # each restart (like test_crash.py: wherever the kill lands is fine).
    rng = random.Random(20261128)
    at_kill = []
    wait_until(lambda: len(peer.snapshot()) >= 10, lambda: "peer=%d" % len(peer.snapshot()))
    for n in range(3):
        if n:
            time.sleep(rng.uniform(0.1, 0.4))
        at_kill.append((len(peer.snapshot()), len(rcv.event_ids("message.sent"))))
        srv = crash_and_restart(srv)
    kills = len(at_kill)

    def finished():
        m = stats(srv, cid)["metrics"]
        return m["completed"] + m["bounced"] == n_leads
    wait_until(finished, lambda: "stats=%r" % stats(srv, cid), timeout=60)
    m = stats(srv, cid)["metrics"]
    assert m["bounced"] == 0, m
    n_delivered = m["delivered"]

    wait_until(lambda: len(rcv.event_ids("message.sent")) >= n_delivered,
               lambda: "receiver has %d distinct events, %d delivered messages"
               % (len(rcv.event_ids("message.sent")), n_delivered), timeout=60)
    ds_state = {}

    def all_recorded():
        ds = deliveries(srv, w["id"])
        ds_state["ds"] = ds
        return len(ds) >= n_delivered and all(d["status"] == "delivered" for d in ds)
    wait_until(all_recorded, lambda: "deliveries: %d, not delivered: %r" % (
        len(ds_state["ds"]), [d for d in ds_state["ds"] if d["status"] != "delivered"][:5]),
        timeout=60)
    ds = ds_state["ds"]

    # What the SMTP peer got.
    peer_by_email = collections.defaultdict(list)
    for msg in peer.snapshot():
        for to in msg["to"]:
            peer_by_email[to.lower()].append(msg)
    assert all(len(v) == 1 for v in peer_by_email.values()), "a lead got step 1 twice"
    peer_msg_ids = {peer_msgid_local(v[0]): e for e, v in peer_by_email.items()}
    header_has_msg_id = all(k.startswith("msg_") for k in peer_msg_ids)

    # What the receiver got: at-least-once, so duplicates are fine, but one
    # event id always carries the same bytes, and every request is signed.
    bodies = {}
    for rec in rcv.successes():
        bodies.setdefault(rec.event_id, rec.body)
        assert bodies[rec.event_id] == rec.body, "event %s changed between deliveries" % (
            rec.event_id)
        check_request(rec, w["secret"])
    events = {}
    for ev in rcv.events("message.sent"):
        check_envelope(ev, "message.sent")
        events[ev["id"]] = ev
    assert set(bodies) == set(events)

    # One event per delivered message: none invented, none lost.
    by_msg = collections.defaultdict(set)
    by_email = collections.defaultdict(set)
    for ev in events.values():
        d = ev["data"]
        assert d["campaignId"] == cid and d["stepNumber"] == 1 and d["stepIndex"] == 0, d
        assert MSG_ID_RE.match(d["messageId"]), d
        assert d["email"] in peer_by_email, "event for a message the peer never got: %r" % d
        if header_has_msg_id:  # the Message-ID header carries the message id
            assert peer_msg_ids.get(d["messageId"]) == d["email"], d
        by_msg[d["messageId"]].add(ev["id"])
        by_email[d["email"]].add(ev["id"])
    assert all(len(v) == 1 for v in by_msg.values()), "several events for one message"
    assert all(len(v) == 1 for v in by_email.values()), "several events for one lead's step"
    assert len(events) == n_delivered, (len(events), m)
    # Only a message that was mid-send at a kill (counted unknown, no event)
    # may have reached the peer without an event.
    no_event = set(peer_by_email) - set(by_email)
    assert len(no_event) <= m["unknown"], (sorted(no_event)[:10], m)
    assert m["unknown"] <= kills, m

    # The server's record: one delivery per event, each successful exactly once.
    assert sorted(d["eventId"] for d in ds) == sorted(events), (len(ds), len(events))
    for d in ds:
        assert d["eventType"] == "message.sent", d
        ok = [a for a in d["attempts"] if a["statusCode"] is not None
              and 200 <= a["statusCode"] < 300]
        assert len(ok) == 1, d
    dupes = sum(len(rcv.successes(event_id=e)) - 1 for e in events)
    print("webhook crash test: %d kills at (peer messages, receiver events) %r; %d delivered, "
          "%d unknown, %d duplicate deliveries" % (kills, at_kill, n_delivered, m["unknown"], dupes))


def test_outbox_waits_for_a_process_running_the_dispatcher(make_server, receivers, tmp_path):
    """With --workers sender, events are recorded but not sent; the next
    process that runs the webhooks worker delivers them from the same database."""
    rcv = receivers()
    db = str(tmp_path / "outbox.db")
    srv = webhook_server(make_server, "--workers", "sender", db_path=db)
    key = srv.key
    w = create_webhook(srv, rcv.url, events=["campaign.started"])
    event_ids = [send_test(srv, w["id"]) for _ in range(3)]
    time.sleep(1.0)  # a dispatcher would have posted by now; none runs here
    assert rcv.requests() == []
    assert all(d["status"] == "pending" and d["attemptCount"] == 0
               for d in deliveries(srv, w["id"])), deliveries(srv, w["id"])
    srv.stop()

    srv = webhook_server(make_server, db_path=db, expect_bootstrap=False)
    srv.key = key
    for eid in event_ids:
        delivered(srv, w["id"], eid)
    assert set(rcv.event_ids()) == set(event_ids)
