"""Leads: bulk upsert + enrollment, listing, removal, personalization, stats."""

import json
import re

import pytest

from conftest import assert_error, step

LEAD_ID_RE = re.compile(r"^lead_[0-9a-hjkmnp-tv-z]{26}$")

STEPS = [
    step("Quick question, {{firstName|there}}",
         "<p>Hi {{firstName}},</p><p>{{company}} in {{ industry }}? <a href=\"https://x.io\">x</a></p>"),
    step("", "<p>Bumping this, {{firstName|friend}}.</p>", delayDays=3),
]


def bulk(server, campaign_id, leads, key="default"):
    return server.post("/v1/campaigns/%s/leads/bulk" % campaign_id, {"leads": leads}, key=key)


def all_leads(server, campaign_id, limit=100, **params):
    return server.list_all("/v1/campaigns/%s/leads" % campaign_id, limit=limit, **params)


def stats(server, campaign_id):
    r = server.get("/v1/campaigns/%s/stats" % campaign_id)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_bulk_counts_dedupe_and_upsert(server):
    camp = server.create_campaign("Bulk", STEPS)
    r = bulk(server, camp["id"], [
        {"email": "Ann@Acme.io", "firstName": "Ann", "company": "Acme",
         "customFields": {"industry": "SaaS", "seats": 40}},
        {"email": "bo@beta.io", "firstName": "Bo"},
    ])
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"received": 2, "created": 2, "updated": 0, "enrolled": 2,
                                "alreadyEnrolled": 0, "errors": []}

    # Same lead again (different case and whitespace): updated, kept in place.
    r = bulk(server, camp["id"], [{"email": "  ann@ACME.io ", "lastName": "Lee",
                                   "customFields": {"seats": None, "plan": "pro"}}])
    assert r.json()["data"] == {"received": 1, "created": 0, "updated": 1, "enrolled": 0,
                                "alreadyEnrolled": 1, "errors": []}
    leads = all_leads(server, camp["id"])
    assert len(leads) == 2
    ann = next(l for l in leads if l["email"].lower() == "ann@acme.io")
    assert LEAD_ID_RE.match(ann["id"])
    assert ann["firstName"] == "Ann" and ann["lastName"] == "Lee" and ann["company"] == "Acme"
    assert ann["customFields"] == {"industry": "SaaS", "plan": "pro"}
    assert ann["status"] == "queued" and ann["currentStep"] == 0
    assert ann["nextSendAt"] is None and ann["lastSentAt"] is None

    # Leads are workspace-wide: enrolling into a second campaign reuses them.
    other = server.create_campaign("Second", STEPS)
    r = bulk(server, other["id"], [{"email": "ann@acme.io"}])
    assert r.json()["data"]["created"] == 0 and r.json()["data"]["enrolled"] == 1
    assert all_leads(server, other["id"])[0]["id"] == ann["id"]


def test_per_row_errors_do_not_fail_the_batch(server):
    camp = server.create_campaign("Rows", STEPS)
    r = bulk(server, camp["id"], [
        {"email": "ok1@x.io"},
        {"email": "not-an-email"},
        {"firstName": "No email"},
        {"email": "OK1@x.io"},
        {"email": "long@x.io", "company": "x" * 501},
        {"email": "big@x.io", "customFields": {"notes": "y" * 1_000_000}},
        {"email": "ok2@x.io"},
    ])
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["received"], data["created"], data["enrolled"]) == (7, 2, 2)
    errors = {e["index"]: e for e in data["errors"]}
    assert errors[1]["code"] == "invalid_email" and errors[1]["email"] == "not-an-email"
    assert errors[2]["code"] == "missing_email" and errors[2]["email"] is None
    assert errors[3]["code"] == "duplicate_email"
    assert errors[4]["code"] == "field_too_long"
    assert errors[5]["code"] == "field_too_long"
    assert all(e["message"] for e in data["errors"])
    assert sorted(l["email"] for l in all_leads(server, camp["id"])) == ["ok1@x.io", "ok2@x.io"]


