"""Delivery engine, end to end: real binary -> real SMTP peer on loopback.

Nothing here asserts a latency: every wait polls a condition up to a generous
deadline and fails with the state it last saw.
"""

import collections
import re
import time

import pytest

from conftest import TS_RE, assert_error, bulk, start, step, wait_until

MSGID_RE = re.compile(r"^<[^<>@\s]+@([^<>@\s]+)>$")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def delivery_server(make_server, *extra, day_seconds="1"):
    args = ["--rate-limit", "0", "--retry-base-seconds", "1"]
    if day_seconds is not None:
        args += ["--day-seconds", day_seconds]
    return make_server(*(args + list(extra)))


def add_mailbox(srv, peer, **kw):
    r = srv.post("/v1/mailboxes", peer.mailbox_body(**kw))
    assert r.status_code == 201, r.text
    return r.json()["data"]






def stats(srv, campaign_id):
    r = srv.get("/v1/campaigns/%s/stats" % campaign_id)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def metrics(srv, campaign_id):
    return stats(srv, campaign_id)["metrics"]


def leads(srv, campaign_id):
    out = srv.list_all("/v1/campaigns/%s/leads" % campaign_id, limit=1000)
    return {l["email"].lower(): l for l in out}


def by_recipient(peer):
    out = collections.defaultdict(list)
    for m in peer.snapshot():
        for to in m["to"]:
            out[to.lower()].append(m)
    return out


def attempts_for(peer, address):
    with peer.lock:
        return sum(1 for a in peer.attempts if a.lower() == address.lower())


def parts(msg):
    """(text/plain content, text/html content) of a multipart/alternative message."""
    assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
    ps = list(msg.iter_parts())
    types = [p.get_content_type() for p in ps]
    assert types == ["text/plain", "text/html"], types
    return ps[0].get_content(), ps[1].get_content()


def marker(m):
    html = parts(m["msg"])[1]
    found = re.findall(r"STEP-(\d)-MARK", html)
    assert len(found) == 1, html
    return int(found[0])


# --------------------------------------------------------------------------
# Start needs an active mailbox
# --------------------------------------------------------------------------

def test_start_requires_active_mailbox(server, peer):
    ws, secret = server.new_workspace("Start gate")
    camp = server.create_campaign("Gate", [step("Hi", "<p>x</p>")], key=secret)
    path = "/v1/campaigns/%s/start" % camp["id"]

    assert_error(server.post(path, key=secret), 409, "invalid_state", check_param=False)

    # An active mailbox in another workspace does not count.
    r = server.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    assert_error(server.post(path, key=secret), 409, "invalid_state", check_param=False)

    # A paused mailbox does not count either.
    r = server.post("/v1/mailboxes", peer.mailbox_body(status="paused"), key=secret)
    assert r.status_code == 201, r.text
    mbx = r.json()["data"]
    assert mbx["status"] == "paused"
    assert_error(server.post(path, key=secret), 409, "invalid_state", check_param=False)
    r = server.get("/v1/campaigns/" + camp["id"], key=secret)
    assert r.json()["data"]["status"] == "draft", r.text

    # Activating it lets the campaign start.
    r = server.patch("/v1/mailboxes/" + mbx["id"], {"status": "active"}, key=secret)
    assert r.status_code == 200, r.text
    r = server.post(path, key=secret)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "running"
    r = server.post("/v1/campaigns/%s/pause" % camp["id"], key=secret)
    assert r.status_code == 200, r.text


def test_start_requires_a_step(server):
    ws, secret = server.new_workspace("No steps")
    r = server.post("/v1/mailboxes", {"email": "x@sender.test",
                                      "smtp": {"host": "127.0.0.1", "port": 25,
                                               "security": "none"}}, key=secret)
    assert r.status_code == 201, r.text
    camp = server.create_campaign("Empty", key=secret)
    assert_error(server.post("/v1/campaigns/%s/start" % camp["id"], key=secret), 409,
                 "invalid_state", check_param=False)


# --------------------------------------------------------------------------
# A whole sequence
# --------------------------------------------------------------------------

