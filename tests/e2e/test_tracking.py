"""Open and click tracking (SPEC §13) through the real binary and the aiosmtpd
peer: off by default; when on, the received HTML has its http(s) links
rewritten and a pixel, the text part keeps the original URLs; a person is
counted once however often they fetch, machines (too soon, scanner agents,
HEAD) apart; forged, truncated and altered tokens answer 404 and no redirect
ever leaves for a URL that was not in the message."""

import re
import time

import requests

from conftest import bulk, start, wait_until

GRACE = 5  # --tracking-grace-seconds (the default; wide enough for a loaded machine)
BROWSER = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0 Safari/537.36")
BODY = ('<p>Hi {{firstName}}, see <a href="https://acme.test/pricing?plan=pro&amp;x=1">pricing'
        '</a>, <a href="http://acme.test/docs">docs</a>, <a href="mailto:sam@sender.test">mail '
        'me</a>, <a href="#top">top</a>, <a href="//evil.test/p">p</a>, '
        '<a href="https:evil.test">q</a>.</p>')
HREF_RE = re.compile(r'href="([^"]*)"')
PIXEL_RE = re.compile(r'<img src="([^"]*/t/o/[^"]*)"')


def html_of(m):
    return m["msg"].get_body(preferencelist=("html",)).get_content()


def text_of(m):
    return m["msg"].get_body(preferencelist=("plain",)).get_content()


def by_recipient(peer, domain):
    return {m["to"][0].lower(): m for m in peer.snapshot() if m["to"][0].lower().endswith(domain)}


def metrics(srv, cid):
    return srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]["metrics"]


def get(url, agent=BROWSER, method="GET"):
    return requests.request(method, url, headers={"User-Agent": agent}, allow_redirects=False,
                            timeout=10)


def test_tracking_counts_people_once_and_machines_apart(make_server, peer, receivers):
    srv = make_server("--rate-limit", "0", "--tracking-grace-seconds", str(GRACE))
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    rcv = receivers()
    r = srv.post("/v1/webhooks", {"url": rcv.url, "events": ["message.opened", "message.clicked"]})
    assert r.status_code == 201, r.text

    plain = srv.create_campaign("Untracked", [{"subject": "Hi", "bodyHtml": BODY}])
    assert plain["tracking"] == {"opens": False, "clicks": False}  # off by default
    # Tracked, with an A/B step: counts are kept per variant too.
    r = srv.post("/v1/campaigns", {"name": "Tracked", "tracking": {"opens": True, "clicks": True},
                                   "sequenceSteps": [{"variants": [
                                       {"label": "A", "subject": "Hi", "bodyHtml": BODY},
                                       {"label": "B", "subject": "Hello", "bodyHtml": BODY}]}]})
    assert r.status_code == 201, r.text
    tracked = r.json()["data"]
    assert tracked["tracking"] == {"opens": True, "clicks": True}
    bulk(srv, plain["id"], [{"email": "p%d@off.test" % i, "firstName": "P"} for i in range(2)])
    bulk(srv, tracked["id"], [{"email": "t%d@on.test" % i, "firstName": "T"} for i in range(4)])
    start(srv, tracked["id"])
    start(srv, plain["id"])
    wait_until(lambda: len(by_recipient(peer, "@on.test")) == 4, lambda: "4 tracked messages")
    # t0 opens at once (a machine: within the grace period after delivery).
    first_pixel = PIXEL_RE.findall(html_of(by_recipient(peer, "@on.test")["t0@on.test"]))[0]
    assert get(first_pixel).headers["Content-Type"] == "image/gif"
    wait_until(lambda: len(by_recipient(peer, "@off.test")) == 2, lambda: "2 untracked messages")

    # Off: the HTML is as written.
    for m in by_recipient(peer, "@off.test").values():
        assert "/t/o/" not in html_of(m) and "/t/c/" not in html_of(m), html_of(m)
        assert "https://acme.test/pricing?plan=pro&amp;x=1" in html_of(m)

    # On: http(s) links rewritten, the rest untouched, a pixel, and the text
    # part with the original URLs.
    on = by_recipient(peer, "@on.test")
    for m in on.values():
        hrefs = HREF_RE.findall(html_of(m))
        assert [h.startswith(srv.base_url + "/t/c/") for h in hrefs] == [
            True, True, False, False, False, False], hrefs
        assert hrefs[2:] == ["mailto:sam@sender.test", "#top", "//evil.test/p", "https:evil.test"]
        assert len(PIXEL_RE.findall(html_of(m))) == 1, html_of(m)
        assert "https://acme.test/pricing?plan=pro&x=1" in text_of(m), text_of(m)
        assert "/t/c/" not in text_of(m)
    pixel = {e: PIXEL_RE.findall(html_of(m))[0] for e, m in on.items()}
    links = {e: HREF_RE.findall(html_of(m))[:2] for e, m in on.items()}

    # t3 opens by HEAD (a machine).
    assert pixel["t0@on.test"] == first_pixel
    assert get(pixel["t3@on.test"], method="HEAD").status_code == 200
    wait_until(lambda: metrics(srv, tracked["id"])["delivered"] == 4, lambda: "4 delivered")
    time.sleep(GRACE + 0.5)  # past the grace period: people from now on

    # t1: a person opens three times and clicks twice: counted once each.
    for _ in range(3):
        r = get(pixel["t1@on.test"])
        assert r.status_code == 200 and r.content[:6] == b"GIF89a", r.content[:10]
    for _ in range(2):
        r = get(links["t1@on.test"][0])
        assert r.status_code == 302, r.status_code
        assert r.headers["Location"] == "https://acme.test/pricing?plan=pro&x=1", r.headers
    # t2: a link scanner clicks (a machine), then the second link by a person.
    assert get(links["t2@on.test"][0], agent="Mozilla/5.0 (compatible; Barracuda)").status_code == 302
    r = get(links["t2@on.test"][1])
    assert r.status_code == 302 and r.headers["Location"] == "http://acme.test/docs"
    # The first click of t2 was a machine's; the person's click still counts.

    def settled():
        m = metrics(srv, tracked["id"])
        return (m["opened"], m["clicked"], m["machineOpened"], m["machineClicked"]) == (1, 2, 2, 1)

    wait_until(settled, lambda: "tracking counters: %r" % metrics(srv, tracked["id"]))
    m = metrics(srv, tracked["id"])
    assert m["openRate"] == 0.25 and m["clickRate"] == 0.5, m
    untracked = metrics(srv, plain["id"])
    assert (untracked["opened"], untracked["clicked"]) == (0, 0)

    a = srv.get("/v1/campaigns/%s/analytics" % tracked["id"]).json()["data"]
    assert (a["totals"]["opened"], a["totals"]["clicked"]) == (1, 2), a["totals"]
    assert (a["steps"][0]["opened"], a["steps"][0]["clicked"]) == (1, 2), a["steps"]
    # Per variant: each person's open and click lands on the variant they got.
    variant_of = {e: ("A" if str(on[e]["msg"]["Subject"]) == "Hi" else "B") for e in on}
    want = {"A": [0, 0], "B": [0, 0]}
    want[variant_of["t1@on.test"]][0] += 1
    want[variant_of["t1@on.test"]][1] += 1
    want[variant_of["t2@on.test"]][1] += 1
    per_variant = {v["label"]: [v["opened"], v["clicked"]] for v in a["steps"][0]["variants"]}
    assert per_variant == want, (per_variant, want)
    stats_variants = srv.get("/v1/campaigns/%s/stats" % tracked["id"]).json()["data"]["variants"]
    assert {v["label"]: [v["opened"], v["clicked"]] for v in stats_variants} == want

    rcv.wait_for(lambda: len(rcv.events("message.clicked")) >= 2, describe="click events")
    opened = {e["id"]: e for e in rcv.events("message.opened")}
    clicked = {e["id"]: e for e in rcv.events("message.clicked")}
    assert len(opened) == 1 and len(clicked) == 2, (opened, clicked)
    o = list(opened.values())[0]["data"]
    ids = {v["label"]: v["id"] for v in tracked["sequenceSteps"][0]["variants"]}
    assert o["email"] == "t1@on.test" and o["stepNumber"] == 1, o
    assert o["variantId"] == ids["A" if str(on["t1@on.test"]["msg"]["Subject"]) == "Hi" else "B"]
    assert {e["data"]["url"] for e in clicked.values()} == {
        "https://acme.test/pricing?plan=pro&x=1", "http://acme.test/docs"}

    # Tracking can change while running; it applies to messages built later.
    r = srv.patch("/v1/campaigns/" + tracked["id"], {"tracking": {"clicks": False}})
    assert r.status_code == 200 and r.json()["data"]["tracking"] == {"opens": True, "clicks": False}
    r = srv.patch("/v1/campaigns/" + tracked["id"], {"tracking": {"opens": "yes"}})
    assert r.status_code == 400 and r.json()["error"]["param"] == "tracking.opens", r.text


