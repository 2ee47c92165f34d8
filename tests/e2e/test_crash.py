"""Crash safety: kill -9 the server over and over while it sends, then prove
from the SMTP server's own record that no (lead, step) arrived twice, that
every lead got every step except the few that were mid-send at a crash
(which the engine marks `unknown` instead of resending), and that no lead's
A/B variant changed across the crashes."""

import random
import re
import time

from conftest import Server, wait_until
from ab_variants import check_crash_variants
from smtp_peer import SmtpPeer, assert_each_step_once, count_steps

LEADS = 2000
KILLS = 20
STEP_RE = re.compile(r"crash-step-(\d)")


def test_kill_9_during_send_never_duplicates(tmp_path):
    peer = SmtpPeer().start()
    rng = random.Random(20261123)
    db = str(tmp_path / "crash.db")
    args = ["--rate-limit", "0", "--day-seconds", "1", "--retry-base-seconds", "1"]
    srv = Server(tmp_path / "run0", args=args, db_path=db)
    key = srv.key
    try:
        r = srv.post("/v1/mailboxes", peer.mailbox_body(daily_limit=100000))
        assert r.status_code == 201, r.text
        camp = srv.create_campaign("Crash", [
            {"variants": [
                {"label": "A", "subject": "Hello {{firstName}}",
                 "bodyHtml": "<p>crash-step-1 variant-A {{firstName}}</p>"},
                {"label": "B", "subject": "Quick question, {{firstName}}",
                 "bodyHtml": "<p>crash-step-1 variant-B {{firstName}}</p>", "weight": 30}]},
            {"subject": "", "bodyHtml": "<p>crash-step-2</p>", "delayDays": 0},
        ])
        for start in range(0, LEADS, 1000):
            leads = [{"email": "lead%04d@crash.test" % i, "firstName": "L%d" % i}
                     for i in range(start, start + 1000)]
            r = srv.post("/v1/campaigns/%s/leads/bulk" % camp["id"], {"leads": leads})
            assert r.json()["data"]["enrolled"] == 1000
        assert srv.post("/v1/campaigns/%s/start" % camp["id"]).status_code == 200

        kills = 0
        for n in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.35))
            srv.kill()  # SIGKILL: no drain, no cleanup
            kills += 1
            srv = Server(tmp_path / ("run%d" % (n + 1)), args=args, db_path=db,
                         expect_bootstrap=False)
            srv.key = key
        sent_during_kills = len(peer.snapshot())

        def finished():
            s = srv.get("/v1/campaigns/%s/stats" % camp["id"]).json()["data"]
            return s["metrics"]["completed"] + s["metrics"]["bounced"] == LEADS

        wait_until(finished, lambda: "every lead to finish the sequence", timeout=120,
                   interval=0.2)
        stats = srv.get("/v1/campaigns/%s/stats" % camp["id"]).json()["data"]["metrics"]
        split = check_crash_variants(srv, camp["id"], peer.snapshot(), STEP_RE, LEADS, "crash.test")
        assert srv.stop() == 0
    finally:
        srv.kill()
        peer.stop()

    received, _ = count_steps(peer.snapshot(), STEP_RE)
    expected = {("lead%04d@crash.test" % i, step) for i in range(LEADS) for step in (1, 2)}
    missing = assert_each_step_once(received, expected, stats)
    # One mailbox sends one message at a time: at most one is on the wire per kill.
    assert stats["unknown"] <= KILLS, stats
    assert stats["bounced"] == 0, stats
    assert kills == KILLS and sent_during_kills > 0
    print("crash test: %d kills, %d messages received, %d unknown, %d missing, split %r"
          % (kills, sum(received.values()), stats["unknown"], len(missing), split))