SEQ3 = [
    step("Hi {{firstName}}", "<p>Hello {{firstName}} at {{company}}</p><p>STEP-1-MARK</p>"),
    step("", "<p>Following up, {{firstName}}.</p><p>STEP-2-MARK</p>", delayDays=1),
    step("", "<p>Last note for {{company}}.</p><p>STEP-3-MARK</p>", delayDays=1),
]

SEQ3_LEADS = [
    {"email": "ann@leads.test", "firstName": "Ann", "lastName": "Lee", "company": "Tom & Co"},
    {"email": "zoe@leads.test", "firstName": "Zoë", "lastName": "Ödegaard",
     "company": "Zürich AG"},
    {"email": "bob@leads.test", "firstName": "Bob", "lastName": "Hill",
     "company": "<b>Bold</b> Inc"},
]


def test_three_step_sequence_completes(make_server, peer):
    srv = delivery_server(make_server)
    mbx = add_mailbox(srv, peer)
    camp = srv.create_campaign("Three steps", SEQ3)
    cid = camp["id"]
    bulk(srv, cid, SEQ3_LEADS)
    start(srv, cid)

    wait_until(lambda: metrics(srv, cid)["delivered"] == 9 and metrics(srv, cid)["queued"] == 0,
               lambda: "stats=%r peer=%d msgs" % (stats(srv, cid), len(peer.snapshot())))

    got = by_recipient(peer)
    assert sorted(got) == sorted(l["email"] for l in SEQ3_LEADS), sorted(got)
    all_ids = []
    for lead in SEQ3_LEADS:
        msgs = got[lead["email"]]
        assert len(msgs) == 3, (lead["email"], [m["msg"]["Subject"] for m in msgs])
        msgs.sort(key=marker)
        assert [marker(m) for m in msgs] == [1, 2, 3], lead["email"]
        first = "Hi " + lead["firstName"]
        assert [m["msg"]["Subject"] for m in msgs] == [first, "Re: " + first, "Re: " + first]

        ids = []
        for i, m in enumerate(msgs):
            msg = m["msg"]
            raw = m["raw"]
            raw.decode("ascii")  # headers encoded, bodies transfer-encoded: 7-bit clean
            assert m["from"] == "sales@sender.test", m["from"]
            assert m["to"] == [lead["email"]], m["to"]
            frm = msg["From"].addresses
            assert len(frm) == 1 and frm[0].display_name == "Sam Sender" \
                and frm[0].addr_spec == "sales@sender.test", str(msg["From"])
            to = msg["To"].addresses
            assert len(to) == 1 and to[0].addr_spec == lead["email"], str(msg["To"])
            assert to[0].display_name == "%s %s" % (lead["firstName"], lead["lastName"]), \
                str(msg["To"])
            assert msg["Date"] is not None and msg["Date"].datetime is not None, msg["Date"]
            mid = str(msg["Message-ID"]).strip()
            mm = MSGID_RE.match(mid)
            assert mm, mid
            assert mm.group(1) == "sender.test", mid
            if i == 0:
                assert msg["In-Reply-To"] is None and msg["References"] is None, raw[:800]
            else:
                assert str(msg["In-Reply-To"]).strip() == ids[-1], (msg["In-Reply-To"], ids)
                assert str(msg["References"]).split() == ids, (msg["References"], ids)
            ids.append(mid)

            text, html = parts(msg)
            if i == 0 and lead["firstName"].isascii():
                # Non-ASCII body content has its own test below.
                assert "Hello %s at " % lead["firstName"] in html, html
                assert "Hello %s at %s" % (lead["firstName"], lead["company"]) in text, text
        all_ids += ids

        html1 = parts(msgs[0]["msg"])[1]
        html3 = parts(msgs[2]["msg"])[1]
        if lead["company"] == "Tom & Co":
            assert "Tom &amp; Co" in html1 and "Tom & Co" not in html1, html1
            assert "Tom &amp; Co" in html3, html3
        if lead["company"].startswith("<b>"):
            assert "&lt;b&gt;Bold&lt;/b&gt; Inc" in html1 and "<b>Bold</b>" not in html1, html1
    assert len(set(all_ids)) == 9, all_ids

    s = stats(srv, cid)
    assert s["metrics"]["delivered"] == 9 and s["metrics"]["queued"] == 0, s
    assert s["metrics"]["bounced"] == 0, s
    ls = leads(srv, cid)
    for lead in SEQ3_LEADS:
        l = ls[lead["email"]]
        assert l["status"] == "completed", l
        assert l["currentStep"] == 3, l
        assert TS_RE.match(l["lastSentAt"] or ""), l
        assert l["nextSendAt"] is None, l
    assert len(peer.snapshot()) == 9


