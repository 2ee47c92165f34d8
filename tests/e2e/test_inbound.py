"""Inbound mail, end to end: real binary -> real SMTP peer (what we send) and
a real Dovecot (what comes back), read by the server over IMAP.

Each test sends a campaign through the SMTP peer, then puts realistic
replies, out-of-office answers and delivery status notifications (built in
imap_peer.py from the Message-IDs the peer actually received) into the
mailbox's INBOX with IMAP APPEND, and watches the API: enrollment status,
stats, the per-lead thread, webhooks.

Nothing here asserts a latency: every wait polls a condition up to a
generous deadline and fails with the state it last saw. Where a test shows
that a reply or bounce stops a sequence, step 2 is due DAY seconds after
step 1 and the inbound message is put into the inbox as soon as step 1 has
been received, so the server has those seconds (several IMAP poll cycles)
to act; the other leads getting their step 2 proves it was due.
"""

import collections
import datetime
import re
import socket
import threading
import time
import uuid

import pytest

from conftest import ULID, assert_error, bulk, start, step, wait_until
from imap_peer import (OOO_VARIANTS, final_recipient_only_dsn, free_port, gmail_dsn, out_of_office,
                       postfix_delay_dsn, postfix_dsn, reply, unrelated)
from webhook_receiver import WebhookReceiver

SENDER = "sales@sender.test"
DAY = 8  # --day-seconds where step 2 must wait for the inbound message