def test_forged_altered_and_truncated_tokens_answer_404(make_server, peer):
    srv = make_server("--rate-limit", "0")
    assert srv.post("/v1/mailboxes", peer.mailbox_body()).status_code == 201
    r = srv.post("/v1/campaigns", {"name": "T", "tracking": {"opens": True, "clicks": True},
                                   "sequenceSteps": [{"subject": "Hi", "bodyHtml": BODY}]})
    cid = r.json()["data"]["id"]
    bulk(srv, cid, [{"email": "x@forge.test"}])
    start(srv, cid)
    wait_until(lambda: by_recipient(peer, "@forge.test"), lambda: "the message")
    html = html_of(by_recipient(peer, "@forge.test")["x@forge.test"])
    click = HREF_RE.findall(html)[0]
    token = click.rsplit("/", 1)[1]
    payload, mac = token.rsplit(".", 1)
    base = srv.base_url
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    attempts = [
        base + "/t/c/" + payload + "." + flipped,             # altered MAC
        base + "/t/c/" + payload[:-2] + "." + mac,           # altered payload
        base + "/t/c/" + token[:-5],                          # truncated
        base + "/t/c/" + payload,                             # no MAC
        base + "/t/o/" + token,                               # a click token as an open
        base + "/t/c/%2F%2Fevil.test",                        # encoded
        base + "/t/c///evil.test",
        base + "/t/c/https:evil.test",
        base + "/t/c/" + "aHR0cHM6Ly9ldmlsLnRlc3Q.00000000000000000000000000000000",
        base + "/t/o/",
    ]
    for url in attempts:
        for method in ("GET", "HEAD"):
            r = get(url, method=method)
            assert r.status_code == 404, (url, method, r.status_code)
            assert "Location" not in r.headers, (url, r.headers)
    # The real one still works, and goes only where the message said.
    r = get(click)
    assert r.status_code == 302 and r.headers["Location"] == "https://acme.test/pricing?plan=pro&x=1"

    # A clean stop right after a fetch writes the queued hit: after a
    # restart on the same database it is counted (as a machine's: it came
    # within the grace period after delivery).
    key = srv.key
    assert srv.stop() == 0
    again = make_server("--rate-limit", "0", db_path=srv.db_path, expect_bootstrap=False)
    again.key = key
    m = metrics(again, cid)
    assert m["machineClicked"] + m["clicked"] == 1, m