def test_non_ascii_lead_values_in_headers_and_body(make_server, peer):
    srv = delivery_server(make_server)
    add_mailbox(srv, peer, fromName="Sœren Sender")
    camp = srv.create_campaign("Unicode", [
        step("Grüße, {{firstName}}", "<p>Hallo {{firstName}} von {{company}} STEP-1-MARK</p>")])
    cid = camp["id"]
    bulk(srv, cid, [{"email": "zoe@leads.test", "firstName": "Zoë", "lastName": "Ödegaard",
                     "company": "Zürich AG"}])
    start(srv, cid)
    wait_until(lambda: len(peer.snapshot()) == 1,
               lambda: "stats=%r peer=%d" % (stats(srv, cid), len(peer.snapshot())))
    m = peer.snapshot()[0]
    m["raw"].decode("ascii")  # 7-bit clean on the wire
    msg = m["msg"]
    assert msg["Subject"] == "Grüße, Zoë", msg["Subject"]
    assert msg["From"].addresses[0].display_name == "Sœren Sender", str(msg["From"])
    assert msg["To"].addresses[0].display_name == "Zoë Ödegaard", str(msg["To"])
    text, html = parts(msg)
    # Every character here fits ISO-8859-1: the part must still decode right
    # with the charset it declares.
    want = "Hallo Zoë von Zürich AG STEP-1-MARK"
    assert want in html, "html part decodes (with its declared charset %r) to %r" % (
        list(msg.iter_parts())[1].get_content_charset(), html)
    assert want in text, "text part decodes (with its declared charset %r) to %r" % (
        list(msg.iter_parts())[0].get_content_charset(), text)


# --------------------------------------------------------------------------
# Bounces
# --------------------------------------------------------------------------

def test_permanent_failures_bounce_and_stop_the_lead(make_server, peer):
    srv = delivery_server(make_server)
    add_mailbox(srv, peer)
    camp = srv.create_campaign("Bounces", [
        step("Hello {{firstName}}", "<p>STEP-1-MARK</p>"),
        step("", "<p>STEP-2-MARK</p>", delayDays=1),
    ])
    cid = camp["id"]
    bulk(srv, cid, [{"email": "reject1@leads.test", "firstName": "R"},
                    {"email": "dataerr1@leads.test", "firstName": "D"},
                    {"email": "fine1@leads.test", "firstName": "F"}])
    start(srv, cid)

    def done():
        m = metrics(srv, cid)
        return m["bounced"] == 2 and m["delivered"] == 2 and \
            leads(srv, cid)["fine1@leads.test"]["status"] == "completed"
    wait_until(done, lambda: "stats=%r leads=%r" % (stats(srv, cid), leads(srv, cid)))

    ls = leads(srv, cid)
    assert ls["reject1@leads.test"]["status"] == "bounced", ls["reject1@leads.test"]
    assert ls["dataerr1@leads.test"]["status"] == "bounced", ls["dataerr1@leads.test"]
    assert ls["fine1@leads.test"]["currentStep"] == 2, ls["fine1@leads.test"]
    # The healthy lead got its step 2 (so step 2 was due for everyone), yet the
    # bounced leads were tried exactly once: no retry, no later step.
    assert attempts_for(peer, "reject1@leads.test") == 1, peer.attempts
    assert attempts_for(peer, "dataerr1@leads.test") == 1, peer.attempts
    got = by_recipient(peer)
    assert "reject1@leads.test" not in got and "dataerr1@leads.test" not in got
    assert sorted(marker(m) for m in got["fine1@leads.test"]) == [1, 2]
    m = metrics(srv, cid)
    assert m["delivered"] == 2 and m["bounced"] == 2 and m["queued"] == 0, m


# --------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------

