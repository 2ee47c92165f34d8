"""Several `leadterra serve` processes on one PostgreSQL database (the
PostgreSQL pass of the suite only).

Three nodes send one campaign through one SMTP server while nodes are
`kill -9`ed and restarted; the SMTP server's own record then shows no (lead,
step) twice, every lead served, and no mailbox over its daily limit. Limits
and pacing are also shown to hold exactly when the nodes race for the same
mailbox."""

import random
import re
import time

import pytest

from conftest import PG_URL, Server, wait_until
from ab_variants import check_crash_variants
from smtp_peer import SmtpPeer, assert_each_step_once, count_steps

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (LEADTERRA_TEST_DATABASE_URL)")

NODES = 3
LEADS = 3000
KILLS = 6
LEASE_SECONDS = 5
STEP_RE = re.compile(r"cluster-step-(\d)")
# Short leases so a killed node's claims are taken over within the test.
NODE_ENV = {"LEADTERRA_LEASE_SECONDS": str(LEASE_SECONDS)}
NODE_ARGS = ["--rate-limit", "0", "--day-seconds", "1", "--retry-base-seconds", "1"]


class Cluster:
    """NODES servers on the same database (one PostgreSQL schema)."""

    def __init__(self, tmp_path, db_path):
        self.tmp_path = tmp_path
        self.db_path = db_path
        self.started = 0
        first = self._start(expect_bootstrap=True)
        self.key = first.key
        self.nodes = [first] + [self._start() for _ in range(NODES - 1)]

    def _start(self, expect_bootstrap=False):
        self.started += 1
        srv = Server(self.tmp_path / ("node%d" % self.started), args=NODE_ARGS, env=NODE_ENV,
                     db_path=self.db_path, expect_bootstrap=expect_bootstrap)
        if not expect_bootstrap:
            srv.key = self.key
        return srv

    def restart(self, i):
        self.nodes[i] = self._start()

    def any(self):
        return next(n for n in self.nodes if n.alive())

    def stop(self):
        codes = [n.stop() for n in self.nodes if not n.stopped]
        assert all(rc == 0 for rc in codes), codes

    def kill_all(self):
        for n in self.nodes:
            if not n.stopped:
                n.kill()


def enroll(srv, campaign_id, count, domain):
    for start in range(0, count, 1000):
        leads = [{"email": "lead%04d@%s" % (i, domain), "firstName": "L%d" % i}
                 for i in range(start, min(count, start + 1000))]
        r = srv.post("/v1/campaigns/%s/leads/bulk" % campaign_id, {"leads": leads})
        assert r.status_code == 200, r.text
        assert r.json()["data"]["enrolled"] == len(leads)


def test_three_nodes_with_kill_9_never_duplicate_and_serve_every_lead(tmp_path):
    peer = SmtpPeer().start()
    rng = random.Random(20261128)
    cluster = Cluster(tmp_path, str(tmp_path / "cluster.db"))
    limits = {}
    try:
        srv = cluster.nodes[0]
        for n in range(3):
            email = "sender%d@cluster.test" % n
            limits[email] = 2500
            r = srv.post("/v1/mailboxes", peer.mailbox_body(email_address=email,
                                                            daily_limit=limits[email]))
            assert r.status_code == 201, r.text
        camp = srv.create_campaign("Cluster", [
            {"variants": [
                {"label": "A", "subject": "Hello {{firstName}}",
                 "bodyHtml": "<p>cluster-step-1 variant-A {{firstName}}</p>"},
                {"label": "B", "subject": "Quick question, {{firstName}}",
                 "bodyHtml": "<p>cluster-step-1 variant-B {{firstName}}</p>", "weight": 30}]},
            {"subject": "", "bodyHtml": "<p>cluster-step-2</p>", "delayDays": 0},
        ])
        enroll(srv, camp["id"], LEADS, "cluster.test")
        assert srv.post("/v1/campaigns/%s/start" % camp["id"]).status_code == 200

        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 1.2))
            victim = rng.randrange(NODES)
            cluster.nodes[victim].kill()  # SIGKILL: no drain, no cleanup
            cluster.restart(victim)
        sent_during_kills = len(peer.snapshot())

        def finished():
            s = cluster.any().get("/v1/campaigns/%s/stats" % camp["id"]).json()["data"]
            return s["metrics"]["completed"] + s["metrics"]["bounced"] == LEADS

        wait_until(finished, lambda: "every lead to finish the sequence", timeout=180,
                   interval=0.2)
        stats = cluster.any().get("/v1/campaigns/%s/stats" % camp["id"]).json()["data"]["metrics"]
        split = check_crash_variants(cluster.any(), camp["id"], peer.snapshot(), STEP_RE, LEADS,
                                     "cluster.test")
        cluster.stop()
    finally:
        cluster.kill_all()
        peer.stop()

    received, per_mailbox = count_steps(peer.snapshot(), STEP_RE)
    expected = {("lead%04d@cluster.test" % i, step) for i in range(LEADS) for step in (1, 2)}
    assert_each_step_once(received, expected, stats)
    assert stats["unknown"] <= KILLS * 8, stats  # at most one per SMTP connection per kill
    assert stats["bounced"] == 0, stats
    # The whole run is one local day: no mailbox over its daily limit.
    for sender, count in per_mailbox.items():
        assert count <= limits[sender], (sender, count)
    assert sent_during_kills > 0
    print("cluster test: %d nodes, %d kills, %d received, %d unknown, per mailbox %r, split %r"
          % (NODES, KILLS, sum(received.values()), stats["unknown"], dict(per_mailbox), split))


