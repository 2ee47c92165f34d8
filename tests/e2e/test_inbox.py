"""The reply inbox, answers, leads across campaigns and erasure (SPEC §12),
end to end: the real binary sends through a real SMTP peer (aiosmtpd),
replies come back through a real Dovecot over IMAP, answers leave through
the SMTP peer again, and erasure is checked on the bytes of the database
itself (the SQLite file and its WAL, or a pg_dump of the PostgreSQL schema).

Nothing here asserts a latency: every wait polls a condition up to a
generous deadline and fails with the state it last saw.
"""

import os
import re
import subprocess
import uuid

import pytest

from conftest import PG_URL, ULID, assert_error, bulk, pg_schema_for, start, step, wait_until
from imap_peer import out_of_office, reply

INB_ID_RE = re.compile(r"^inb_" + ULID + r"$")
ANS_ID_RE = re.compile(r"^ans_" + ULID + r"$")
ITEM_FIELDS = {"id", "kind", "leadId", "lead", "campaignId", "campaignName", "stepNumber",
               "mailboxId", "from", "subject", "snippet", "receivedAt", "label", "read"}
LABELS = ["interested", "not_interested", "meeting_booked", "out_of_office", "wrong_person",
          "unsubscribe"]


def server(make_server):
    return make_server("--rate-limit", "0", "--retry-base-seconds", "1", "--day-seconds", "3600")


def add_mailbox(srv, peer, dovecot, user, email_address, key="default"):
    body = peer.mailbox_body(email_address=email_address, imap=dovecot.mailbox_imap(user))
    r = srv.post("/v1/mailboxes", body, key=key)
    assert r.status_code == 201, r.text
    return r.json()["data"]


def one_step(mark):
    return [step("Hi {{firstName}}", "<p>Hello {{firstName}}.</p><p>%s</p>" % mark)]


def received_by(peer, email):
    return [m for m in peer.snapshot() if email.lower() in [t.lower() for t in m["to"]]]


def wait_received(peer, emails, what):
    wait_until(lambda: all(received_by(peer, e) for e in emails), what)
    return {e: received_by(peer, e)[0] for e in emails}


def msgid(m):
    return str(m["msg"]["Message-ID"]).strip()


def inbox(srv, key="default", **params):
    r = srv.get("/v1/inbox", params=params, key=key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"data", "nextCursor"}, body
    for it in body["data"]:
        assert ITEM_FIELDS <= set(it), it
        assert INB_ID_RE.match(it["id"]), it
    return body


def inbox_all(srv, **params):
    out, cursor = [], None
    while True:
        p = dict(params, limit=2)
        if cursor:
            p["cursor"] = cursor
        body = inbox(srv, **p)
        out += body["data"]
        cursor = body["nextCursor"]
        if not cursor:
            return out


def summary(srv):
    r = srv.get("/v1/inbox/summary")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def lead_row(email, first, last="Tester", company="Acme"):
    return {"email": email, "firstName": first, "lastName": last, "company": company}


# --------------------------------------------------------------------------
# The inbox
# --------------------------------------------------------------------------

