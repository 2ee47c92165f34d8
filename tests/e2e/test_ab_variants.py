"""A/B variants (SPEC §11) through the real binary: the API's shapes and
errors, then a campaign sent to the aiosmtpd peer whose variant-B leads
reply through Dovecot until the rule picks B, after which every new send of
the step is B, with the event at a webhook receiver."""

import re

import pytest

from ab_variants import assigned_index, check_received_variants, variant_label
from conftest import ULID, assert_error, bulk, start, wait_until
from imap_peer import reply

VAR_ID_RE = re.compile(r"^var_" + ULID + r"$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
SENDER = "sales@sender.test"
STEP_RE = re.compile(r"ab-step-(\d)")


def two_variants(first="Alpha {{firstName}}", second="Beta {{firstName}}", **extra):
    return {"variants": [
        {"label": "A", "subject": first, "bodyHtml": "<p>ab-step-1 variant-A {{firstName}}</p>"},
        {"label": "B", "subject": second, "bodyHtml": "<p>ab-step-1 variant-B {{firstName}}</p>"},
    ], **extra}


FOLLOW_UP = {"subject": "", "bodyHtml": "<p>ab-step-2 {{firstName}}</p>", "delayDays": 1}


def html_of(message):
    return message["msg"].get_body(preferencelist=("html",)).get_content()


def get_campaign(srv, cid, key="default"):
    r = srv.get("/v1/campaigns/" + cid, key=key)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_variants_api_shapes_ids_and_errors(server, ws, other_ws):
    r = server.post("/v1/campaigns", {"name": "AB", "sequenceSteps": [
        two_variants(), FOLLOW_UP]}, key=ws)
    assert r.status_code == 201, r.text
    camp = r.json()["data"]
    assert "warnings" not in r.json(), r.json()
    assert camp["abTest"] == {"metric": "replyRate", "autoSelectWinner": False,
                              "minSendsPerVariant": 100, "confidence": 0.95}
    s1 = camp["sequenceSteps"][0]
    assert [v["label"] for v in s1["variants"]] == ["A", "B"]
    assert all(VAR_ID_RE.match(v["id"]) for v in s1["variants"]), s1
    assert [v["weight"] for v in s1["variants"]] == [50, 50]  # equal by default
    assert s1["winnerVariantId"] is None and s1["winnerSelectedAt"] is None
    assert "variants" not in camp["sequenceSteps"][1]  # a plain step stays as it was
    ids = {v["label"]: v["id"] for v in s1["variants"]}

    # PATCH keeping label B (moved, reworded) keeps its id; C is new; A is gone.
    edited = {"variants": [
        {"label": "C", "subject": "Gamma", "bodyHtml": "<p>c</p>", "weight": 20},
        {"label": "B", "subject": "Beta again", "bodyHtml": "<p>b</p>", "weight": 80}]}
    r = server.patch("/v1/campaigns/" + camp["id"], {"sequenceSteps": [edited, FOLLOW_UP],
                                                     "abTest": {"autoSelectWinner": True,
                                                                "minSendsPerVariant": 50}},
                     key=ws)
    assert r.status_code == 200, r.text
    after = r.json()["data"]
    v = after["sequenceSteps"][0]["variants"]
    assert v[1]["id"] == ids["B"] and v[0]["id"] not in ids.values(), v
    assert [x["weight"] for x in v] == [20, 80]
    assert after["abTest"]["autoSelectWinner"] is True
    assert after["abTest"]["minSendsPerVariant"] == 50 and after["abTest"]["confidence"] == 0.95
    # A GET body PATCHed back as it is changes nothing (ids come back too).
    again = server.patch("/v1/campaigns/" + camp["id"],
                         {"sequenceSteps": after["sequenceSteps"]}, key=ws)
    assert again.status_code == 200, again.text
    assert again.json()["data"]["sequenceSteps"] == after["sequenceSteps"]

    # A person picks the winner; a paused or draft campaign keeps its state.
    steps = after["sequenceSteps"]
    steps[0]["winnerVariantId"] = ids["B"]
    r = server.patch("/v1/campaigns/" + camp["id"], {"sequenceSteps": steps}, key=ws)
    assert r.status_code == 200, r.text
    chosen = r.json()["data"]
    assert chosen["status"] == "draft"
    assert chosen["sequenceSteps"][0]["winnerVariantId"] == ids["B"]
    assert TS_RE.match(chosen["sequenceSteps"][0]["winnerSelectedAt"])

    # Errors name the field.
    def bad(steps, param, extra=None):
        body = {"sequenceSteps": steps}
        body.update(extra or {})
        assert_error(server.patch("/v1/campaigns/" + camp["id"], body, key=ws), 400,
                     "invalid_request", param)

    one = {"variants": [{"label": "A", "subject": "S", "bodyHtml": "<p>x</p>"}]}
    bad([one], "sequenceSteps[0].variants")
    six = {"variants": [{"label": l, "subject": "S", "bodyHtml": "<p>x</p>"} for l in "ABCDEF"]}
    bad([six], "sequenceSteps[0].variants")
    no_subject = two_variants()
    no_subject["variants"][1]["subject"] = ""
    bad([no_subject], "sequenceSteps[0].variants[1].subject")
    empty_body = two_variants()
    empty_body["variants"][0]["bodyHtml"] = ""
    bad([FOLLOW_UP | {"subject": "First"}, empty_body],
        "sequenceSteps[1].variants[0].bodyHtml")
    twice = two_variants()
    twice["variants"][1]["label"] = "A"
    bad([twice], "sequenceSteps[0].variants[1].label")
    heavy = two_variants()
    heavy["variants"][0]["weight"] = 101
    bad([heavy], "sequenceSteps[0].variants[0].weight")
    bad([two_variants(winnerVariantId="var_nope")], "sequenceSteps[0].winnerVariantId")
    bad([two_variants()], "abTest.confidence", {"abTest": {"confidence": 1.5}})
    bad([two_variants()], "abTest.minSendsPerVariant", {"abTest": {"minSendsPerVariant": 0}})
    bad([two_variants()], "abTest.metric", {"abTest": {"metric": "openRate"}})
    assert get_campaign(server, camp["id"], key=ws)["sequenceSteps"] == chosen["sequenceSteps"]

    # Unknown tokens are reported per variant.
    odd = two_variants(second="Beta {{favouriteColour}}")
    r = server.patch("/v1/campaigns/" + camp["id"], {"sequenceSteps": [odd]}, key=ws)
    assert r.status_code == 200, r.text
    assert [w["param"] for w in r.json()["warnings"]] == ["sequenceSteps[0].variants[1].subject"]

    # Preview by variant; lint per variant.
    s1 = r.json()["data"]["sequenceSteps"][0]
    lead = {"email": "ann@x.test", "firstName": "Ann"}
    for variant in s1["variants"]:
        p = server.post("/v1/campaigns/%s/preview" % camp["id"],
                        {"lead": lead, "variantId": variant["id"]}, key=ws)
        assert p.status_code == 200, p.text
        d = p.json()["data"]
        assert d["variantId"] == variant["id"]
        assert ("variant-" + variant["label"]) in d["bodyHtml"]
    default = server.post("/v1/campaigns/%s/preview" % camp["id"], {"lead": lead}, key=ws)
    assert default.json()["data"]["variantId"] == s1["variants"][0]["id"]
    assert_error(server.post("/v1/campaigns/%s/preview" % camp["id"],
                             {"lead": lead, "variantId": "var_nope"}, key=ws),
                 400, "invalid_request", "variantId")
    lint = server.get("/v1/campaigns/%s/lint" % camp["id"], key=ws).json()["data"]
    colour = [f for f in lint["fields"] if f["field"] == "favouriteColour"][0]
    assert colour["usedInVariants"] == [{"stepNumber": 1, "variantId": s1["variants"][1]["id"]}]

    # Another workspace sees nothing.
    assert_error(server.get("/v1/campaigns/" + camp["id"], key=other_ws[1]), 404, "not_found",
                 check_param=False)


def test_running_campaign_only_changes_its_winner(server, ws):
    mbx = server.add_mailbox(key=ws)
    assert mbx
    camp = server.create_campaign("Running AB", [two_variants()], key=ws)
    assert server.post("/v1/campaigns/%s/start" % camp["id"], key=ws).status_code == 200
    steps = get_campaign(server, camp["id"], key=ws)["sequenceSteps"]
    changed = [dict(steps[0], variants=[dict(steps[0]["variants"][0], subject="New"),
                                        steps[0]["variants"][1]])]
    assert_error(server.patch("/v1/campaigns/" + camp["id"], {"sequenceSteps": changed}, key=ws),
                 409, "invalid_state", check_param=False)
    steps[0]["winnerVariantId"] = steps[0]["variants"][1]["id"]
    r = server.patch("/v1/campaigns/" + camp["id"], {"sequenceSteps": steps}, key=ws)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "running"
    assert r.json()["data"]["sequenceSteps"][0]["winnerVariantId"] == steps[0]["variants"][1]["id"]
    assert server.post("/v1/campaigns/%s/pause" % camp["id"], key=ws).status_code == 200


def lead_row(i):
    return {"email": "lead%03d@ab.test" % i, "firstName": "L%d" % i}


def test_split_replies_make_b_win_and_later_sends_use_it(make_server, peer, dovecot, receivers):
    srv = make_server("--rate-limit", "0", "--day-seconds", "4", "--retry-base-seconds", "1")
    user, _ = dovecot.new_user("ab")
    r = srv.post("/v1/mailboxes", peer.mailbox_body(email_address=SENDER,
                                                    imap=dovecot.mailbox_imap(user)))
    assert r.status_code == 201, r.text
    rcv = receivers()
    r = srv.post("/v1/webhooks", {"url": rcv.url, "events": [
        "step.winner_selected", "message.sent", "message.replied"]})
    assert r.status_code == 201, r.text

    r = srv.post("/v1/campaigns", {"name": "Split", "sequenceSteps": [two_variants(), FOLLOW_UP],
                                   "abTest": {"autoSelectWinner": True, "minSendsPerVariant": 50,
                                              "confidence": 0.95}})
    assert r.status_code == 201, r.text
    camp = r.json()["data"]
    cid = camp["id"]
    variants = camp["sequenceSteps"][0]["variants"]
    id_of = {v["label"]: v["id"] for v in variants}
    first = [lead_row(i) for i in range(400)]
    bulk(srv, cid, first)
    start(srv, cid)

    def step_one(messages):
        return [m for m in messages if "ab-step-1" in html_of(m)]

    wait_until(lambda: len(step_one(peer.snapshot())) >= 400, lambda: "400 step-1 messages")
    lead_ids = {l["email"].lower(): l["id"] for l in srv.list_all("/v1/campaigns/%s/leads" % cid)}
    names = {l["email"]: l["firstName"] for l in first}
    received = step_one(peer.snapshot())
    counts = check_received_variants(received, lead_ids, cid, STEP_RE, ["A", "B"], [50, 50],
                                     ["Alpha %s", "Beta %s"], names)
    # Binomial(400, 1/2): outside [150, 250] less than once in a million runs.
    assert 150 <= counts["B"] <= 250 and counts["A"] + counts["B"] == 400, counts
    assert get_campaign(srv, cid)["sequenceSteps"][0]["winnerVariantId"] is None

    # The thread records the variant each lead got.
    b_leads = [m for m in received if variant_label(m) == "B"]
    one = b_leads[0]["to"][0].lower()
    items = srv.get("/v1/campaigns/%s/leads/%s/messages" % (cid, lead_ids[one])).json()["data"]
    assert items[0]["variantId"] == id_of["B"], items

    # 40 replies, all from leads who got B.
    repliers = b_leads[:40]
    for m in repliers:
        email = m["to"][0]
        dovecot.deliver(user, reply(email, SENDER, "Re: " + str(m["msg"]["Subject"]),
                                    str(m["msg"]["Message-ID"]).strip()))

    def winner():
        return get_campaign(srv, cid)["sequenceSteps"][0]["winnerVariantId"]

    wait_until(lambda: winner() is not None, lambda: "a winner for step 1", timeout=60)
    step = get_campaign(srv, cid)["sequenceSteps"][0]
    assert step["winnerVariantId"] == id_of["B"], step
    assert TS_RE.match(step["winnerSelectedAt"]), step
    rcv.wait_for(lambda: rcv.events("step.winner_selected"), describe="step.winner_selected")
    events = rcv.events("step.winner_selected")
    assert len({e["id"] for e in events}) == 1, events
    data = events[0]["data"]
    assert data == {"campaignId": cid, "stepNumber": 1, "variantId": id_of["B"], "label": "B",
                    "selectedBy": "rule", "selectedAt": step["winnerSelectedAt"]}, data
    stats = srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]
    by_label = {v["label"]: v for v in stats["variants"]}
    assert by_label["B"]["winner"] is True and by_label["A"]["winner"] is False
    assert by_label["B"]["replied"] >= 1 and by_label["A"]["replied"] == 0, by_label

    # Leads enrolled from now on get B at step 1, whatever the hash says.
    later = [lead_row(i) for i in range(400, 460)]
    bulk(srv, cid, later)
    later_emails = {l["email"] for l in later}
    wait_until(lambda: len([m for m in step_one(peer.snapshot())
                            if m["to"][0].lower() in later_emails]) >= 60,
               lambda: "step 1 for the 60 later leads")
    late = [m for m in step_one(peer.snapshot()) if m["to"][0].lower() in later_emails]
    assert {variant_label(m) for m in late} == {"B"}, [variant_label(m) for m in late]
    lead_ids = {l["email"].lower(): l["id"] for l in srv.list_all("/v1/campaigns/%s/leads" % cid)}
    would_be_a = [e for e in later_emails
                  if assigned_index(cid, lead_ids[e], 1, [50, 50]) == 0]
    assert would_be_a, "the hash gives A to some later leads; the winner overrides it"

    # Step 2 threads under the subject each lead got; repliers get none.
    replied = {m["to"][0].lower() for m in repliers}
    want_step2 = {e for e in names if e not in replied}

    def step_two():
        return [m for m in peer.snapshot() if "ab-step-2" in html_of(m)
                and m["to"][0].lower() in names]

    def step_two_recipients():
        return {m["to"][0].lower() for m in step_two()}

    wait_until(lambda: want_step2 <= step_two_recipients(), lambda: "step 2 for the first 400")
    check_received_variants(step_two(), lead_ids, cid, STEP_RE, ["A", "B"], [50, 50],
                            ["Alpha %s", "Beta %s"], names)
    # Step 2 was due 4 s after step 1: a replier whose reply was read after
    # that may have got it too (that is right); nobody else got anything more.
    assert step_two_recipients() - want_step2 <= replied

    # Every event names the variant; stats and analytics agree per variant.
    wait_until(lambda: srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]["metrics"][
        "replied"] == 40, lambda: "40 replies counted")
    sent_events = rcv.events("message.sent")
    step1_events = [e["data"] for e in sent_events if e["data"]["stepNumber"] == 1]
    assert all(e["variantId"] in id_of.values() for e in step1_events)
    assert all(e["data"]["variantId"] is None for e in sent_events
               if e["data"]["stepNumber"] == 2)
    replied_events = rcv.events("message.replied")
    assert {e["data"]["variantId"] for e in replied_events} == {id_of["B"]}
    stats = srv.get("/v1/campaigns/%s/stats" % cid).json()["data"]
    by_label = {v["label"]: v for v in stats["variants"]}
    assert by_label["A"]["delivered"] == counts["A"], by_label
    assert by_label["B"]["delivered"] == counts["B"] + 60, by_label
    assert by_label["B"]["replied"] == 40 and by_label["A"]["replied"] == 0, by_label
    assert by_label["B"]["replyRate"] == round(40 / (counts["B"] + 60), 3)
    analytics = srv.get("/v1/campaigns/%s/analytics" % cid, params={"interval": "day"}).json()
    a_step = analytics["data"]["steps"][0]
    got = {v["label"]: (v["delivered"], v["replied"], v["winner"]) for v in a_step["variants"]}
    assert got == {"A": (counts["A"], 0, False), "B": (counts["B"] + 60, 40, True)}, got
    assert a_step["delivered"] == 460 and analytics["data"]["steps"][1]["variants"] == []