def test_temporary_failure_is_retried_then_delivered_once(make_server, peer):
    srv = delivery_server(make_server, "--max-attempts", "5")
    add_mailbox(srv, peer)
    later = "later@leads.test"
    with peer.lock:
        peer.defer.add(later)
    camp = srv.create_campaign("Retry", [step("Hi {{firstName}}", "<p>STEP-1-MARK</p>")])
    cid = camp["id"]
    bulk(srv, cid, [{"email": later, "firstName": "Lat"}, {"email": "ok@leads.test"}])
    start(srv, cid)

    wait_until(lambda: attempts_for(peer, later) >= 2,
               lambda: "attempts=%r stats=%r" % (peer.attempts, stats(srv, cid)))
    # Still pending, not bounced, nothing delivered to it yet.
    l = leads(srv, cid)[later]
    assert l["status"] in ("queued", "active"), l
    assert metrics(srv, cid)["bounced"] == 0
    assert later not in by_recipient(peer)
    with peer.lock:
        peer.defer.discard(later)

    wait_until(lambda: leads(srv, cid)[later]["status"] == "completed",
               lambda: "lead=%r attempts=%r" % (leads(srv, cid)[later], peer.attempts))
    assert len(by_recipient(peer)[later]) == 1, by_recipient(peer)[later]
    assert 3 <= attempts_for(peer, later) <= 5, peer.attempts
    m = metrics(srv, cid)
    assert m["delivered"] == 2 and m["bounced"] == 0 and m["queued"] == 0, m
    assert len(by_recipient(peer)["ok@leads.test"]) == 1


def test_retry_budget_exhausted_bounces(make_server, peer):
    srv = delivery_server(make_server, "--max-attempts", "2")
    add_mailbox(srv, peer)
    addr = "deferforever@leads.test"
    camp = srv.create_campaign("Budget", [step("Hi", "<p>STEP-1-MARK</p>"),
                                          step("", "<p>STEP-2-MARK</p>", delayDays=1)])
    cid = camp["id"]
    bulk(srv, cid, [{"email": addr}])
    start(srv, cid)

    wait_until(lambda: leads(srv, cid)[addr]["status"] == "bounced",
               lambda: "lead=%r attempts=%r stats=%r" % (leads(srv, cid)[addr], peer.attempts,
                                                         stats(srv, cid)))
    assert attempts_for(peer, addr) == 2, peer.attempts
    m = metrics(srv, cid)
    assert m["bounced"] == 1 and m["delivered"] == 0 and m["queued"] == 0, m
    assert peer.snapshot() == []


# --------------------------------------------------------------------------
# Pause / resume
# --------------------------------------------------------------------------

def _count_stable(peer, quiet=1.0):
    """Wait until the peer's message count stops changing for `quiet` seconds."""
    state = {"n": len(peer.snapshot()), "since": time.monotonic()}

    def pred():
        n = len(peer.snapshot())
        if n != state["n"]:
            state["n"], state["since"] = n, time.monotonic()
            return False
        return time.monotonic() - state["since"] >= quiet
    wait_until(pred, lambda: "peer count keeps changing: %d" % len(peer.snapshot()))
    return state["n"]