MSG_ID_RE = re.compile(r"^msg_" + ULID + r"$")
ANY_ID_RE = re.compile(r"^[a-z]+_" + ULID + r"$")
LEAD_ID_RE = re.compile(r"^lead_" + ULID + r"$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
HEADER_ID_RE = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")
DSN_STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")

ITEM_FIELDS = {"id", "direction", "kind", "stepIndex", "stepNumber", "subject", "status", "from",
               "messageIdHeader", "at", "snippet", "smtpCode", "smtpReply", "dsnStatus",
               "variantId"}
OUTBOUND_STATUSES = {"claimed", "sending", "delivered", "bounced", "retry", "unknown"}
INBOUND_KINDS = {"reply", "auto_reply", "bounce", "delay", "unsubscribe"}
REPLIED_FIELDS = {"messageId", "campaignId", "leadId", "email", "stepIndex", "stepNumber",
                  "variantId", "inboundId", "from", "subject", "snippet", "repliedAt", "label"}


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------



class SilentServer:
    """Accepts TCP connections and never says a word (a hung IMAP server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                if self.closed:
                    c.close()
                    return
                self.conns.append(c)

    def accepted(self):
        with self.lock:
            return len(self.conns)

    def close(self):
        with self.lock:
            self.closed = True
            conns, self.conns = self.conns, []
        for c in conns:
            try:
                c.close()
            except OSError:
                pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def silent_imap():
    s = SilentServer()
    yield s
    s.close()  # before the servers stop: a hung read gets its EOF


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def inbound_server(make_server, day_seconds, *extra, **kw):
    return make_server(*(["--rate-limit", "0", "--retry-base-seconds", "1",
                          "--day-seconds", str(day_seconds)] + list(extra)), **kw)


def add_mailbox(srv, peer, dovecot, user, email_address=SENDER, password=None, imap=None,
                key="default", **kw):
    body = peer.mailbox_body(email_address=email_address,
                             imap=imap or dovecot.mailbox_imap(user, password), **kw)
    r = srv.post("/v1/mailboxes", body, key=key)
    assert r.status_code == 201, r.text
    m = r.json()["data"]
    assert "lastPolledAt" in m, m
    return m


def get_mailbox(srv, mid):
    r = srv.get("/v1/mailboxes/" + mid)
    assert r.status_code == 200, r.text
    return r.json()["data"]






def stats(srv, cid):
    r = srv.get("/v1/campaigns/%s/stats" % cid)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def analytics_of(srv, cid, **params):
    r = srv.get("/v1/campaigns/%s/analytics" % cid, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def metrics(srv, cid):
    return stats(srv, cid)["metrics"]


def check_reply_rate(m):
    want = round(m["replied"] / m["delivered"], 3) if m["delivered"] else 0
    assert abs(m["replyRate"] - want) < 1e-9, m


def leads(srv, cid, **params):
    out = srv.list_all("/v1/campaigns/%s/leads" % cid, limit=1000, **params)
    return {l["email"].lower(): l for l in out}


def status_of(srv, cid, email):
    return leads(srv, cid)[email.lower()]["status"]


MARK_RE = re.compile(r"\b((?:[A-Z]-)?STEP-(\d))-MARK\b")


def marks_of(m):
    for part in m["msg"].walk():
        if part.get_content_maintype() == "text":
            found = MARK_RE.findall(part.get_content())
            if found:
                return found[0]
    raise AssertionError("no STEP-n-MARK in message to %r: %r" % (m["to"], m["raw"][:800]))


def sent(peer, email, prefix=""):
    """Messages the SMTP peer accepted for `email` (with campaign prefix
    "A-" etc. when given), in step order."""
    out = []
    for m in peer.snapshot():
        if email.lower() in [t.lower() for t in m["to"]]:
            mark, _ = marks_of(m)
            if mark.startswith(prefix) and (prefix or not re.match(r"^[A-Z]-", mark)):
                out.append(m)
    return sorted(out, key=lambda m: int(marks_of(m)[1]))


def steps_sent(peer, email, prefix=""):
    return [int(marks_of(m)[1]) for m in sent(peer, email, prefix)]


def all_marks(peer, email):
    return sorted(marks_of(m)[0] for m in peer.snapshot()
                  if email.lower() in [t.lower() for t in m["to"]])


def msgid(m):
    return str(m["msg"]["Message-ID"]).strip()


def subject_of(m):
    return str(m["msg"]["Subject"])


def new_msgid(domain="mail.gmail.com"):
    return "<CA%s@%s>" % (uuid.uuid4().hex, domain)


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def thread(srv, cid, lead_id, key="default"):
    r = srv.get("/v1/campaigns/%s/leads/%s/messages" % (cid, lead_id), key=key)
    assert r.status_code == 200, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"data", "nextCursor"}, body
    assert body["nextCursor"] is None, body
    items = body["data"]
    assert isinstance(items, list), body
    for it in items:
        check_item(it)
    times = [parse_time(it["at"]) for it in items]
    assert times == sorted(times), "thread not in time order: %r" % [
        (it["kind"], it["at"]) for it in items]
    return items


def check_item(it):
    missing = ITEM_FIELDS - set(it)
    assert not missing, ("thread item lacks %r" % sorted(missing), it)
    assert it["direction"] in ("outbound", "inbound"), it
    assert TIME_RE.match(it["at"] or ""), it
    assert isinstance(it["subject"], str), it
    assert isinstance(it["messageIdHeader"], str) and HEADER_ID_RE.match(it["messageIdHeader"]), it
    for k in ("stepIndex", "stepNumber"):
        assert it[k] is None or (isinstance(it[k], int) and not isinstance(it[k], bool)), it
    if it["stepIndex"] is not None:
        assert it["stepNumber"] == it["stepIndex"] + 1, it
    assert it["smtpCode"] is None or (isinstance(it["smtpCode"], int)
                                      and not isinstance(it["smtpCode"], bool)), it
    assert it["smtpReply"] is None or isinstance(it["smtpReply"], str), it
    if it["direction"] == "outbound":
        assert MSG_ID_RE.match(it["id"]), it
        assert it["kind"] == "step", it
        assert isinstance(it["stepIndex"], int), it
        assert it["status"] in OUTBOUND_STATUSES, it
        assert it["from"] is None and it["snippet"] is None and it["dsnStatus"] is None, it
    else:
        assert ANY_ID_RE.match(it["id"]), it
        assert it["kind"] in INBOUND_KINDS, it
        assert it["status"] is None, it
        assert isinstance(it["from"], str) and it["from"], it
        assert it["snippet"] is None or (isinstance(it["snippet"], str)
                                         and len(it["snippet"]) <= 280), it
        if it["kind"] in ("bounce", "delay"):
            assert isinstance(it["dsnStatus"], str) and DSN_STATUS_RE.match(it["dsnStatus"]), it
        else:
            assert it["dsnStatus"] is None, it
            assert it["smtpCode"] is None and it["smtpReply"] is None, it


def inbound_items(items, kind=None):
    return [it for it in items if it["direction"] == "inbound"
            and (kind is None or it["kind"] == kind)]


def shape(items):
    return [(it["direction"], it["kind"], it["stepIndex"]) for it in items]


def same_items(items, want):
    """The thread holds exactly `want` (direction, kind, stepIndex) triples.

    Order is not compared here: an answer that arrives within the second of
    the message it answers may tie with it (or, with a Date header of whole
    seconds, sort just before it); thread() checks the time order itself and
    test_thread_lists_steps_and_inbound_in_time_order spaces its messages."""
    return sorted(shape(items)) == sorted(want)


def one(items, direction, kind):
    found = [it for it in items if it["direction"] == direction and it["kind"] == kind]
    assert len(found) == 1, (direction, kind, items)
    return found[0]


def wait_inbound(srv, cid, lead_id, n, kind=None, what=""):
    """Wait until the lead's thread holds at least n inbound items (of kind)."""
    seen = {}

    def pred():
        seen["t"] = thread(srv, cid, lead_id)
        return len(inbound_items(seen["t"], kind)) >= n
    wait_until(pred, lambda: "%s: %d inbound %s item(s) in thread %r" % (
        what, n, kind or "", shape(seen.get("t", []))), interval=0.2)
    return seen["t"]


def wait_statuses(srv, cid, want, what=""):
    """want: {email: status}; waits until every listed lead has its status."""
    seen = {}

    def pred():
        seen["l"] = leads(srv, cid)
        return all(seen["l"][e.lower()]["status"] == s for e, s in want.items())
    wait_until(pred, lambda: "%s: want %r, have %r" % (
        what, want, {e: seen.get("l", {}).get(e.lower(), {}).get("status") for e in want}),
        interval=0.2)
    return seen["l"]


def wait_sent(peer, want, prefix="", what="step messages"):
    """want: {email: [step numbers]} exactly, as received by the SMTP peer."""
    wait_until(lambda: all(steps_sent(peer, e, prefix) == s for e, s in want.items()),
               lambda: "%s: want %r, have %r" % (
                   what, want, {e: steps_sent(peer, e, prefix) for e in want}), interval=0.1)


TWO_STEPS = [
    step("Hi {{firstName}}", "<p>Hello {{firstName}}, quick question.</p><p>STEP-1-MARK</p>"),
    step("", "<p>Following up, {{firstName}}.</p><p>STEP-2-MARK</p>", delayDays=1),
]


def lead(email, first):
    return {"email": email, "firstName": first, "lastName": "Tester", "company": "Acme"}


# --------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------

def test_reply_by_in_reply_to_marks_replied_and_stops_the_lead(make_server, peer, dovecot):
    srv = inbound_server(make_server, DAY)
    user, _ = dovecot.new_user("main")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Replies", TWO_STEPS)["id"]
    ann, bob, cyd = "ann@leads.test", "bob@leads.test", "cyd@leads.test"
    bulk(srv, cid, [lead(ann, "Ann"), lead(bob, "Bob"), lead(cyd, "Cyd")])
    start(srv, cid)
    wait_sent(peer, {ann: [1], bob: [1], cyd: [1]}, what="step 1 for everyone")

    m1 = sent(peer, ann)[0]
    assert subject_of(m1) == "Hi Ann"
    rid = new_msgid()
    raw = reply(ann, SENDER, "Re: Hi Ann", msgid(m1), from_name="Ann Tester", message_id=rid)
    uid = dovecot.deliver(user, raw)
    assert "\\Seen" not in dovecot.flags(user, uid)

    wait_statuses(srv, cid, {ann: "replied"}, "reply matched by In-Reply-To")
    replied_seen = time.time()
    # Step 2 was due for everyone: the others get it, Ann does not.
    wait_statuses(srv, cid, {bob: "completed", cyd: "completed"}, "the others complete")
    wait_sent(peer, {bob: [1, 2], cyd: [1, 2]}, what="step 2 for the others")
    ann_msgs = sent(peer, ann)
    assert [int(marks_of(m)[1]) for m in ann_msgs] == [1], (
        "a lead who replied was sent step 2 (step 2 Date %r; reply seen as replied at %s)"
        % ([str(m["msg"]["Date"]) for m in ann_msgs[1:]],
           time.strftime("%H:%M:%S", time.gmtime(replied_seen))))

    ls = leads(srv, cid)
    assert ls[ann]["status"] == "replied", ls[ann]
    assert ls[ann]["currentStep"] == 1, ls[ann]
    m = metrics(srv, cid)
    assert m["replied"] == 1 and m["delivered"] == 5 and m["bounced"] == 0, m
    assert m["queued"] == 0, m
    assert abs(m["replyRate"] - round(1 / 5, 3)) < 1e-9, m
    check_reply_rate(m)

    # The server read the message without marking it read.
    assert "\\Seen" not in dovecot.flags(user, uid), dovecot.flags(user, uid)
    assert dovecot.unseen_count(user) == 1

    items = thread(srv, cid, ls[ann]["id"])
    assert same_items(items, [("outbound", "step", 0), ("inbound", "reply", 0)]), items
    out, rep = one(items, "outbound", "step"), one(items, "inbound", "reply")
    assert out["stepNumber"] == 1 and out["subject"] == "Hi Ann", out
    assert out["status"] == "delivered" and out["messageIdHeader"] == msgid(m1), out
    assert out["smtpCode"] == 250, out
    assert rep["stepNumber"] == 1, rep
    assert ann in rep["from"].lower(), rep
    assert rep["subject"] == "Re: Hi Ann", rep
    assert rep["messageIdHeader"] == rid, rep
    assert "Thanks Sam \u2014 happy to chat next week" in (rep["snippet"] or ""), rep

    # Bob's thread: his two steps, nothing inbound.
    b_items = thread(srv, cid, ls[bob]["id"])
    assert shape(b_items) == [("outbound", "step", 0), ("outbound", "step", 1)], b_items
    assert [it["messageIdHeader"] for it in b_items] == [msgid(x) for x in sent(peer, bob)]
    assert b_items[1]["subject"] == "Re: Hi Bob", b_items

    # A second reply from Ann is recorded but changes nothing.
    raw2 = reply(ann, SENDER, "Re: Hi Ann", rid, references=[msgid(m1), rid],
                 body="One more thing: could you send the deck beforehand?",
                 from_name="Ann Tester")
    dovecot.deliver(user, raw2)
    items = wait_inbound(srv, cid, ls[ann]["id"], 2, "reply", "second reply recorded")
    assert [it["kind"] for it in inbound_items(items)] == ["reply", "reply"], items
    m2 = metrics(srv, cid)
    assert m2["replied"] == 1 and m2["delivered"] == 5, m2
    assert status_of(srv, cid, ann) == "replied"
    assert len(sent(peer, ann)) == 1


def test_reply_matched_by_references_or_by_sender(make_server, peer, dovecot):
    srv = inbound_server(make_server, 1)
    user, _ = dovecot.new_user("match")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Matching", [step("Hello {{firstName}}", "<p>STEP-1-MARK</p>")])["id"]
    eve, ian, dan, gus = ("eve@leads.test", "ian@leads.test", "dan@leads.test",
                          "gus@leads.test")
    bulk(srv, cid, [lead(eve, "Eve"), lead(ian, "Ian"), lead(dan, "Dan"), lead(gus, "Gus")])
    start(srv, cid)
    wait_sent(peer, {eve: [1], ian: [1], dan: [1], gus: [1]})
    wait_statuses(srv, cid, {e: "completed" for e in (eve, ian, dan, gus)})

    # Inbox noise that matches nothing: ignored, never stored.
    dovecot.deliver(user, unrelated("billing@vendor.test", SENDER))
    dovecot.deliver(user, reply("stranger@nowhere.test", SENDER, "Re: something else",
                                "<4711.unknown@nowhere.test>"))

    # Eve answers from her personal address to a colleague's forward of our
    # message: In-Reply-To names the forward, only References names ours.
    fwd = "<forward-%s@leads.test>" % uuid.uuid4().hex[:8]
    eve_id = new_msgid()
    dovecot.deliver(user, reply("eve.w@personal.test", SENDER, "Re: Fwd: Hello Eve", fwd,
                                references=["<thread-root-1@leads.test>",
                                            msgid(sent(peer, eve)[0]), fwd],
                                from_name="Eve W.", message_id=eve_id))
    # Ian's assistant answers: In-Reply-To only, and "Auto-Submitted: no"
    # means a person wrote it.
    ian_id = new_msgid("ian-corp.test")
    dovecot.deliver(user, reply("assistant@ian-corp.test", SENDER, "Re: Hello Ian",
                                msgid(sent(peer, ian)[0]), references=[],
                                from_name="Office of Ian", message_id=ian_id,
                                body="Ian asked me to set up a call with you. Does Thursday work?",
                                extra_headers=[("Auto-Submitted", "no")]))
    # Dan writes a new mail (no threading headers) from his address, in
    # other case; it was already read in another client.
    dan_id = new_msgid()
    dan_uid = dovecot.deliver(user, reply("DAN@Leads.Test", SENDER, "Question about pricing",
                                          None, from_name="Dan Tester", message_id=dan_id,
                                          body="Saw your note. What does it cost for 20 seats?"),
                              flags="\\Seen")

    ls = wait_statuses(srv, cid, {eve: "replied", ian: "replied", dan: "replied"},
                       "References / In-Reply-To / sender matching")
    m = metrics(srv, cid)
    assert m["replied"] == 3 and m["delivered"] == 4, m
    check_reply_rate(m)
    assert ls[gus]["status"] == "completed", ls[gus]

    want = {eve: ("eve.w@personal.test", eve_id, "Re: Fwd: Hello Eve"),
            ian: ("assistant@ian-corp.test", ian_id, "Re: Hello Ian"),
            dan: ("dan@leads.test", dan_id, "Question about pricing")}
    for email, (frm, mid, subj) in want.items():
        items = thread(srv, cid, ls[email]["id"])
        assert same_items(items, [("outbound", "step", 0), ("inbound", "reply", 0)]), (
            email, items)
        rep = one(items, "inbound", "reply")
        assert frm in rep["from"].lower(), (email, rep)
        assert rep["messageIdHeader"] == mid and rep["subject"] == subj, (email, rep)
    assert shape(thread(srv, cid, ls[gus]["id"])) == [("outbound", "step", 0)]

    # Flags are left as they were: Dan's stays read, the others unread.
    assert "\\Seen" in dovecot.flags(user, dan_uid), dovecot.flags(user, dan_uid)
    assert dovecot.count(user) == 5 and dovecot.unseen_count(user) == 4


# --------------------------------------------------------------------------
# Out of office
# --------------------------------------------------------------------------

def test_out_of_office_is_recorded_but_not_a_reply(make_server, peer, dovecot):
    srv = inbound_server(make_server, 4)
    user, _ = dovecot.new_user("ooo")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Away", TWO_STEPS)["id"]
    who = {v: "%s@leads.test" % v.replace("_", "-") for v in OOO_VARIANTS}
    bulk(srv, cid, [lead(e, v.split("_")[0].capitalize()) for v, e in who.items()])
    start(srv, cid)
    wait_sent(peer, {e: [1] for e in who.values()}, what="step 1 for everyone")

    ooo_ids = {}
    for variant, email in who.items():
        m1 = sent(peer, email)[0]
        ooo_ids[email] = new_msgid("leads.test")
        dovecot.deliver(user, out_of_office(email, SENDER, subject_of(m1), msgid(m1),
                                            variant=variant, message_id=ooo_ids[email]))

    ls = leads(srv, cid)
    for variant, email in who.items():
        items = wait_inbound(srv, cid, ls[email]["id"], 1, "auto_reply", variant)
        auto = inbound_items(items)
        assert [it["kind"] for it in auto] == ["auto_reply"], (variant, items)
        assert auto[0]["stepIndex"] == 0 and auto[0]["messageIdHeader"] == ooo_ids[email], (
            variant, auto)
        assert email in auto[0]["from"].lower(), (variant, auto)
        if variant == "abwesenheitsnotiz":
            assert "Vielen Dank f\u00fcr Ihre Nachricht" in (auto[0]["snippet"] or ""), auto
        m = metrics(srv, cid)
        assert m["replied"] == 0, (variant, m)

    # The sequence goes on for every one of them.
    ls = wait_statuses(srv, cid, {e: "completed" for e in who.values()}, "sequence continues")
    wait_sent(peer, {e: [1, 2] for e in who.values()}, what="step 2 after an out-of-office")
    m = metrics(srv, cid)
    assert m["replied"] == 0 and m["delivered"] == 2 * len(who) and m["bounced"] == 0, m
    assert m["replyRate"] == 0, m
    for variant, email in who.items():
        items = thread(srv, cid, ls[email]["id"])
        assert same_items(items, [("outbound", "step", 0), ("outbound", "step", 1),
                                  ("inbound", "auto_reply", 0)]), (variant, items)


# --------------------------------------------------------------------------
# Delivery status notifications
# --------------------------------------------------------------------------

def test_dsn_bounces_and_delays(make_server, peer, dovecot, receivers):
    srv = inbound_server(make_server, DAY)
    rcv = receivers()
    user, _ = dovecot.new_user("dsn")
    mbx = add_mailbox(srv, peer, dovecot, user)
    r = srv.post("/v1/webhooks", {"url": rcv.url, "events": ["message.bounced"]})
    assert r.status_code == 201, r.text
    hook = r.json()["data"]
    cid = srv.create_campaign("Bounces", TWO_STEPS)["id"]
    pia, gwen, mo, dee, kim = ("pia@leads.test", "gwen@leads.test", "mo@leads.test",
                               "dee@leads.test", "kim@leads.test")
    everyone = [pia, gwen, mo, dee, kim]
    bulk(srv, cid, [lead(e, e.split("@")[0].capitalize()) for e in everyone])
    start(srv, cid)
    wait_sent(peer, {e: [1] for e in everyone}, what="step 1 accepted by the relay")
    first = {e: sent(peer, e)[0] for e in everyone}

    # Pia's address was an alias: the report names the expanded address, so
    # only the returned Message-ID ties it to her message.
    dovecot.deliver(user, postfix_dsn(SENDER, pia, first[pia]["raw"],
                                      final_recipient="pia.final@mail.leads.test",
                                      original_recipient=pia))
    dovecot.deliver(user, gmail_dsn(SENDER, gwen, first[gwen]["raw"]))
    dovecot.deliver(user, final_recipient_only_dsn(SENDER, mo))
    dovecot.deliver(user, postfix_delay_dsn(SENDER, dee, first[dee]["raw"]))

    wait_statuses(srv, cid, {pia: "bounced", gwen: "bounced", mo: "bounced"},
                  "permanent DSNs bounce the leads")
    ls = leads(srv, cid)
    wait_inbound(srv, cid, ls[dee]["id"], 1, "delay", "the delay notice is recorded")

    ls = wait_statuses(srv, cid, {dee: "completed", kim: "completed"}, "the others complete")
    wait_sent(peer, {dee: [1, 2], kim: [1, 2]}, what="step 2 for the others")
    for e in (pia, gwen, mo):
        assert steps_sent(peer, e) == [1], (e, steps_sent(peer, e))
        assert ls[e]["status"] == "bounced", ls[e]
    m = metrics(srv, cid)
    # 5 step-1 deliveries, 3 of them bounced later, then 2 step-2 deliveries.
    assert m["bounced"] == 3 and m["delivered"] == 4 and m["replied"] == 0, m
    assert m["queued"] == 0, m
    # Analytics: a later bounce takes its delivery back, so they agree.
    a = analytics_of(srv, cid)
    assert {k: a["totals"][k] for k in ("sent", "delivered", "bounced")} == \
        {"sent": 7, "delivered": 4, "bounced": 3}, a["totals"]
    assert [(s["sent"], s["delivered"], s["bounced"]) for s in a["steps"]] == \
        [(5, 2, 3), (2, 2, 0)], a["steps"]

    expect = {pia: ("5.1.1", 550, "User unknown"),
              gwen: ("5.1.1", 550, "does not exist"),
              mo: ("5.2.2", 552, "Mailbox full")}
    out_ids = {}
    for email, (dsn, code, text) in expect.items():
        items = thread(srv, cid, ls[email]["id"])
        assert same_items(items, [("outbound", "step", 0), ("inbound", "bounce", 0)]), (
            email, items)
        out, b = one(items, "outbound", "step"), one(items, "inbound", "bounce")
        out_ids[email] = out["id"]
        assert out["status"] == "bounced", (email, out)
        assert out["messageIdHeader"] == msgid(first[email]), (email, out)
        assert b["dsnStatus"] == dsn and b["smtpCode"] == code, (email, b)
        assert text.lower() in (b["smtpReply"] or "").lower(), (email, b)
        assert b["stepNumber"] == 1, (email, b)

    items = thread(srv, cid, ls[dee]["id"])
    assert same_items(items, [("outbound", "step", 0), ("outbound", "step", 1),
                              ("inbound", "delay", 0)]), items
    d = inbound_items(items)[0]
    assert d["dsnStatus"] == "4.4.1", d
    assert [it["status"] for it in items if it["direction"] == "outbound"] == \
        ["delivered", "delivered"], items

    # message.bounced, as for SMTP bounces, with the code from Diagnostic-Code.
    rcv.wait_for(lambda: {e["data"]["email"] for e in rcv.events("message.bounced")}
                 >= set(expect), describe="message.bounced for the three DSN bounces")
    events = {}
    for ev in rcv.events("message.bounced"):
        events.setdefault(ev["data"]["email"], {})[ev["id"]] = ev
    assert set(events) == set(expect), events
    for email, (dsn, code, text) in expect.items():
        assert len(events[email]) == 1, events[email]
        data = list(events[email].values())[0]["data"]
        assert data["messageId"] == out_ids[email], data
        assert data["campaignId"] == cid and data["leadId"] == ls[email]["id"], data
        assert data["stepIndex"] == 0 and data["stepNumber"] == 1, data
        assert data["mailboxId"] == mbx["id"], data
        assert data["smtpCode"] == code, data
        assert text.lower() in (data["smtpReply"] or "").lower(), data
        assert TIME_RE.match(data["bouncedAt"] or ""), data
    for rec in rcv.successes():
        assert WebhookReceiver.verify(hook["secret"], rec.headers, rec.body), rec


# --------------------------------------------------------------------------
# stopOnReply
# --------------------------------------------------------------------------

def test_stop_on_reply_option(server):
    _, key = server.new_workspace("Stop on reply %s" % uuid.uuid4().hex[:6])
    server.add_mailbox(key=key)

    def get(cid):
        r = server.get("/v1/campaigns/" + cid, key=key)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    plain = server.create_campaign("Default", [step()], key=key)
    assert plain["stopOnReply"] == "lead", plain
    assert get(plain["id"])["stopOnReply"] == "lead"
    company = server.create_campaign("Company", [step()], key=key, stopOnReply="company")
    assert company["stopOnReply"] == "company", company
    assert get(company["id"])["stopOnReply"] == "company"
    explicit = server.create_campaign("Lead", [step()], key=key, stopOnReply="lead")
    assert get(explicit["id"])["stopOnReply"] == "lead"

    bad_values = ["domain", "", "Company", "LEAD", " lead", 1, True, ["company"],
                  {"mode": "company"}]
    for bad in bad_values:
        r = server.post("/v1/campaigns", {"name": "Bad", "sequenceSteps": [step()],
                                          "stopOnReply": bad}, key=key)
        assert_error(r, 400, "invalid_request", "stopOnReply")
    assert len(server.list_all("/v1/campaigns", key=key)) == 3

    cid = plain["id"]
    path = "/v1/campaigns/" + cid
    r = server.patch(path, {"stopOnReply": "company"}, key=key)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["stopOnReply"] == "company"
    assert get(cid)["stopOnReply"] == "company"

    # Any status: running and paused too.
    r = server.post(path + "/start", key=key)
    assert r.status_code == 200 and r.json()["data"]["status"] == "running", r.text
    r = server.patch(path, {"stopOnReply": "lead"}, key=key)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["stopOnReply"] == "lead"
    for bad in bad_values:
        assert_error(server.patch(path, {"stopOnReply": bad}, key=key), 400, "invalid_request",
                     "stopOnReply")
    assert get(cid)["stopOnReply"] == "lead"
    r = server.post(path + "/pause", key=key)
    assert r.status_code == 200, r.text
    r = server.patch(path, {"stopOnReply": "company"}, key=key)
    assert r.status_code == 200, r.text
    got = get(cid)
    assert got["stopOnReply"] == "company" and got["status"] == "paused", got
    # The other settings are untouched by it.
    assert got["name"] == "Default" and len(got["sequenceSteps"]) == 1, got

    # The new enrollment status is a valid filter.
    r = server.get(path + "/leads", key=key, params={"status": "stopped"})
    assert r.status_code == 200, r.text
    assert r.json() == {"data": [], "nextCursor": None}


def test_company_reply_stops_the_domain(make_server, peer, dovecot):
    srv = inbound_server(make_server, DAY)
    user, _ = dovecot.new_user("company")
    add_mailbox(srv, peer, dovecot, user)
    a = srv.create_campaign("Company A", [
        step("Hi {{firstName}}", "<p>Hello</p><p>A-STEP-1-MARK</p>"),
        step("", "<p>Bump</p><p>A-STEP-2-MARK</p>", delayDays=1)], stopOnReply="company")["id"]
    b = srv.create_campaign("Company B", [
        step("Other {{firstName}}", "<p>Hello</p><p>B-STEP-1-MARK</p>"),
        step("", "<p>Bump</p><p>B-STEP-2-MARK</p>", delayDays=1)], stopOnReply="company")["id"]
    ann, ben, eve = "ann@acme.test", "ben@acme.test", "Eve@ACME.Test"
    cat, dan = "cat@eu.acme.test", "dan@other.test"
    bulk(srv, a, [lead(ann, "Ann"), lead(ben, "Ben"), lead(eve, "Eve"), lead(cat, "Cat"),
                  lead(dan, "Dan")])
    bulk(srv, b, [lead(ben, "Ben")])  # Ben is in campaign B too
    start(srv, a)
    start(srv, b)
    wait_sent(peer, {e: [1] for e in (ann, ben, eve, cat, dan)}, "A-", "A step 1")
    wait_sent(peer, {ben: [1]}, "B-", "B step 1")

    m1 = sent(peer, ann, "A-")[0]
    dovecot.deliver(user, reply(ann, SENDER, "Re: " + subject_of(m1), msgid(m1),
                                from_name="Ann Tester"))
    ls = wait_statuses(srv, a, {ann: "replied", ben: "stopped", eve: "stopped"},
                       "a reply stops the replier's domain")
    # Leads at other domains (a subdomain is another domain) carry on, and
    # so does Ben in campaign B.
    ls = wait_statuses(srv, a, {cat: "completed", dan: "completed"}, "other domains continue")
    wait_statuses(srv, b, {ben: "completed"}, "campaign B is not affected")
    wait_sent(peer, {cat: [1, 2], dan: [1, 2]}, "A-", "A step 2 for other domains")
    wait_sent(peer, {ben: [1, 2]}, "B-", "B step 2 for Ben")

    assert all_marks(peer, ann) == ["A-STEP-1"], all_marks(peer, ann)
    assert all_marks(peer, ben) == ["A-STEP-1", "B-STEP-1", "B-STEP-2"], all_marks(peer, ben)
    assert all_marks(peer, eve) == ["A-STEP-1"], all_marks(peer, eve)

    ls = leads(srv, a)
    assert {e: l["status"] for e, l in ls.items()} == {
        "ann@acme.test": "replied", "ben@acme.test": "stopped", "eve@acme.test": "stopped",
        "cat@eu.acme.test": "completed", "dan@other.test": "completed"}, ls
    assert sorted(leads(srv, a, status="stopped")) == ["ben@acme.test", "eve@acme.test"]
    assert sorted(leads(srv, a, status="replied")) == ["ann@acme.test"]
    m = metrics(srv, a)
    assert m["replied"] == 1 and m["queued"] == 0 and m["delivered"] == 7, m
    check_reply_rate(m)
    assert metrics(srv, b)["replied"] == 0
    assert shape(thread(srv, a, ls["ben@acme.test"]["id"])) == [("outbound", "step", 0)]


# --------------------------------------------------------------------------
# Thread endpoint
# --------------------------------------------------------------------------

def test_thread_lists_steps_and_inbound_in_time_order(make_server, peer, dovecot):
    srv = inbound_server(make_server, 2)
    user, _ = dovecot.new_user("thread")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Thread", [
        step("Quick question, {{firstName}}", "<p>Hi {{firstName}}</p><p>STEP-1-MARK</p>"),
        step("", "<p>Bumping this.</p><p>STEP-2-MARK</p>", delayDays=1)])["id"]
    tia, uma = "tia@leads.test", "uma@leads.test"
    bulk(srv, cid, [lead(tia, "Tia"), lead(uma, "Uma")])
    start(srv, cid)
    ls = wait_statuses(srv, cid, {tia: "completed", uma: "completed"}, "both steps sent")
    wait_sent(peer, {tia: [1, 2], uma: [1, 2]})
    s1, s2 = sent(peer, tia)
    tid = ls[tia]["id"]

    # Three inbound messages, one after the other (distinct seconds).
    time.sleep(1.1)
    ooo_id = new_msgid("leads.test")
    dovecot.deliver(user, out_of_office(tia, SENDER, subject_of(s1), msgid(s2),
                                        variant="auto_submitted", message_id=ooo_id))
    wait_inbound(srv, cid, tid, 1, what="out-of-office in the thread")
    time.sleep(1.1)
    dovecot.deliver(user, postfix_delay_dsn(SENDER, tia, s2["raw"]))
    wait_inbound(srv, cid, tid, 2, what="delay notice in the thread")
    time.sleep(1.1)
    long_body = ("Hi Sam, thanks for following up \u2014 we are evaluating tools this quarter "
                 "and your note came at the right time. " * 6).strip()
    rid = new_msgid()
    subj = "Re: Gr\u00fc\u00dfe aus Z\u00fcrich \u2014 Quick question, Tia"
    dovecot.deliver(user, reply(tia, SENDER, subj, msgid(s1), from_name="Tia Tester",
                                message_id=rid, body=long_body))
    items = wait_inbound(srv, cid, tid, 3, what="reply in the thread")
    wait_statuses(srv, cid, {tia: "replied"}, "a completed lead who replies is replied")

    assert shape(items) == [("outbound", "step", 0), ("outbound", "step", 1),
                            ("inbound", "auto_reply", 1), ("inbound", "delay", 1),
                            ("inbound", "reply", 0)], items
    o1, o2, auto, delay, rep = items
    for o, m, n in ((o1, s1, 1), (o2, s2, 2)):
        assert o["stepNumber"] == n and o["status"] == "delivered", o
        assert o["subject"] == subject_of(m) and o["messageIdHeader"] == msgid(m), o
        assert o["smtpCode"] == 250, o
    assert o1["subject"] == "Quick question, Tia" and o2["subject"] == "Re: Quick question, Tia"
    assert o1["id"] != o2["id"]
    assert auto["stepNumber"] == 2 and auto["messageIdHeader"] == ooo_id, auto
    assert auto["subject"] == "Re: Quick question, Tia", auto
    assert tia in auto["from"].lower(), auto
    assert delay["stepNumber"] == 2 and delay["dsnStatus"] == "4.4.1", delay
    assert delay["subject"] == "Delayed Mail (still being retried)", delay
    assert rep["stepNumber"] == 1 and rep["messageIdHeader"] == rid, rep
    assert rep["subject"] == subj, rep
    assert tia in rep["from"].lower(), rep
    assert isinstance(rep["snippet"], str) and 0 < len(rep["snippet"]) <= 280, rep
    assert rep["snippet"].startswith("Hi Sam, thanks for following up \u2014 we are"), rep
    assert len({it["id"] for it in items}) == 5, items

    # Uma's thread is hers alone.
    assert shape(thread(srv, cid, ls[uma]["id"])) == [("outbound", "step", 0),
                                                      ("outbound", "step", 1)]

    # 404: other workspace, unknown ids, a lead not enrolled in this campaign.
    other_cid = srv.create_campaign("Other", [step()])["id"]
    bulk(srv, other_cid, [lead("zed@leads.test", "Zed")])
    zid = leads(srv, other_cid)["zed@leads.test"]["id"]
    assert thread(srv, other_cid, zid) == []
    _, stranger = srv.new_workspace("Stranger")
    path = "/v1/campaigns/%s/leads/%s/messages"
    for c, l, key in ((cid, tid, stranger),
                      ("camp_" + "0" * 26, tid, "default"),
                      (cid, "lead_" + "0" * 26, "default"),
                      (cid, "nope", "default"),
                      ("nope", tid, "default"),
                      (cid, zid, "default"),
                      (other_cid, tid, "default")):
        assert_error(srv.get(path % (c, l), key=key), 404, "not_found", check_param=False)
    r = srv.get(path % (cid, tid), key=None)
    assert_error(r, 401, "authentication_failed", check_param=False)