def test_daily_limit_and_gap_hold_across_nodes(tmp_path):
    peer = SmtpPeer().start()
    cluster = Cluster(tmp_path, str(tmp_path / "limits.db"))
    try:
        srv = cluster.nodes[0]
        r = srv.post("/v1/mailboxes", peer.mailbox_body(email_address="capped@cluster.test",
                                                        daily_limit=150))
        assert r.status_code == 201, r.text
        r = srv.post("/v1/mailboxes", peer.mailbox_body(email_address="paced@cluster.test",
                                                        daily_limit=1000))
        assert r.status_code == 201, r.text
        paced_id = r.json()["data"]["id"]
        assert srv.patch("/v1/mailboxes/" + paced_id, {"status": "paused"}).status_code == 200

        # Phase 1: 400 leads race three nodes for one mailbox capped at 150.
        capped = srv.create_campaign("Capped", [{"subject": "Hi", "bodyHtml": "<p>capped</p>"}])
        enroll(srv, capped["id"], 400, "capped.test")
        assert srv.post("/v1/campaigns/%s/start" % capped["id"]).status_code == 200
        wait_until(lambda: len(peer.snapshot()) >= 150, lambda: "the capped mailbox's 150 sends",
                   timeout=60, interval=0.2)
        time.sleep(3)  # every node has had several more ticks to overshoot, if it could
        assert len(peer.snapshot()) == 150
        s = srv.get("/v1/campaigns/%s/stats" % capped["id"]).json()["data"]["metrics"]
        assert s["delivered"] == 150 and s["queued"] == 250, s
        assert srv.post("/v1/campaigns/%s/pause" % capped["id"]).status_code == 200

        # Phase 2: a 2 s minimum gap on the other mailbox, three nodes sending.
        r = srv.patch("/v1/settings/delivery", {"minGapSeconds": 2})
        assert r.status_code == 200, r.text
        capped_id = [m["id"] for m in srv.list_all("/v1/mailboxes")
                     if m["email"] == "capped@cluster.test"][0]
        assert srv.patch("/v1/mailboxes/" + capped_id, {"status": "paused"}).status_code == 200
        assert srv.patch("/v1/mailboxes/" + paced_id, {"status": "active"}).status_code == 200
        paced = srv.create_campaign("Paced", [{"subject": "Hi", "bodyHtml": "<p>paced</p>"}])
        enroll(srv, paced["id"], 5, "paced.test")
        assert srv.post("/v1/campaigns/%s/start" % paced["id"]).status_code == 200
        wait_until(lambda: sum(1 for m in peer.snapshot() if m["from"].startswith("paced")) == 5,
                   lambda: "five paced sends", timeout=60, interval=0.2)
        cluster.stop()
    finally:
        cluster.kill_all()
        peer.stop()
    times = sorted(m["at"] for m in peer.snapshot() if m["from"].startswith("paced"))
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Each send is scheduled at least 2 s after the previous one; the SMTP
    # arrival can trail its schedule by a moment, hence the allowance.
    assert min(gaps) >= 1.5, gaps