def test_pause_stops_sending_and_resume_completes(make_server, peer):
    n_leads = 300
    srv = delivery_server(make_server)
    add_mailbox(srv, peer)
    camp = srv.create_campaign("Pause", [
        step("Hi {{firstName}}", "<p>STEP-1-MARK for {{email}}</p>"),
        step("", "<p>STEP-2-MARK for {{email}}</p>", delayDays=2),
    ])
    cid = camp["id"]
    bulk(srv, cid, [{"email": "p%03d@leads.test" % i, "firstName": "P%d" % i}
                    for i in range(n_leads)])
    start(srv, cid)
    # Pause once sending is under way, so there is something to stop.
    wait_until(lambda: len(peer.snapshot()) >= 1,
               lambda: "nothing sent; stats=%r" % (stats(srv, cid),))
    r = srv.post("/v1/campaigns/%s/pause" % cid)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "paused"
    at_pause = len(peer.snapshot())

    # In-flight sends may finish; then nothing more goes out while paused.
    settled = _count_stable(peer)
    time.sleep(2.0)
    still = len(peer.snapshot())
    assert still == settled, "paused campaign kept sending: %d -> %d messages" % (settled, still)
    assert settled < 2 * n_leads, "everything was sent despite the pause"
    assert srv.get("/v1/campaigns/" + cid).json()["data"]["status"] == "paused"
    print("pause: %d delivered when pause returned, %d after settling" % (at_pause, settled))

    start(srv, cid)  # resume
    wait_until(lambda: metrics(srv, cid)["delivered"] == 2 * n_leads,
               lambda: "stats=%r peer=%d" % (stats(srv, cid), len(peer.snapshot())))
    wait_until(lambda: all(l["status"] == "completed" for l in leads(srv, cid).values()),
               lambda: collections.Counter(l["status"] for l in leads(srv, cid).values()))

    seen = collections.Counter()
    for m in peer.snapshot():
        html = parts(m["msg"])[1]
        mk = re.search(r"STEP-(\d)-MARK for (\S+?)<", html)
        assert mk, html
        assert [mk.group(2)] == m["to"], (mk.group(2), m["to"])
        seen[(m["to"][0], int(mk.group(1)))] += 1
    dupes = {k: v for k, v in seen.items() if v > 1}
    assert not dupes, "sent the same step twice: %r" % dupes
    assert len(seen) == 2 * n_leads, len(seen)
    assert len(peer.snapshot()) == 2 * n_leads
    m = metrics(srv, cid)
    assert m["queued"] == 0 and m["bounced"] == 0, m


def test_pause_stops_claimed_but_unsent_messages(make_server, peer):
    """"Pausing stops new sends at once; in-flight SMTP transactions finish."

    One mailbox means one SMTP connection, so at most one transaction is in
    flight when the pause returns. Everything the engine had merely queued
    up for that connection must not go out.
    """
    n_leads = 60
    srv = delivery_server(make_server)
    add_mailbox(srv, peer)
    camp = srv.create_campaign("Pause now", [step("Hi {{firstName}}", "<p>STEP-1-MARK</p>")])
    cid = camp["id"]
    bulk(srv, cid, [{"email": "q%03d@leads.test" % i, "firstName": "Q%d" % i}
                    for i in range(n_leads)])
    start(srv, cid)
    wait_until(lambda: len(peer.snapshot()) >= 1,
               lambda: "nothing sent; stats=%r" % (stats(srv, cid),))
    r = srv.post("/v1/campaigns/%s/pause" % cid)
    assert r.status_code == 200, r.text
    at_pause = len(peer.snapshot())  # taken after the 200: can only over-count
    settled = _count_stable(peer)
    margin = 3  # the one in-flight transaction, plus slack
    assert settled <= at_pause + margin, (
        "POST /pause returned 200 when %d message(s) had been accepted by the SMTP peer, "
        "yet %d more were sent afterwards through a single connection (%d of %d leads)"
        % (at_pause, settled - at_pause, settled, n_leads))


# --------------------------------------------------------------------------
# Daily limit
# --------------------------------------------------------------------------

def test_mailbox_daily_limit_keeps_the_rest_queued(make_server, peer):
    # Default day length: the daily limit cannot roll over during the test.
    srv = delivery_server(make_server, day_seconds=None)
    add_mailbox(srv, peer, daily_limit=5)
    camp = srv.create_campaign("Capped", [step("Hi {{firstName}}", "<p>STEP-1-MARK</p>")])
    cid = camp["id"]
    bulk(srv, cid, [{"email": "cap%d@leads.test" % i, "firstName": "C%d" % i} for i in range(8)])
    start(srv, cid)

    wait_until(lambda: metrics(srv, cid)["delivered"] == 5,
               lambda: "stats=%r peer=%d" % (stats(srv, cid), len(peer.snapshot())))
    # Give the engine a few more ticks (it polls at least every second).
    time.sleep(2.5)
    assert len(peer.snapshot()) == 5, "daily limit 5 exceeded: %d sent" % len(peer.snapshot())
    ls = leads(srv, cid)
    statuses = collections.Counter(l["status"] for l in ls.values())
    assert statuses == {"completed": 5, "queued": 3}, ls
    for l in ls.values():
        if l["status"] == "queued":
            assert TS_RE.match(l["nextSendAt"] or ""), l
            assert l["currentStep"] == 0 and l["lastSentAt"] is None, l
    m = metrics(srv, cid)
    assert m["delivered"] == 5 and m["queued"] == 3 and m["bounced"] == 0, m


