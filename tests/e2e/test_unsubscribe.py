"""One-click unsubscribe (RFC 8058) through the real binary: every message
carries List-Unsubscribe (URL + mailto) and List-Unsubscribe-Post; GET shows a
confirmation page and changes nothing; POST suppresses the address, stops the
lead in every campaign, counts it in stats, emits lead.unsubscribed, and is
idempotent. Tokens are unguessable: altered ones answer 404."""

import re

import requests

from conftest import bulk, start, step, wait_until

LIST_UNSUB_RE = re.compile(r"^<(https?://[^>]+/u/([A-Za-z0-9_.-]+))>,\s*<mailto:([^>]+)>$")


def server_with_mailbox(make_server, peer, *extra):
    srv = make_server("--rate-limit", "0", "--day-seconds", "1", *extra)
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    return srv


def two_step_campaign(srv, name, leads):
    camp = srv.create_campaign(name, [step("Hello {{firstName}}", "<p>one</p>"),
                                      step("", "<p>two</p>", delayDays=4)])
    bulk(srv, camp["id"], leads)
    start(srv, camp["id"])
    return camp["id"]


def metrics(srv, cid):
    r = srv.get("/v1/campaigns/%s/stats" % cid)
    assert r.status_code == 200, r.text
    return r.json()["data"]["metrics"]


def statuses(srv, cid):
    return {l["email"]: l["status"] for l in srv.list_all("/v1/campaigns/%s/leads" % cid)}


def first_message_to(peer, email):
    msgs = [m for m in peer.snapshot() if m["to"] == [email]]
    return msgs[0]["msg"] if msgs else None


def unsubscribe_link(peer, email):
    msg = wait_until(lambda: first_message_to(peer, email), lambda: "no message to " + email)
    header = " ".join(str(msg["List-Unsubscribe"]).split())
    m = LIST_UNSUB_RE.match(header)
    assert m, header
    assert str(msg["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    return m.group(1), m.group(2), m.group(3)


def test_one_click_unsubscribe_stops_every_campaign(make_server, peer, receivers):
    rcv = receivers()
    srv = server_with_mailbox(make_server, peer)
    r = srv.post("/v1/webhooks", {"url": rcv.url, "events": ["lead.unsubscribed"]})
    assert r.status_code == 201, r.text
    leads = [{"email": "ann@unsub.test", "firstName": "Ann <b>"},
             {"email": "bob@unsub.test", "firstName": "Bob"}]
    c1 = two_step_campaign(srv, "Unsub one", leads)
    c2 = two_step_campaign(srv, "Unsub two", leads[:1])
    # Both campaigns' first step reaches Ann before she clicks (the engine
    # starts a campaign's sends at once, so c1's may arrive before c2 starts).
    wait_until(lambda: len([m for m in peer.snapshot() if m["to"] == ["ann@unsub.test"]]) >= 2,
               lambda: "ann's two first steps")

    url, token, mailto = unsubscribe_link(peer, "ann@unsub.test")
    assert url.startswith(srv.base_url + "/u/"), (url, srv.base_url)
    assert mailto.startswith("sales@sender.test?"), mailto

    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert "ann@unsub.test" in page.text and 'method="post"' in page.text
    assert metrics(srv, c1)["unsubscribed"] == 0  # a GET (link scanners) changes nothing

    r = requests.post(url, data="List-Unsubscribe=One-Click", timeout=10,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert "unsubscribed" in r.text.lower()
    for cid in (c1, c2):
        assert statuses(srv, cid)["ann@unsub.test"] == "unsubscribed"
        assert metrics(srv, cid)["unsubscribed"] == 1, metrics(srv, cid)

    listed = srv.list_all("/v1/suppressions")
    assert [(i["value"], i["type"], i["source"]) for i in listed] == \
        [("ann@unsub.test", "email", "unsubscribe_link")], listed

    # Idempotent: a second click (and a GET) change nothing.
    before = metrics(srv, c1)
    assert requests.post(url, timeout=10).status_code == 200
    assert metrics(srv, c1)["unsubscribed"] == before["unsubscribed"]

    # Bob still gets step 2; Ann never does.
    wait_until(lambda: len([m for m in peer.snapshot() if m["to"] == ["bob@unsub.test"]]) >= 2,
               lambda: "bob's step 2")
    wait_until(lambda: metrics(srv, c1)["queued"] == 0, lambda: repr(metrics(srv, c1)))
    assert len([m for m in peer.snapshot() if m["to"] == ["ann@unsub.test"]]) == 2  # step 1 of c1, c2

    rcv.wait_for(lambda: len(rcv.events("lead.unsubscribed")) >= 1, describe="the event")
    events = rcv.events("lead.unsubscribed")
    assert len({e["id"] for e in events}) == 1, events
    data = events[0]["data"]
    assert data["email"] == "ann@unsub.test"
    assert sorted(data["campaignIds"]) == sorted([c1, c2])
    assert data["leadId"].startswith("lead_")


def test_altered_tokens_answer_404(make_server, peer):
    srv = server_with_mailbox(make_server, peer)
    c1 = two_step_campaign(srv, "Tokens", [{"email": "cat@unsub.test", "firstName": "Cat"}])
    url, token, _ = unsubscribe_link(peer, "cat@unsub.test")
    base = url[:-len(token)]
    flipped = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in (flipped, "x" + token, token.split(".")[0], "nope", "a.b"):
        for method in ("GET", "POST"):
            r = requests.request(method, base + bad, timeout=10)
            assert r.status_code == 404, (method, bad, r.status_code)
    assert metrics(srv, c1)["unsubscribed"] == 0


def test_public_url_is_used_in_the_header(make_server, peer):
    srv = server_with_mailbox(make_server, peer, "--public-url", "https://mail.example.com/")
    two_step_campaign(srv, "Public URL", [{"email": "dan@unsub.test", "firstName": "Dan"}])
    url, token, _ = unsubscribe_link(peer, "dan@unsub.test")
    assert url == "https://mail.example.com/u/" + token, url