def test_one_inbox_across_campaigns_and_mailboxes(make_server, peer, dovecot, receivers):
    srv = server(make_server)
    hook = receivers()
    r = srv.post("/v1/webhooks", {"url": hook.url, "events": ["lead.labeled", "message.replied"]})
    assert r.status_code == 201, r.text
    u1, _ = dovecot.new_user("inbox1")
    u2, _ = dovecot.new_user("inbox2")
    m1 = add_mailbox(srv, peer, dovecot, u1, "one@sender.test")
    c1 = srv.create_campaign("First", one_step("A-MARK"))["id"]
    ann, bob = "ann@leads.test", "bob@leads.test"
    bulk(srv, c1, [lead_row(ann, "Ann"), lead_row(bob, "Bob")])
    start(srv, c1)
    got = wait_received(peer, [ann, bob], "campaign 1 sent")
    # A second mailbox and campaign: its leads get that mailbox.
    r = srv.patch("/v1/mailboxes/" + m1["id"], {"status": "paused"})
    assert r.status_code == 200, r.text
    m2 = add_mailbox(srv, peer, dovecot, u2, "two@sender.test")
    c2 = srv.create_campaign("Second", one_step("B-MARK"))["id"]
    cyd, dan = "cyd@other.test", "dan@other.test"
    bulk(srv, c2, [lead_row(cyd, "Cyd"), lead_row(dan, "Dan")])
    start(srv, c2)
    got.update(wait_received(peer, [cyd, dan], "campaign 2 sent"))
    r = srv.patch("/v1/mailboxes/" + m1["id"], {"status": "active"})
    assert r.status_code == 200, r.text

    # Replies in order: Ann (mailbox 1), Cyd's out-of-office (mailbox 2),
    # Bob asking to be removed (mailbox 1), Dan (mailbox 2).
    dovecot.deliver(u1, reply(ann, "one@sender.test", "Re: Hi Ann", msgid(got[ann]),
                              body="Ann here: sounds good,\nlet's talk."))
    wait_until(lambda: len(inbox(srv)["data"]) == 1, "Ann's reply in the inbox")
    dovecot.deliver(u2, out_of_office(cyd, "two@sender.test", "Re: Hi Cyd", msgid(got[cyd])))
    wait_until(lambda: len(inbox(srv)["data"]) == 2, "Cyd's auto-reply in the inbox")
    dovecot.deliver(u1, reply(bob, "one@sender.test", "unsubscribe", msgid(got[bob]),
                              body="Please remove me."))
    wait_until(lambda: len(inbox(srv)["data"]) == 3, "Bob's request in the inbox")
    dovecot.deliver(u2, reply(dan, "two@sender.test", "Re: Hi Dan", msgid(got[dan]),
                              body="Dan: not now, thanks."))
    wait_until(lambda: len(inbox(srv)["data"]) == 4, "Dan's reply in the inbox")

    items = inbox_all(srv)
    assert [it["lead"]["email"] for it in items] == [dan, bob, cyd, ann], items
    times = [it["receivedAt"] for it in items]
    assert times == sorted(times, reverse=True), times
    by = {it["lead"]["email"]: it for it in items}
    assert by[ann]["kind"] == "reply" and by[ann]["label"] is None, by[ann]
    assert by[cyd]["kind"] == "auto_reply" and by[cyd]["label"] == "out_of_office", by[cyd]
    assert by[bob]["kind"] == "unsubscribe" and by[bob]["label"] == "unsubscribe", by[bob]
    assert by[ann]["mailboxId"] == m1["id"] and by[dan]["mailboxId"] == m2["id"], items
    assert by[ann]["campaignId"] == c1 and by[ann]["campaignName"] == "First", by[ann]
    assert by[dan]["campaignId"] == c2 and by[dan]["stepNumber"] == 1, by[dan]
    assert by[ann]["lead"]["firstName"] == "Ann" and by[ann]["subject"] == "Re: Hi Ann"
    assert all(not it["read"] for it in items), items

    # Filters.
    assert [it["lead"]["email"] for it in inbox(srv, campaignId=c2)["data"]] == [dan, cyd]
    assert [it["lead"]["email"] for it in inbox(srv, label="out_of_office")["data"]] == [cyd]
    assert [it["lead"]["email"] for it in inbox(srv, label="none")["data"]] == [dan, ann]
    assert_error(srv.get("/v1/inbox", params={"label": "hot"}), 400, "invalid_request", "label")
    assert_error(srv.get("/v1/inbox", params={"unread": "yes"}), 400, "invalid_request", "unread")
    assert_error(srv.get("/v1/inbox", params={"cursor": "bm9wZQ"}), 400, "invalid_request",
                 "cursor")
    s = summary(srv)
    assert s["total"] == 4 and s["unread"] == 4, s
    assert s["labels"]["none"] == {"total": 2, "unread": 2}, s
    assert s["labels"]["out_of_office"] == {"total": 1, "unread": 1}, s
    assert set(s["labels"]) == set(LABELS) | {"none"}, s

    # The whole text, then a label and read state.
    r = srv.get("/v1/inbox/" + by[ann]["id"])
    assert r.status_code == 200, r.text
    assert r.json()["data"]["text"].startswith("Ann here: sounds good,\nlet's talk."), r.json()
    r = srv.patch("/v1/inbox/" + by[ann]["id"], {"label": "interested", "read": True})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["label"] == "interested" and r.json()["data"]["read"] is True
    assert [it["lead"]["email"] for it in inbox(srv, unread="true")["data"]] == [dan, bob, cyd]
    assert [it["lead"]["email"] for it in inbox(srv, unread="false")["data"]] == [ann]
    assert [it["lead"]["email"] for it in inbox(srv, label="interested")["data"]] == [ann]
    s = summary(srv)
    assert s["unread"] == 3 and s["labels"]["interested"] == {"total": 1, "unread": 0}, s
    assert s["labels"]["none"] == {"total": 1, "unread": 1}, s
    assert_error(srv.patch("/v1/inbox/" + by[ann]["id"], {"label": "hot"}), 400,
                 "invalid_request", "label")
    assert_error(srv.patch("/v1/inbox/" + by[ann]["id"], {"read": "yes"}), 400,
                 "invalid_request", "read")
    assert_error(srv.patch("/v1/inbox/" + by[ann]["id"], {"starred": True}), 400,
                 "invalid_request", "starred")

    # Events: the classifier's labels and the person's, and message.replied
    # with its label.
    def labeled():
        return [e["data"] for e in hook.events(type="lead.labeled")]
    wait_until(lambda: len(labeled()) == 3, "three lead.labeled events")
    ev = {(e["email"], e["label"]): e for e in labeled()}
    assert ev[(ann, "interested")]["labeledBy"] == "person", ev
    assert ev[(ann, "interested")]["previousLabel"] is None, ev
    assert ev[(cyd, "out_of_office")]["labeledBy"] == "rule", ev
    assert ev[(bob, "unsubscribe")]["inboxId"] == by[bob]["id"], ev
    wait_until(lambda: len(hook.events(type="message.replied")) == 2,
               "message.replied for Ann and Dan")
    replied = [e["data"] for e in hook.events(type="message.replied")]
    assert all("label" in e and e["label"] is None for e in replied), replied

    # Another workspace sees nothing of it.
    _, other = srv.new_workspace()
    r = srv.request("GET", "/v1/inbox/" + by[ann]["id"], key=other)
    assert_error(r, 404, "not_found")
    r = srv.request("PATCH", "/v1/inbox/" + by[ann]["id"], key=other, json_body={"read": False})
    assert_error(r, 404, "not_found")
    r = srv.request("GET", "/v1/inbox", key=other)
    assert r.status_code == 200 and r.json()["data"] == [], r.text