# --------------------------------------------------------------------------
# Leads added while running
# --------------------------------------------------------------------------

def test_leads_added_to_running_campaign_start_at_step_one(make_server, peer):
    srv = delivery_server(make_server)
    add_mailbox(srv, peer)
    camp = srv.create_campaign("Rolling", [
        step("Hi {{firstName}}", "<p>STEP-1-MARK</p>"),
        step("", "<p>STEP-2-MARK</p>", delayDays=1),
    ])
    cid = camp["id"]
    bulk(srv, cid, [{"email": "first@leads.test", "firstName": "First"}])
    start(srv, cid)
    wait_until(lambda: len(by_recipient(peer)["first@leads.test"]) >= 1,
               lambda: "stats=%r" % (stats(srv, cid),))

    d = bulk(srv, cid, [{"email": "late1@leads.test", "firstName": "Late"},
                        {"email": "late2@leads.test", "firstName": "Later"}])
    assert d["enrolled"] == 2, d

    wait_until(lambda: metrics(srv, cid)["delivered"] == 6,
               lambda: "stats=%r leads=%r" % (stats(srv, cid), leads(srv, cid)))
    got = by_recipient(peer)
    for addr, name in (("late1@leads.test", "Late"), ("late2@leads.test", "Later")):
        msgs = sorted(got[addr], key=marker)
        assert [marker(m) for m in msgs] == [1, 2], addr
        assert msgs[0]["msg"]["Subject"] == "Hi " + name
        assert msgs[0]["msg"]["In-Reply-To"] is None
        assert str(msgs[1]["msg"]["In-Reply-To"]).strip() == \
            str(msgs[0]["msg"]["Message-ID"]).strip()
    ls = leads(srv, cid)
    assert all(l["status"] == "completed" and l["currentStep"] == 2 for l in ls.values()), ls
    assert len(peer.snapshot()) == 6


# --------------------------------------------------------------------------
# Several mailboxes
# --------------------------------------------------------------------------

def test_leads_spread_across_mailboxes_and_keep_theirs(make_server, peer):
    srv = delivery_server(make_server)
    add_mailbox(srv, peer)
    add_mailbox(srv, peer, email_address="amy@second.test", fromName="Amy Second")
    camp = srv.create_campaign("Two boxes", [
        step("Hi {{firstName}}", "<p>STEP-1-MARK</p>"),
        step("", "<p>STEP-2-MARK</p>", delayDays=1),
    ])
    cid = camp["id"]
    n = 10
    bulk(srv, cid, [{"email": "two%d@leads.test" % i, "firstName": "T%d" % i} for i in range(n)])
    start(srv, cid)
    wait_until(lambda: metrics(srv, cid)["delivered"] == 2 * n,
               lambda: "stats=%r peer=%d" % (stats(srv, cid), len(peer.snapshot())))

    names = {"sales@sender.test": "Sam Sender", "amy@second.test": "Amy Second"}
    per_box = collections.Counter()
    for addr, msgs in by_recipient(peer).items():
        assert len(msgs) == 2, (addr, len(msgs))
        froms = set()
        for m in msgs:
            a = m["msg"]["From"].addresses[0]
            assert a.addr_spec in names and a.display_name == names[a.addr_spec], str(
                m["msg"]["From"])
            assert m["from"] == a.addr_spec, (m["from"], a.addr_spec)
            dom = MSGID_RE.match(str(m["msg"]["Message-ID"]).strip())
            assert dom and dom.group(1) == a.addr_spec.split("@")[1], m["msg"]["Message-ID"]
            froms.add(a.addr_spec)
        assert len(froms) == 1, "lead %s switched mailbox mid-sequence: %r" % (addr, froms)
        per_box[froms.pop()] += 1
    assert sum(per_box.values()) == n, per_box
    assert set(per_box) == set(names), "not spread across mailboxes: %r" % per_box
    assert min(per_box.values()) >= 3, "lopsided spread: %r" % per_box