# --------------------------------------------------------------------------
# Broken mailboxes
# --------------------------------------------------------------------------

def test_bad_imap_credentials_do_not_block_healthy_mailbox(make_server, peer, dovecot):
    srv = inbound_server(make_server, 1)
    good_user, _ = dovecot.new_user("good")
    good = add_mailbox(srv, peer, dovecot, good_user)
    assert good["lastPolledAt"] is None and good["lastError"] is None, good
    cid = srv.create_campaign("Creds", [step("Hi {{firstName}}", "<p>STEP-1-MARK</p>")])["id"]
    liv = "liv@leads.test"
    bulk(srv, cid, [lead(liv, "Liv")])
    start(srv, cid)
    wait_statuses(srv, cid, {liv: "completed"})

    # Added after the send, so no lead is assigned to them.
    bad_user, bad_pw = dovecot.new_user("bad")
    wrong_pw = "Wrong-%s" % uuid.uuid4().hex
    bad = add_mailbox(srv, peer, dovecot, bad_user, email_address="bad@sender.test",
                      password=wrong_pw)
    down = add_mailbox(srv, peer, dovecot, None, email_address="down@sender.test",
                       imap={"host": "127.0.0.1", "port": free_port(), "username": "x",
                             "password": "y", "security": "none", "pollIntervalSeconds": 1})

    def failing(mid):
        mb = get_mailbox(srv, mid)
        return isinstance(mb["lastError"], str) and mb["lastError"].startswith("imap: ") \
            and mb["lastPolledAt"] and TIME_RE.match(mb["lastPolledAt"])
    wait_until(lambda: failing(bad["id"]) and failing(down["id"]),
               lambda: "bad=%r down=%r" % (get_mailbox(srv, bad["id"]),
                                           get_mailbox(srv, down["id"])), interval=0.2)
    r = srv.get("/v1/mailboxes/" + bad["id"])
    assert wrong_pw not in r.text and bad_pw not in r.text, r.text

    # The healthy mailbox still gets its reply processed.
    m1 = sent(peer, liv)[0]
    dovecot.deliver(good_user, reply(liv, SENDER, "Re: Hi Liv", msgid(m1)))
    wait_statuses(srv, cid, {liv: "replied"}, "reply through the healthy mailbox")
    g = get_mailbox(srv, good["id"])
    assert g["lastError"] is None and TIME_RE.match(g["lastPolledAt"] or ""), g
    assert failing(bad["id"]), get_mailbox(srv, bad["id"])

    # Fixing the password clears the error on the next successful poll.
    r = srv.patch("/v1/mailboxes/" + bad["id"], {"imap": {"password": bad_pw}})
    assert r.status_code == 200, r.text
    wait_until(lambda: get_mailbox(srv, bad["id"])["lastError"] is None,
               lambda: "bad=%r" % get_mailbox(srv, bad["id"]), interval=0.2)
    assert TIME_RE.match(get_mailbox(srv, bad["id"])["lastPolledAt"] or "")
    assert failing(down["id"]), get_mailbox(srv, down["id"])


