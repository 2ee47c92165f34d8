"""Bounce protection through the real binary: campaign settings (validation,
defaults, PATCH), and a campaign whose hard-bounce rate passes its threshold
pauses by itself with the reason on the campaign and in the campaign.paused
webhook event; starting again clears the reason."""


import pytest

from conftest import assert_error, bulk, step, start, wait_until


@pytest.mark.parametrize("protection,param", [
    ({"maxBounceRate": 0}, "bounceProtection.maxBounceRate"),
    ({"maxBounceRate": 1.5}, "bounceProtection.maxBounceRate"),
    ({"maxBounceRate": "5%"}, "bounceProtection.maxBounceRate"),
    ({"minSends": 0}, "bounceProtection.minSends"),
    ({"minSends": 2.5}, "bounceProtection.minSends"),
    ({"enabled": "yes"}, "bounceProtection.enabled"),
    ({"threshold": 1}, "bounceProtection.threshold"),
    ("on", "bounceProtection"),
])
def test_validation(server, ws, protection, param):
    assert_error(server.post("/v1/campaigns", {"name": "B", "bounceProtection": protection},
                             key=ws), 400, "invalid_request", param)
    camp = server.create_campaign("B", key=ws)
    assert_error(server.patch("/v1/campaigns/" + camp["id"], {"bounceProtection": protection},
                              key=ws), 400, "invalid_request", param)
    assert server.get("/v1/campaigns/" + camp["id"], key=ws).json()["data"][
        "bounceProtection"] == {"enabled": True, "maxBounceRate": 0.05, "minSends": 50}


def test_defaults_and_partial_patch(server, ws):
    camp = server.create_campaign("B", key=ws)
    assert camp["bounceProtection"] == {"enabled": True, "maxBounceRate": 0.05, "minSends": 50}
    assert camp["pauseReason"] is None
    r = server.patch("/v1/campaigns/" + camp["id"], {"bounceProtection": {"minSends": 200}},
                     key=ws)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["bounceProtection"] == {"enabled": True, "maxBounceRate": 0.05,
                                                    "minSends": 200}


def test_high_bounce_rate_pauses_the_campaign(make_server, peer, receivers):
    srv = make_server("--rate-limit", "0")
    hook = receivers()
    r = srv.post("/v1/webhooks", {"url": hook.url, "events": ["campaign.paused"]})
    assert r.status_code == 201, r.text
    assert srv.post("/v1/mailboxes", peer.mailbox_body()).status_code == 201
    r = srv.post("/v1/campaigns", {"name": "Dirty list", "sequenceSteps": [step("Hi", "<p>x</p>")],
                                   "bounceProtection": {"maxBounceRate": 0.2, "minSends": 5}})
    assert r.status_code == 201, r.text
    camp = r.json()["data"]
    # 6 of 10 rejected: whatever the order, the last rejection comes at a
    # send >= 6 with a rate >= 60%, so the campaign must pause.
    leads = [{"email": "good%d@ok.test" % i} for i in range(4)] + \
        [{"email": "reject%d@bad.test" % i} for i in range(6)]
    bulk(srv, camp["id"], leads)
    start(srv, camp["id"])

    def campaign():
        return srv.get("/v1/campaigns/" + camp["id"]).json()["data"]
    wait_until(lambda: campaign()["status"] == "paused", lambda: repr(campaign()))
    c = campaign()
    assert c["pauseReason"]["code"] == "bounce_rate", c
    assert "bounce" in c["pauseReason"]["message"]
    m = srv.get("/v1/campaigns/%s/stats" % camp["id"]).json()["data"]["metrics"]
    assert m["bounced"] >= 2 and m["bounced"] / (m["bounced"] + m["delivered"]) > 0.2, m

    wait_until(lambda: hook.events(), lambda: "no campaign.paused event")
    event = hook.events()[0]
    assert event["type"] == "campaign.paused"
    assert event["data"]["reason"] == "bounce_rate"
    assert event["data"]["reasonMessage"] == c["pauseReason"]["message"]

    # A manual start clears the reason.
    start(srv, camp["id"])
    assert campaign()["pauseReason"] is None