@pytest.mark.parametrize("body,param", [
    ({}, "leads"),
    ({"leads": {}}, "leads"),
    ({"leads": [{"email": "a@x.io"}], "extra": 1}, "extra"),
    ({"leads": [{"email": "a@x.io"}, "b@x.io"]}, "leads[1]"),
    ({"leads": [{"email": "a@x.io"}, {"email": 5}]}, "leads[1].email"),
    ({"leads": [{"email": "a@x.io"}, {"email": "b@x.io", "phone": "1"}]}, "leads[1].phone"),
    ({"leads": [{"email": "a@x.io"}, {"email": "b@x.io", "customFields": "SaaS"}]},
     "leads[1].customFields"),
    ({"leads": [{"email": "a@x.io"}, {"email": "b@x.io", "customFields": {"a": {"b": 1}}}]},
     "leads[1].customFields.a"),
    ({"leads": [{"email": "a@x.io"}, {"email": "b@x.io", "customFields": {"a": [1]}}]},
     "leads[1].customFields.a"),
])
def test_malformed_requests_write_nothing(server, body, param):
    camp = server.create_campaign("Malformed", STEPS)
    r = server.post("/v1/campaigns/%s/leads/bulk" % camp["id"], body)
    assert_error(r, 400, "invalid_request", param)
    assert all_leads(server, camp["id"]) == []
    assert stats(server, camp["id"])["enrolledLeads"] == 0