def test_hung_imap_server_does_not_delay_others(make_server, peer, dovecot, silent_imap):
    srv = inbound_server(make_server, 1)
    user, _ = dovecot.new_user("prompt")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Hung", [step("Hi {{firstName}}", "<p>STEP-1-MARK</p>")])["id"]
    kai = "kai@leads.test"
    bulk(srv, cid, [lead(kai, "Kai")])
    start(srv, cid)
    wait_statuses(srv, cid, {kai: "completed"})
    add_mailbox(srv, peer, dovecot, None, email_address="hung@sender.test",
                imap={"host": "127.0.0.1", "port": silent_imap.port, "username": "x",
                      "password": "y", "security": "none", "pollIntervalSeconds": 1})
    wait_until(lambda: silent_imap.accepted() >= 1, lambda: "the hung server was never polled")

    m1 = sent(peer, kai)[0]
    dovecot.deliver(user, reply(kai, SENDER, "Re: Hi Kai", msgid(m1)))
    wait_statuses(srv, cid, {kai: "replied"}, "reply processed while another mailbox hangs")
    assert metrics(srv, cid)["replied"] == 1


# --------------------------------------------------------------------------
# Exactly once, across restarts
# --------------------------------------------------------------------------

def test_nothing_is_processed_twice_across_restart(make_server, peer, dovecot):
    srv = inbound_server(make_server, 1, subdir="first")
    user, _ = dovecot.new_user("once")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Once", [step("Hi {{firstName}}", "<p>STEP-1-MARK</p>")])["id"]
    rae, sol = "rae@leads.test", "sol@leads.test"
    bulk(srv, cid, [lead(rae, "Rae"), lead(sol, "Sol")])
    start(srv, cid)
    ls = wait_statuses(srv, cid, {rae: "completed", sol: "completed"})
    rae_id, sol_id = ls[rae]["id"], ls[sol]["id"]
    m_rae, m_sol = sent(peer, rae)[0], sent(peer, sol)[0]

    raw = reply(rae, SENDER, "Re: Hi Rae", msgid(m_rae), from_name="Rae Tester")
    dovecot.deliver(user, raw)
    wait_statuses(srv, cid, {rae: "replied"}, "first reply")
    # The very same reply again, as a new message; then a marker message
    # behind it, so once the marker is in, the duplicate has been seen.
    dovecot.deliver(user, raw)
    dovecot.deliver(user, out_of_office(sol, SENDER, subject_of(m_sol), msgid(m_sol)))
    wait_inbound(srv, cid, sol_id, 1, "auto_reply", "marker 1")
    m = metrics(srv, cid)
    assert m["replied"] == 1 and m["delivered"] == 2, m
    before = thread(srv, cid, rae_id)
    assert len(inbound_items(before, "reply")) >= 1, before

    assert srv.stop() == 0, srv.stderr_text()[-3000:]
    srv2 = inbound_server(make_server, 1, subdir="second", db_path=srv.db_path,
                          expect_bootstrap=False)
    srv2.key = srv.key
    dovecot.deliver(user, out_of_office(sol, SENDER, subject_of(m_sol), msgid(m_sol),
                                        variant="x_autoreply"))
    items = wait_inbound(srv2, cid, sol_id, 2, "auto_reply", "marker 2 after the restart")
    assert len(inbound_items(items)) == 2, items  # marker 1 was not taken again
    assert thread(srv2, cid, rae_id) == before
    m = metrics(srv2, cid)
    assert m["replied"] == 1 and m["delivered"] == 2, m
    assert status_of(srv2, cid, rae) == "replied"
    assert dovecot.count(user) == 4


