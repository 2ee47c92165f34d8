"""Campaign analytics (SPEC §10), black box: buckets aligned to the workspace
time zone (DST days of 23 and 25 hours, half-hour zones), validation of the
query, workspace scoping, and counters that add up to what a real send to
the aiosmtpd peer did (accepted and refused at RCPT, two steps). Replies,
DSN bounces and unsubscribes are checked where test_inbound.py makes them.
"""

import datetime

import pytest

from conftest import TS_RE, assert_error, bulk, start, step, wait_until

COUNTERS = ("sent", "delivered", "bounced", "replied", "unsubscribed", "opened", "clicked")


def analytics(srv, cid, key="default", **params):
    r = srv.get("/v1/campaigns/%s/analytics" % cid, key=key, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def set_zone(srv, key, zone):
    r = srv.patch("/v1/settings/delivery", {"timezone": zone}, key=key)
    assert r.status_code == 200, r.text


def utc(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def test_query_is_validated_and_scoped(server, ws, other_ws):
    cid = server.create_campaign("Analytics checks", [step()], key=ws)["id"]
    base = "/v1/campaigns/%s/analytics" % cid
    for params, param in [({"interval": "week"}, "interval"),
                          ({"from": "yesterday"}, "from"),
                          ({"to": "2025-01-01T00:00:00+01:00"}, "to"),
                          ({"from": "2025-01-02T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, "from"),
                          ({"from": "2025-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, "from"),
                          ({"interval": "hour", "from": "2025-01-01T00:00:00Z",
                            "to": "2025-03-01T00:00:00Z"}, "from"),
                          ({"limit": "5"}, "limit")]:
        assert_error(server.get(base, key=ws, params=params), 400, "invalid_request", param)
    # 1,000 hours is the most one call returns.
    d = analytics(server, cid, key=ws, interval="hour", **{"from": "2025-01-01T00:00:00Z",
                                                           "to": "2025-02-11T16:00:00Z"})
    assert len(d["buckets"]) == 1000
    # Another workspace's campaign is unknown.
    _, other_key = other_ws
    assert_error(server.get(base, key=other_key), 404, "not_found", check_param=False)
    # Defaults: by day over the last 30 days, in the workspace zone (UTC).
    d = analytics(server, cid, key=ws)
    assert d["campaignId"] == cid and d["interval"] == "day" and d["timezone"] == "UTC", d
    assert len(d["buckets"]) in (30, 31), len(d["buckets"])
    assert TS_RE.match(d["from"]) and TS_RE.match(d["to"]), d
    assert all(set(b) == {"start", *COUNTERS} for b in d["buckets"]), d["buckets"][0]
    assert all(b[c] == 0 for b in d["buckets"] for c in COUNTERS)
    assert [s["stepNumber"] for s in d["steps"]] == [1], d["steps"]
    assert d["steps"][0]["variants"] == [] and d["steps"][0]["replyRate"] == 0


def test_buckets_follow_the_workspace_time_zone(server, ws):
    cid = server.create_campaign("Time zones", [step()], key=ws)["id"]
    set_zone(server, ws, "Europe/Berlin")
    # Local days around the spring change: midnight moves from 23:00Z to 22:00Z.
    d = analytics(server, cid, key=ws, interval="day",
                  **{"from": "2025-03-29T12:00:00Z", "to": "2025-04-01T00:00:00Z"})
    assert d["timezone"] == "Europe/Berlin"
    assert [b["start"] for b in d["buckets"]] == [
        "2025-03-28T23:00:00Z", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z",
        "2025-03-31T22:00:00Z"], d["buckets"]
    assert d["from"] == "2025-03-28T23:00:00Z"
    # The spring day has 23 hours, the autumn day 25.
    spring = analytics(server, cid, key=ws, interval="hour",
                       **{"from": "2025-03-29T23:00:00Z", "to": "2025-03-30T22:00:00Z"})
    assert len(spring["buckets"]) == 23
    autumn = analytics(server, cid, key=ws, interval="hour",
                       **{"from": "2025-10-25T22:00:00Z", "to": "2025-10-26T23:00:00Z"})
    assert len(autumn["buckets"]) == 25
    starts = [utc(b["start"]) for b in autumn["buckets"]]
    assert all(b - a == datetime.timedelta(hours=1) for a, b in zip(starts, starts[1:]))
    # Kolkata (UTC+5:30): hours start at half past in UTC.
    set_zone(server, ws, "Asia/Kolkata")
    d = analytics(server, cid, key=ws, interval="hour",
                  **{"from": "2025-01-01T00:10:00Z", "to": "2025-01-01T01:00:00Z"})
    assert [b["start"] for b in d["buckets"]] == ["2024-12-31T23:30:00Z", "2025-01-01T00:30:00Z"]


def test_counters_add_up_to_what_was_sent(make_server, peer):
    srv = make_server("--rate-limit", "0", "--day-seconds", "1")
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    set_zone(srv, "default", "America/New_York")
    cid = srv.create_campaign("Counted", [step("Hello {{firstName}}", "<p>One</p>"),
                                          step("", "<p>Two</p>", delayDays=1)])["id"]
    good = ["ana%d@leads.test" % i for i in range(6)]
    refused = ["reject%d@leads.test" % i for i in range(2)]
    bulk(srv, cid, [{"email": e, "firstName": "Ana"} for e in good + refused])
    start(srv, cid)

    def done():
        m = srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]["metrics"]
        return m if m["delivered"] == 12 and m["bounced"] == 2 and m["queued"] == 0 else None
    m = wait_until(done, "6 leads get both steps, 2 are refused at RCPT")

    for interval in ("hour", "day"):
        d = analytics(srv, cid, interval=interval)
        assert d["timezone"] == "America/New_York"
        sums = {c: sum(b[c] for b in d["buckets"]) for c in COUNTERS}
        assert sums == {"sent": 14, "delivered": 12, "bounced": 2, "replied": 0,
                        "unsubscribed": 0, "opened": 0, "clicked": 0}, (interval, sums)
        assert {c: d["totals"][c] for c in COUNTERS} == sums, d["totals"]
        assert sums["delivered"] == m["delivered"] and sums["bounced"] == m["bounced"]
        one, two = d["steps"]
        assert (one["stepNumber"], one["sent"], one["delivered"], one["bounced"]) == (1, 8, 6, 2), one
        assert (two["stepNumber"], two["sent"], two["delivered"], two["bounced"]) == (2, 6, 6, 0), two
        starts = [utc(b["start"]) for b in d["buckets"]]
        assert starts == sorted(starts)
        # Everything happened in the last bucket or the one before (a send
        # that crossed a bucket boundary).
        busy = [i for i, b in enumerate(d["buckets"]) if b["sent"]]
        assert busy and busy[0] >= len(starts) - 2, (interval, busy)
    # The workspace overview: the same sends by mailbox, with its health.
    r = srv.get("/v1/analytics/overview")
    assert r.status_code == 200, r.text
    o = r.json()["data"]
    assert o["timezone"] == "America/New_York" and TS_RE.match(o["from"]), o
    assert o["totals"] == {"sent": 14, "delivered": 12, "bounced": 2, "bounceRate": 0.143,
                           "replied": 0, "replyRate": 0}, o["totals"]
    (box,) = o["mailboxes"]
    assert box["email"] == "sales@sender.test" and box["status"] == "active", box
    assert (box["sent"], box["bounced"], box["sentToday"], box["dailyLimit"]) == (14, 2, 14, 1000), box
    assert box["lastError"] is None, box
    assert_error(srv.get("/v1/analytics/overview", params={"interval": "day"}), 400,
                 "invalid_request", "interval")
    assert_error(srv.get("/v1/analytics/overview", params={"from": "2025-01-02T00:00:00Z",
                                                           "to": "2025-01-01T00:00:00Z"}),
                 400, "invalid_request", "from")
    old = srv.get("/v1/analytics/overview", params={"from": "2025-01-01T00:00:00Z",
                                                     "to": "2025-01-02T00:00:00Z"}).json()["data"]
    assert old["totals"]["sent"] == 0 and old["mailboxes"][0]["sent"] == 0, old
    assert old["mailboxes"][0]["sentToday"] == 14  # today is today, whatever the range
    # A range that ends before the send counts nothing.
    d = analytics(srv, cid, **{"from": "2025-01-01T00:00:00Z", "to": "2025-01-02T00:00:00Z"})
    assert all(b["sent"] == 0 for b in d["buckets"]) and d["steps"][0]["sent"] == 0