def test_non_utf8_body_is_rejected(server):
    camp = server.create_campaign("Utf8", STEPS)
    raw = b'{"leads":[{"email":"a@x.io","firstName":"\xff\xfe"}]}'
    r = server.request("POST", "/v1/campaigns/%s/leads/bulk" % camp["id"], data=raw,
                       headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_request", None)
    assert all_leads(server, camp["id"]) == []


def test_too_many_leads(make_server):
    srv = make_server("--rate-limit", "0", "--max-leads-per-request", "5")
    camp = srv.create_campaign("Cap", STEPS)
    r = bulk(srv, camp["id"], [{"email": "l%d@x.io" % i} for i in range(6)])
    assert_error(r, 400, "invalid_request", "leads")
    assert bulk(srv, camp["id"], [{"email": "l%d@x.io" % i} for i in range(5)]).status_code == 200


def test_default_limit_is_10000(server):
    camp = server.create_campaign("Ten thousand", STEPS)
    leads = [{"email": "t%d@tenk.io" % i, "firstName": "T%d" % i} for i in range(10_001)]
    assert_error(bulk(server, camp["id"], leads), 400, "invalid_request", "leads")
    r = bulk(server, camp["id"], leads[:10_000])
    assert r.status_code == 200
    assert r.json()["data"]["enrolled"] == 10_000
    assert stats(server, camp["id"])["enrolledLeads"] == 10_000


def test_enroll_in_every_state_and_cross_workspace(server, other_ws):
    camp = server.create_campaign("States", STEPS)
    assert bulk(server, camp["id"], [{"email": "d@x.io"}]).json()["data"]["enrolled"] == 1
    assert server.post("/v1/campaigns/%s/start" % camp["id"]).status_code == 200
    assert bulk(server, camp["id"], [{"email": "r@x.io"}]).json()["data"]["enrolled"] == 1
    assert server.post("/v1/campaigns/%s/pause" % camp["id"]).status_code == 200
    assert bulk(server, camp["id"], [{"email": "p@x.io"}]).json()["data"]["enrolled"] == 1

    _, other_key = other_ws
    for r in (bulk(server, camp["id"], [{"email": "z@x.io"}], key=other_key),
              server.get("/v1/campaigns/%s/leads" % camp["id"], key=other_key),
              server.get("/v1/campaigns/%s/stats" % camp["id"], key=other_key),
              server.get("/v1/campaigns/%s/lint" % camp["id"], key=other_key),
              server.post("/v1/campaigns/%s/preview" % camp["id"], {"lead": {}}, key=other_key)):
        assert_error(r, 404, "not_found", None)
    lead_id = all_leads(server, camp["id"])[0]["id"]
    other_camp = server.create_campaign("Theirs", STEPS, key=other_key)
    r = server.post("/v1/campaigns/%s/preview" % other_camp["id"], {"leadId": lead_id},
                    key=other_key)
    assert_error(r, 400, "invalid_request", "leadId")
    assert_error(server.post("/v1/campaigns/camp_01hx4mrqpbcn7wh2gfk9yz6e3s/leads/bulk",
                             {"leads": [{"email": "a@b.co"}]}), 404, "not_found", None)


def test_pagination_while_leads_are_added(server):
    camp = server.create_campaign("Paging", STEPS)
    bulk(server, camp["id"], [{"email": "page%03d@x.io" % i} for i in range(95)])
    seen, cursor, round_ = [], None, 0
    while True:
        params = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        body = server.get("/v1/campaigns/%s/leads" % camp["id"], params=params).json()
        seen += [l["id"] for l in body["data"]]
        # Keep adding leads while paging.
        bulk(server, camp["id"], [{"email": "late%d-%d@x.io" % (round_, i)} for i in range(3)])
        round_ += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a lead was returned twice"
    first_95 = {l["id"] for l in all_leads(server, camp["id"]) if l["email"].startswith("page")}
    assert first_95 <= set(seen), "a lead that existed before paging was skipped"
    assert_error(server.get("/v1/campaigns/%s/leads" % camp["id"], params={"status": "sent"}),
                 400, "invalid_request", "status")
    assert_error(server.get("/v1/campaigns/%s/leads" % camp["id"], params={"limit": "0"}),
                 400, "invalid_request", "limit")


def test_remove_lead_and_stats(server):
    camp = server.create_campaign("Remove", STEPS)
    bulk(server, camp["id"], [{"email": "a@rm.io"}, {"email": "b@rm.io"}, {"email": "c@rm.io"}])
    s = stats(server, camp["id"])
    assert s["campaignId"] == camp["id"] and s["status"] == "draft"
    assert s["enrolledLeads"] == 3
    assert s["metrics"] == {"delivered": 0, "queued": 3, "bounced": 0, "replied": 0,
                            "unsubscribed": 0, "replyRate": 0, "completed": 0,
                            "unknown": 0, "opened": 0, "clicked": 0, "openRate": 0,
                            "clickRate": 0, "machineOpened": 0, "machineClicked": 0}
    assert s["variants"] == []
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", s["updatedAt"])

    lead_id = all_leads(server, camp["id"])[0]["id"]
    r = server.delete("/v1/campaigns/%s/leads/%s" % (camp["id"], lead_id))
    assert r.status_code == 200 and r.json()["data"] == {"leadId": lead_id, "status": "removed"}
    assert server.delete("/v1/campaigns/%s/leads/%s" % (camp["id"], lead_id)).status_code == 200
    assert_error(server.delete("/v1/campaigns/%s/leads/lead_01hx4mrqpbcn7wh2gfk9yz6e3s" % camp["id"]),
                 404, "not_found", None)
    assert stats(server, camp["id"])["enrolledLeads"] == 2
    assert stats(server, camp["id"])["metrics"]["queued"] == 2
    removed = all_leads(server, camp["id"], status="removed")
    assert [l["id"] for l in removed] == [lead_id]
    assert len(all_leads(server, camp["id"], status="queued")) == 2
    # Re-uploading a removed lead does not bring it back.
    email = removed[0]["email"]
    assert bulk(server, camp["id"], [{"email": email}]).json()["data"]["alreadyEnrolled"] == 1
    assert stats(server, camp["id"])["enrolledLeads"] == 2


def test_preview_escapes_and_threads(server):
    camp = server.create_campaign("Preview", STEPS)
    # Line breaks in lead text are refused, in a stored lead and an ad-hoc one.
    r = server.post("/v1/campaigns/%s/leads/bulk" % camp["id"], {"leads": [
        {"email": "crlf@pv.io", "firstName": "Ann\r\nBcc: evil@x.io"}]})
    assert r.json()["data"]["errors"][0]["code"] == "invalid_characters", r.text
    assert_error(server.post("/v1/campaigns/%s/preview" % camp["id"],
                             {"lead": {"firstName": "Ann\r\nBcc: evil@x.io"}}),
                 400, "invalid_request", "lead.firstName")
    bulk(server, camp["id"], [{"email": "x@pv.io", "firstName": "<b>Ann</b> Bcc: evil@x.io",
                               "company": "Tom & Co", "customFields": {"industry": "Fintech"}}])
    lead_id = all_leads(server, camp["id"])[0]["id"]
    r = server.post("/v1/campaigns/%s/preview" % camp["id"], {"leadId": lead_id, "stepNumber": 1})
    assert r.status_code == 200, r.text
    p = r.json()["data"]
    assert p["stepNumber"] == 1
    assert "\r" not in p["subject"] and "\n" not in p["subject"]
    assert p["subject"] == "Quick question, <b>Ann</b> Bcc: evil@x.io"
    assert "&lt;b&gt;Ann&lt;/b&gt;" in p["bodyHtml"] and "<b>Ann" not in p["bodyHtml"]
    assert "Tom &amp; Co in Fintech?" in p["bodyHtml"]
    assert "Tom & Co in Fintech? x (https://x.io)" in p["bodyText"]
    assert p["missingFields"] == []

    r = server.post("/v1/campaigns/%s/preview" % camp["id"],
                    {"lead": {"lastName": "Only"}, "stepNumber": 2})
    p = r.json()["data"]
    assert p["subject"] == "Re: Quick question, there"
    assert p["bodyHtml"] == "<p>Bumping this, friend.</p>"
    assert p["bodyText"] == "Bumping this, friend."
    assert set(p["missingFields"]) == {"firstName"}

    r = server.post("/v1/campaigns/%s/preview" % camp["id"], {"lead": {}})
    assert r.json()["data"]["missingFields"] == ["firstName", "company", "industry"]
    assert_error(server.post("/v1/campaigns/%s/preview" % camp["id"], {"lead": {}, "stepNumber": 3}),
                 400, "invalid_request", "stepNumber")
    assert_error(server.post("/v1/campaigns/%s/preview" % camp["id"], {}),
                 400, "invalid_request", "leadId")
    assert_error(server.post("/v1/campaigns/%s/preview" % camp["id"],
                             {"lead": {}, "leadId": lead_id}), 400, "invalid_request", "lead")
    empty = server.create_campaign("No steps")
    assert_error(server.post("/v1/campaigns/%s/preview" % empty["id"], {"lead": {}}),
                 409, "invalid_state", None)


def test_lint_and_unknown_token_warnings(server):
    r = server.post("/v1/campaigns", {"name": "Lint", "sequenceSteps": [
        step("Hi {{firstName}}", "<p>{{ roleBlurb }} at {{company|your team}}</p>")]})
    assert r.status_code == 201
    warnings = r.json()["warnings"]
    assert [w["param"] for w in warnings] == ["sequenceSteps[0].bodyHtml"]
    assert warnings[0]["code"] == "unknown_token" and "roleBlurb" in warnings[0]["message"]
    camp = r.json()["data"]

    bulk(server, camp["id"], [
        {"email": "a@lint.io", "firstName": "Ann", "customFields": {"roleBlurb": "Sales lead"}},
        {"email": "b@lint.io"},
        {"email": "c@lint.io", "firstName": "Cy"},
    ])
    lint = server.get("/v1/campaigns/%s/lint" % camp["id"]).json()["data"]
    assert lint["campaignId"] == camp["id"] and lint["enrolledLeads"] == 3
    assert lint["ok"] is False and lint["unknownTokens"] == []
    fields = {f["field"]: f for f in lint["fields"]}
    assert fields["firstName"]["leadsMissing"] == 1 and fields["firstName"]["standard"] is True
    assert len(fields["firstName"]["sampleLeadIds"]) == 1
    assert fields["roleBlurb"]["knownCustomField"] is True
    assert fields["roleBlurb"]["leadsMissing"] == 2
    assert fields["company"]["hasFallback"] is True and fields["company"]["leadsMissing"] == 3
    assert fields["firstName"]["usedInSteps"] == [1]

    # Now that a lead has roleBlurb, patching does not warn about it.
    r = server.patch("/v1/campaigns/%s" % camp["id"], {"sequenceSteps": [
        step("Hi {{firstName|there}}", "<p>{{roleBlurb|}} {{ nope }}</p>")]})
    assert r.status_code == 200
    assert [w["message"].split("}}")[0] for w in r.json()["warnings"]] == ["{{nope"]
    r = server.patch("/v1/campaigns/%s" % camp["id"], {"name": "Renamed"})
    assert "warnings" in r.json()  # the step still uses {{nope}}
    assert_error(server.get("/v1/campaigns/%s/lint" % camp["id"], params={"x": "1"}),
                 400, "invalid_request", "x")


def test_stats_cost_does_not_depend_on_size(server):
    # Shape and correctness at two sizes; the cost claim is measured in bench/.
    small = server.create_campaign("Small", STEPS)
    big = server.create_campaign("Big", STEPS)
    bulk(server, small["id"], [{"email": "s%d@sz.io" % i} for i in range(3)])
    bulk(server, big["id"], [{"email": "b%d@sz.io" % i} for i in range(2000)])
    assert stats(server, small["id"])["enrolledLeads"] == 3
    assert stats(server, big["id"])["enrolledLeads"] == 2000
    assert stats(server, big["id"])["metrics"]["queued"] == 2000