def test_answer_is_threaded_sent_once_and_recorded(make_server, peer, dovecot):
    srv = server(make_server)
    user, _ = dovecot.new_user("answers")
    mbx = add_mailbox(srv, peer, dovecot, user, "sam@sender.test")
    cid = srv.create_campaign("Answers", one_step("ANS-MARK"))["id"]
    eve, fay = "eve@leads.test", "fay@leads.test"
    bulk(srv, cid, [lead_row(eve, "Eve", "Stone"), lead_row(fay, "Fay")])
    start(srv, cid)
    got = wait_received(peer, [eve, fay], "step 1 sent")
    rid = "<CA%s@mail.gmail.com>" % uuid.uuid4().hex
    dovecot.deliver(user, reply(eve, "sam@sender.test", "Re: Hi Eve", msgid(got[eve]),
                                message_id=rid, body="Happy to talk. When?"))
    dovecot.deliver(user, reply(fay, "sam@sender.test", "Re: Hi Fay", msgid(got[fay]),
                                body="Sure."))
    wait_until(lambda: len(inbox(srv)["data"]) == 2, "two replies")
    item = [it for it in inbox(srv)["data"] if it["lead"]["email"] == eve][0]

    key = "answer-" + uuid.uuid4().hex
    body = {"bodyHtml": "<p>Tuesday at 10?</p>"}
    r = srv.post("/v1/inbox/%s/reply" % item["id"], body, headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    ans = r.json()["data"]
    assert ANS_ID_RE.match(ans["id"]), ans
    assert ans["status"] == "delivered" and ans["smtpCode"] == 250, ans
    assert ans["subject"] == "Re: Hi Eve" and ans["inboxId"] == item["id"], ans
    assert ans["mailboxId"] == mbx["id"] and ans["campaignId"] == cid, ans
    # The same request again replays the answer; nothing is sent twice.
    again = srv.post("/v1/inbox/%s/reply" % item["id"], body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json() == r.json(), again.text
    conflict = srv.post("/v1/inbox/%s/reply" % item["id"], {"bodyHtml": "<p>Other</p>"},
                        headers={"Idempotency-Key": key})
    assert_error(conflict, 409, "idempotency_conflict", check_param=False)

    wait_until(lambda: len(received_by(peer, eve)) == 2, "the answer at the SMTP peer")
    answers = [m for m in received_by(peer, eve) if msgid(m) == ans["messageIdHeader"]]
    assert len(answers) == 1 and len(received_by(peer, eve)) == 2, received_by(peer, eve)
    msg = answers[0]["msg"]
    assert "sam@sender.test" in str(msg["From"]), msg["From"]
    assert eve in str(msg["To"]), msg["To"]
    assert str(msg["Subject"]) == "Re: Hi Eve", msg["Subject"]
    assert str(msg["In-Reply-To"]).strip() == rid, msg["In-Reply-To"]
    refs = str(msg["References"]).split()
    assert refs == [msgid(got[eve]), rid], refs
    text = "".join(p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain")
    assert "Tuesday at 10?" in text and "Happy to talk. When?" in text, text

    # The thread shows the answer; the lead's stats do not count it as a step.
    lead_id = item["leadId"]
    r = srv.get("/v1/campaigns/%s/leads/%s/messages" % (cid, lead_id))
    kinds = [(it["direction"], it["kind"]) for it in r.json()["data"]]
    # (A reply's time is its Date header, whole seconds: it may sort before
    # the step it answers; the answer comes after both.)
    assert sorted(kinds[:2]) == [("inbound", "reply"), ("outbound", "step")], kinds
    assert kinds[2] == ("outbound", "answer"), kinds
    answer_item = r.json()["data"][-1]
    assert answer_item["id"] == ans["id"] and answer_item["status"] == "delivered", answer_item
    r = srv.get("/v1/campaigns/%s/stats" % cid)
    assert r.json()["data"]["metrics"]["delivered"] == 2, r.json()

    # The lead answers the answer: still Eve's thread.
    dovecot.deliver(user, reply(eve, "sam@sender.test", "Re: Hi Eve", ans["messageIdHeader"],
                                references=[msgid(got[eve]), rid, ans["messageIdHeader"]],
                                body="Tuesday works."))
    wait_until(lambda: len(inbox(srv)["data"]) == 3, "the answer's reply in the inbox")
    assert inbox(srv)["data"][0]["leadId"] == lead_id

    # A suppressed address gets no answer; bad bodies are refused.
    fay_item = [it for it in inbox(srv)["data"] if it["lead"]["email"] == fay][0]
    r = srv.post("/v1/suppressions", {"emails": [fay]})
    assert r.status_code in (200, 201), r.text
    assert_error(srv.post("/v1/inbox/%s/reply" % fay_item["id"], {"bodyHtml": "<p>Hi</p>"}),
                 409, "invalid_state", check_param=False)
    assert_error(srv.post("/v1/inbox/%s/reply" % item["id"], {"bodyHtml": "  "}), 400,
                 "invalid_request", "bodyHtml")
    assert_error(srv.post("/v1/inbox/%s/reply" % item["id"], {}), 400, "invalid_request",
                 "bodyHtml")
    assert_error(srv.post("/v1/inbox/inb_%s/reply" % ("0" * 26), {"bodyHtml": "<p>x</p>"}), 404,
                 "not_found")
    assert len(received_by(peer, fay)) == 1


# --------------------------------------------------------------------------
# Leads across campaigns
# --------------------------------------------------------------------------

def leads_search(srv, q=None, limit=50, cursor=None):
    params = {"limit": limit}
    if q is not None:
        params["q"] = q
    if cursor:
        params["cursor"] = cursor
    r = srv.get("/v1/leads", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def search_all(srv, q, limit=2):
    out, cursor = [], None
    while True:
        body = leads_search(srv, q, limit, cursor)
        out += [l["email"] for l in body["data"]]
        cursor = body["nextCursor"]
        if not cursor:
            return out


def test_leads_across_campaigns_search_edit_delete(server):
    srv = server
    c1 = srv.create_campaign("Dir one", [step()])["id"]
    c2 = srv.create_campaign("Dir two", [step()])["id"]
    rows = [
        lead_row("jo.smith@acme.test", "Jo", "Smith", "Acme Corp"),
        lead_row("anna@jolly.test", "Anna", "Johnson", "Jolly Ltd"),
        lead_row("zed@beta.test", "Zed", "Jones", "Acme Inc"),
        lead_row("john@x.test", "John", "Acme", "Beta"),
        lead_row("kim@y.test", "Kim", "Lee", "ACME Labs"),
    ]
    bulk(srv, c1, rows)
    bulk(srv, c2, rows[:2])
    # Prefix of the address, of "first last", of the last name, of the company.
    assert search_all(srv, "jo.") == ["jo.smith@acme.test"]
    assert set(search_all(srv, "jo")) == {"jo.smith@acme.test", "anna@jolly.test",
                                          "zed@beta.test", "john@x.test"}
    assert len(search_all(srv, "jo")) == 4, search_all(srv, "jo")
    assert search_all(srv, "  ANNA johnson ") == ["anna@jolly.test"]
    acme = search_all(srv, "acme", limit=1)
    assert sorted(acme) == sorted(["jo.smith@acme.test", "zed@beta.test", "john@x.test",
                                   "kim@y.test"]), acme
    assert len(acme) == len(set(acme)), acme
    assert search_all(srv, "nobody") == []
    everyone = search_all(srv, None, limit=2)
    assert set(r["email"] for r in rows) <= set(everyone), everyone
    assert_error(srv.get("/v1/leads", params={"cursor": "bm9wZQ", "q": "jo"}), 400,
                 "invalid_request", "cursor")
    assert_error(srv.get("/v1/leads", params={"name": "jo"}), 400, "invalid_request", "name")

    lead_id = leads_search(srv, "anna@")["data"][0]["id"]
    r = srv.get("/v1/leads/" + lead_id)
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["email"] == "anna@jolly.test" and d["company"] == "Jolly Ltd", d
    assert sorted(e["campaignId"] for e in d["enrollments"]) == sorted([c1, c2]), d
    e = d["enrollments"][0]
    assert set(e) == {"campaignId", "campaignName", "campaignStatus", "status", "currentStep",
                      "nextSendAt", "lastSentAt", "enrolledAt"}, e
    assert e["status"] == "queued" and e["campaignStatus"] == "draft", e

    r = srv.patch("/v1/leads/" + lead_id, {"firstName": "Annie", "company": None,
                                           "customFields": {"tier": "gold"},
                                           "timezone": "Europe/Berlin"})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["firstName"] == "Annie" and d["company"] is None, d
    assert d["customFields"] == {"tier": "gold"} and d["timezone"] == "Europe/Berlin", d
    assert search_all(srv, "annie") == ["anna@jolly.test"]
    assert search_all(srv, "jolly") == []  # the company is gone
    r = srv.patch("/v1/leads/" + lead_id, {"customFields": {"tier": None}, "lastName": ""})
    assert r.json()["data"]["customFields"] == {} and r.json()["data"]["lastName"] is None
    assert_error(srv.patch("/v1/leads/" + lead_id, {"email": "new@x.test"}), 400,
                 "invalid_request", "email")
    assert_error(srv.patch("/v1/leads/" + lead_id, {"timezone": "Mars/Base"}), 400,
                 "invalid_request", "timezone")
    assert_error(srv.patch("/v1/leads/" + lead_id, {"firstName": "x" * 501}), 400,
                 "invalid_request", "firstName")
    assert_error(srv.patch("/v1/leads/" + lead_id, {"firstName": "A\r\nBcc: x"}), 400,
                 "invalid_request", "firstName")
    assert_error(srv.patch("/v1/leads/" + lead_id, {"nickname": "A"}), 400, "invalid_request",
                 "nickname")

    # Another workspace: 404 everywhere.
    _, other = srv.new_workspace("Leads other")
    for method, body in (("GET", None), ("PATCH", {"firstName": "X"}), ("DELETE", None)):
        assert_error(srv.request(method, "/v1/leads/" + lead_id, key=other, json_body=body), 404,
                     "not_found")
    r = srv.request("GET", "/v1/leads", key=other, params={"q": "anna"})
    assert r.status_code == 200 and r.json()["data"] == [], r.text

    # Delete: out of every campaign and of search; importing it brings it back.
    enrolled = srv.get("/v1/campaigns/%s/stats" % c2).json()["data"]["enrolledLeads"]
    r = srv.delete("/v1/leads/" + lead_id)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"id": lead_id, "deleted": True, "erased": False}
    assert srv.get("/v1/campaigns/%s/stats" % c2).json()["data"]["enrolledLeads"] == enrolled - 1
    assert_error(srv.get("/v1/leads/" + lead_id), 404, "not_found")
    assert_error(srv.delete("/v1/leads/" + lead_id), 404, "not_found")
    assert search_all(srv, "anna") == []
    removed = srv.get("/v1/campaigns/%s/leads" % c1, params={"status": "removed"}).json()["data"]
    assert [l["id"] for l in removed] == [lead_id], removed
    assert_error(srv.delete("/v1/leads/" + lead_id, params={"erase": "maybe"}), 400,
                 "invalid_request", "erase")
    bulk(srv, c1, [lead_row("anna@jolly.test", "Anna")])
    assert search_all(srv, "anna") == ["anna@jolly.test"]


# --------------------------------------------------------------------------
# Erasure
# --------------------------------------------------------------------------

def database_bytes(srv):
    """Everything the database holds as bytes: the SQLite file and its WAL,
    or a plain pg_dump of the server's PostgreSQL schema."""
    if PG_URL:
        out = subprocess.run(["pg_dump", "--no-owner", "--schema", pg_schema_for(srv.db_path),
                              PG_URL], check=True, stdout=subprocess.PIPE).stdout
        return out
    data = b""
    for suffix in ("", "-wal", "-journal"):
        path = srv.db_path + suffix
        if os.path.exists(path):
            with open(path, "rb") as f:
                data += f.read()
    return data


def test_erasure_leaves_no_trace_and_suppresses_by_hash(make_server, peer, dovecot, receivers):
    srv = server(make_server)
    dead = receivers(mode="fail")  # deliveries stay pending
    r = srv.post("/v1/webhooks", {"url": dead.url, "events": ["message.sent", "message.replied",
                                                             "lead.labeled"]})
    assert r.status_code == 201, r.text
    user, _ = dovecot.new_user("erase")
    add_mailbox(srv, peer, dovecot, user, "erase@sender.test")
    email = "gdpr.person.%s@private.test" % uuid.uuid4().hex[:8]
    first, last = "Quentinus", "Xylophonist"
    company = "Zyzzyva Widgets"
    secret_reply = "My private phone is 0170-5550199 and my dog is Bartholomew."
    cids = [srv.create_campaign("Erase %d" % i, [step("Hello {{firstName}} {{lastName}}",
                                                      "<p>Hi {{firstName}} STEP-1-MARK</p>")])["id"]
            for i in range(2)]
    keep = "keeper@leads.test"
    for cid in cids:
        r = srv.post("/v1/campaigns/%s/leads/bulk" % cid, {"leads": [
            {"email": email, "firstName": first, "lastName": last, "company": company,
             "customFields": {"note": "Bartholomew"}},
            lead_row(keep, "Keeper")]}, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 200, r.text
        start(srv, cid)
    wait_until(lambda: len(received_by(peer, email)) == 2, "both campaigns sent to the person")
    first_msg = received_by(peer, email)[0]
    dovecot.deliver(user, reply(email, "erase@sender.test", "Re: Hello %s" % first,
                                msgid(first_msg), body=secret_reply, from_name=first + " " + last))
    wait_until(lambda: len(inbox(srv)["data"]) == 1, "the reply in the inbox")
    item = inbox(srv)["data"][0]
    r = srv.patch("/v1/inbox/" + item["id"], {"label": "interested"})
    assert r.status_code == 200, r.text
    r = srv.post("/v1/inbox/%s/reply" % item["id"], {"bodyHtml": "<p>Thanks %s</p>" % first})
    assert r.status_code == 201 and r.json()["data"]["status"] == "delivered", r.text
    lead_id = item["leadId"]
    stats_before = [srv.get("/v1/campaigns/%s/stats" % c).json()["data"] for c in cids]
    before = database_bytes(srv)
    for needle in (email, first, last, "Bartholomew"):
        assert needle.encode() in before, "the test's data never reached the database: " + needle

    r = srv.delete("/v1/leads/" + lead_id, params={"erase": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"id": lead_id, "deleted": True, "erased": True}
    after = database_bytes(srv)
    for needle in (email, email.upper(), first, last, company, "Bartholomew", "0170-5550199"):
        assert needle.encode() not in after, "erased data still in the database: " + needle
    assert keep.encode() in after

    # Gone from every read; counts stay; the address is suppressed by hash.
    assert_error(srv.get("/v1/leads/" + lead_id), 404, "not_found")
    assert inbox(srv)["data"] == [] and summary(srv)["total"] == 0
    for cid, before_stats in zip(cids, stats_before):
        st = srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]
        assert st["metrics"]["delivered"] == before_stats["metrics"]["delivered"], st
        assert st["enrolledLeads"] == before_stats["enrolledLeads"] - 1, st
        assert_error(srv.get("/v1/campaigns/%s/leads/%s/messages" % (cid, lead_id)), 404,
                     "not_found")
    sup = srv.get("/v1/suppressions").json()["data"]
    hashed = [s for s in sup if s["type"] == "email_hash"]
    assert len(hashed) == 1 and re.match(r"^sha256:[0-9a-f]{64}$", hashed[0]["value"]), sup
    r = srv.post("/v1/campaigns/%s/leads/bulk" % cids[0], {"leads": [{"email": email.upper()}]})
    assert r.status_code == 200, r.text
    errors = r.json()["data"]["errors"]
    assert [e["code"] for e in errors] == ["suppressed"], r.json()
    # A reply arriving after erasure is not kept.
    dovecot.deliver(user, reply(email, "erase@sender.test", "Re: Hello", msgid(first_msg),
                                body=secret_reply))
    dovecot.deliver(user, reply(keep, "erase@sender.test", "Re: Hello Keeper",
                                msgid(received_by(peer, keep)[0]), body="Keeper here."))
    wait_until(lambda: len(inbox(srv)["data"]) == 1, "the keeper's reply")
    assert inbox(srv)["data"][0]["lead"]["email"] == keep
    assert b"0170-5550199" not in database_bytes(srv)
    assert_error(srv.delete("/v1/leads/" + lead_id, params={"erase": "true"}), 404, "not_found")