# --------------------------------------------------------------------------
# Webhook
# --------------------------------------------------------------------------

def test_message_replied_webhook(make_server, peer, dovecot, receivers):
    srv = inbound_server(make_server, 1)
    rcv = receivers()
    user, _ = dovecot.new_user("hook")
    add_mailbox(srv, peer, dovecot, user)
    r = srv.post("/v1/webhooks", {"url": rcv.url, "events": ["message.replied"]})
    assert r.status_code == 201, r.text
    hook = r.json()["data"]
    cid = srv.create_campaign("Hooked", TWO_STEPS)["id"]
    mia, ned = "mia@leads.test", "ned@leads.test"
    bulk(srv, cid, [lead(mia, "Mia"), lead(ned, "Ned")])
    start(srv, cid)
    ls = wait_statuses(srv, cid, {mia: "completed", ned: "completed"}, "both steps sent")
    wait_sent(peer, {mia: [1, 2], ned: [1, 2]})

    # An out-of-office is no reply: no event for it.
    n1 = sent(peer, ned)[0]
    dovecot.deliver(user, out_of_office(ned, SENDER, subject_of(n1), msgid(n1),
                                        variant="automatic_reply"))
    wait_inbound(srv, cid, ls[ned]["id"], 1, "auto_reply", "Ned's out-of-office")

    s1, s2 = sent(peer, mia)
    rid = new_msgid()
    dovecot.deliver(user, reply(mia, SENDER, "Re: Hi Mia", msgid(s2),
                                references=[msgid(s1), msgid(s2)], from_name="Mia Tester",
                                message_id=rid, body="Sure, let's talk. Call me on Friday."))
    rcv.wait_for(lambda: rcv.events("message.replied"), describe="message.replied for Mia")
    items = wait_inbound(srv, cid, ls[mia]["id"], 1, "reply", "Mia's reply in the thread")
    out2 = [it for it in items if it["direction"] == "outbound" and it["stepIndex"] == 1][0]
    rep = inbound_items(items, "reply")[0]
    assert rep["stepIndex"] == 1, rep

    ev = rcv.events("message.replied")[0]
    assert set(ev) == {"id", "type", "createdAt", "data"}, ev
    assert ev["type"] == "message.replied" and TIME_RE.match(ev["createdAt"]), ev
    d = ev["data"]
    missing = REPLIED_FIELDS - set(d)
    assert not missing, ("message.replied lacks %r" % sorted(missing), d)
    assert d["messageId"] == out2["id"] and MSG_ID_RE.match(d["messageId"]), (d, out2)
    assert d["campaignId"] == cid, d
    assert d["leadId"] == ls[mia]["id"] and LEAD_ID_RE.match(d["leadId"]), d
    assert d["email"] == mia, d
    assert d["stepIndex"] == 1 and d["stepNumber"] == 2, d
    assert d["inboundId"] == rep["id"], (d, rep)
    assert mia in d["from"].lower(), d
    assert d["subject"] == "Re: Hi Mia", d
    assert "Sure, let's talk. Call me on Friday." in (d["snippet"] or ""), d
    assert TIME_RE.match(d["repliedAt"] or ""), d
    for rec in rcv.successes():
        assert WebhookReceiver.verify(hook["secret"], rec.headers, rec.body), rec

    # One event in all: the out-of-office made none.
    def deliveries():
        r = srv.get("/v1/webhooks/%s/deliveries" % hook["id"], params={"limit": 100})
        assert r.status_code == 200, r.text
        return r.json()["data"]
    wait_until(lambda: all(x["status"] == "delivered" for x in deliveries()), deliveries)
    assert collections.Counter(x["eventType"] for x in deliveries()) == {"message.replied": 1}
    assert {e["id"] for e in rcv.events()} == {ev["id"]}

    assert status_of(srv, cid, mia) == "replied" and status_of(srv, cid, ned) == "completed"
    m = metrics(srv, cid)
    assert m["replied"] == 1 and m["delivered"] == 4, m
    assert abs(m["replyRate"] - 0.25) < 1e-9, m


def test_mailto_unsubscribe_request_unsubscribes_the_lead(make_server, peer, dovecot):
    """The mailto: half of List-Unsubscribe: the recipient's client mails the
    sending mailbox with subject "unsubscribe"; the poller reads it and the
    lead is unsubscribed everywhere, as with the one-click link."""
    srv = inbound_server(make_server, DAY)
    user, _ = dovecot.new_user("unsub")
    add_mailbox(srv, peer, dovecot, user)
    cid = srv.create_campaign("Mailto unsubscribe", TWO_STEPS)["id"]
    ola, pia = "ola@leads.test", "pia@leads.test"
    bulk(srv, cid, [lead(ola, "Ola"), lead(pia, "Pia")])
    start(srv, cid)
    wait_sent(peer, {ola: [1], pia: [1]}, what="step 1")
    header = str(sent(peer, ola)[0]["msg"]["List-Unsubscribe"])
    target = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", header)
    assert target and target.group(1) == SENDER and target.group(2) == "unsubscribe", header
    dovecot.deliver(user, unrelated(ola, target.group(1), subject=target.group(2)))
    # A colleague answering in Pia's thread with that subject cannot
    # unsubscribe her: it counts as a reply from the thread.
    dovecot.deliver(user, reply("boss@leads.test", SENDER, "unsubscribe", msgid(sent(peer, pia)[0])))

    wait_statuses(srv, cid, {ola: "unsubscribed"}, "mailto unsubscribe")
    ls = leads(srv, cid)
    items = thread(srv, cid, ls[ola]["id"])
    assert one(items, "inbound", "unsubscribe")["from"] == ola
    entries = {s["value"]: s for s in srv.list_all("/v1/suppressions")}
    assert entries[ola]["source"] == "unsubscribe_email", entries
    wait_statuses(srv, cid, {pia: "replied"}, "the colleague's message is a reply")
    assert pia not in {s["value"] for s in srv.list_all("/v1/suppressions")}
    assert metrics(srv, cid)["replied"] == 1
    assert len(sent(peer, ola)) == 1 and len(sent(peer, pia)) == 1
    a = analytics_of(srv, cid, interval="hour")
    assert (a["totals"]["replied"], a["totals"]["unsubscribed"]) == (1, 1), a["totals"]
    assert sum(b["unsubscribed"] for b in a["buckets"]) == 1
    assert a["steps"][0]["replied"] == 1 and a["steps"][0]["replyRate"] == 0.5, a["steps"]
    o = srv.get("/v1/analytics/overview").json()["data"]
    assert (o["totals"]["replied"], o["totals"]["replyRate"]) == (1, 0.5), o["totals"]
