"""The web dashboard in a real browser: Debian's Chromium driven by
playwright-core (tests/node/dashboard/run.mjs), against the real binary
serving its built-in bundle, a real SMTP server (aiosmtpd) and a real IMAP
server (Dovecot) for the replies the inbox shows.

The node script runs once per module (one browser, a few contexts, the
sections in order, each depending on what the earlier ones made); each test
below asserts one section's outcome, and shows the script's whole output when
it failed. DASHBOARD_WEB_DIR=DIR tests a bundle built with
`node web/build.mjs DIR` instead of the one compiled into the binary.
DASHBOARD_SECTIONS=a,b,c runs only those sections of the script (list the
ones they depend on too, e.g. signin,mailbox,inbox) and skips the tests of
the others: for working on one page. Runs on
SQLite only: the pages do not depend on the backend, and
the PostgreSQL pass of the suite has other work to do.
"""

import email
import email.utils
import json
import os
import shutil
import subprocess
import threading

import pytest

from conftest import PG_URL, Server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
NODE_DIR = os.path.join(ROOT, "tests", "node")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.skipif(
        not shutil.which("node") or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "playwright-core")),
        reason="needs node and `npm ci` in tests/node (scripts/setup.sh does both)"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (scripts/setup.sh installs it)"),
    pytest.mark.skipif(bool(PG_URL), reason="the dashboard runs on the SQLite pass only"),
]

SCRIPT_TIMEOUT = 900  # guard against hangs only


class TrackedMailFile:
    """Hands node the HTML of the messages that carry tracking (the 'tracking'
    section needs a delivered message's pixel and link URLs, and the SMTP peer
    lives in this process). A thread looks at the peer's new messages every
    0.2 s and, when one has a /t/o/ or /t/c/ URL in its HTML, rewrites `path`
    as JSON [{"to": [...], "html": "..."}] of all such messages so far: written
    to a temporary file and renamed over `path`, so node never reads half a
    file. Only new messages are parsed, and only tracked ones kept (the other
    sections send about a thousand untracked ones)."""

    def __init__(self, peer, path):
        self.peer, self.path = peer, path
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)

    def _loop(self):
        seen, tracked = 0, []
        while not self.stopping.wait(0.2):
            new = self.peer.snapshot()[seen:]
            seen += len(new)
            found = False
            for m in new:
                part = m["msg"].get_body(preferencelist=("html",))
                html = part.get_content() if part is not None else ""
                if "/t/o/" in html or "/t/c/" in html:
                    tracked.append({"to": m["to"], "html": html})
                    found = True
            if found:
                tmp = self.path + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(tracked, f)
                os.replace(tmp, self.path)


class InboxDesk:
    """The leads' side of the 'inbox' section: their mail programs answering
    what Leadterra sent them, through a real IMAP inbox.

    node asks for replies by writing `requests_path` as JSON [{"to", "kind":
    "reply"|"out_of_office", "body", "fromName"}] (appended to, renamed into
    place). A thread (every 0.2 s) answers each new request as soon as the SMTP
    peer holds the message Leadterra sent to that address: a Gmail-style reply
    (or an out-of-office answer) with In-Reply-To/References to it, put into
    the Dovecot user's INBOX with IMAP APPEND, which the mailbox's IMAP poller
    then reads. It writes `mail_path` as JSON {"replies": [{"to", "kind",
    "messageId", "inReplyTo"}], "mail": [{"to", "envelopeFrom", "from",
    "subject", "messageId", "inReplyTo", "references", "html"}]}: the replies
    it delivered and every message the peer received for a requested address
    (steps and answers), so node can check an answer's headers."""

    def __init__(self, peer, dovecot, user, requests_path, mail_path):
        self.peer, self.dovecot, self.user = peer, dovecot, user
        self.requests_path, self.mail_path = requests_path, mail_path
        self.error = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)

    @staticmethod
    def _header(msg, name):
        v = msg.get(name)
        return " ".join(str(v).split()) if v is not None else None

    def _loop(self):
        from imap_peer import out_of_office, reply
        done, replies, ours, written = 0, [], set(), -1
        while not self.stopping.wait(0.2):
            try:
                requests = []
                if os.path.exists(self.requests_path):
                    with open(self.requests_path) as f:
                        requests = json.load(f)
                if not requests:
                    continue
                wanted = {r["to"].lower() for r in requests}
                mine = [m for m in self.peer.snapshot() if any(t.lower() in wanted for t in m["to"])]
                for req in requests[done:]:
                    to = req["to"].lower()
                    # What Leadterra sent this lead (not an answer to one of our replies).
                    sent = [m for m in mine if to in [t.lower() for t in m["to"]]
                            and self._header(m["msg"], "In-Reply-To") not in ours]
                    if not sent:
                        break  # not sent yet: next round
                    original = sent[-1]["msg"]
                    step_id = self._header(original, "Message-ID")
                    mailbox = email.utils.parseaddr(str(original["From"]))[1]
                    subject = str(original["Subject"])
                    if req.get("kind") == "out_of_office":
                        raw = out_of_office(req["to"], mailbox, subject, step_id, from_name=req.get("fromName"))
                    else:
                        raw = reply(req["to"], mailbox, "Re: " + subject, step_id, body=req["body"],
                                    from_name=req.get("fromName"))
                    reply_id = self._header(email.message_from_bytes(raw), "Message-ID")
                    self.dovecot.deliver(self.user, raw)
                    ours.add(reply_id)
                    replies.append({"to": req["to"], "kind": req.get("kind", "reply"),
                                    "messageId": reply_id, "inReplyTo": step_id})
                    done += 1
                if len(mine) + len(replies) != written:
                    mail = []
                    for m in mine:
                        part = m["msg"].get_body(preferencelist=("html",))
                        mail.append({"to": m["to"], "envelopeFrom": m["from"],
                                     "from": self._header(m["msg"], "From"),
                                     "subject": self._header(m["msg"], "Subject"),
                                     "messageId": self._header(m["msg"], "Message-ID"),
                                     "inReplyTo": self._header(m["msg"], "In-Reply-To"),
                                     "references": self._header(m["msg"], "References"),
                                     "html": part.get_content() if part is not None else ""})
                    tmp = self.mail_path + ".tmp"
                    with open(tmp, "w") as f:
                        json.dump({"replies": replies, "mail": mail}, f)
                    os.replace(tmp, self.mail_path)
                    written = len(mine) + len(replies)
            except Exception as e:  # shown in the test's output; node times out waiting
                self.error = repr(e)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from imap_peer import DovecotPeer, find_dovecot
    from smtp_peer import PASSWORD, USER, SmtpPeer
    peer = SmtpPeer().start()
    # Dovecot holds the replies of the 'inbox' section (one IMAP user).
    dovecot = DovecotPeer().start() if find_dovecot() else None
    imap_user, imap_password = dovecot.new_user("dashboard") if dovecot else ("", "")
    # DASHBOARD_WEB_DIR serves a bundle built apart (node web/build.mjs DIR)
    # instead of the one compiled into the binary: for front-end work.
    web_dir = os.environ.get("DASHBOARD_WEB_DIR")
    workdir = tmp_path_factory.mktemp("dashboard")
    srv = Server(workdir, args=["--web-dir", web_dir] if web_dir else [])
    tracked = TrackedMailFile(peer, os.path.join(str(workdir), "tracked-mail.json")).start()
    desk = InboxDesk(peer, dovecot, imap_user, os.path.join(str(workdir), "inbox-requests.json"),
                     os.path.join(str(workdir), "inbox-mail.json")).start() if dovecot else None
    try:
        # The chart needs SPEC §10's analytics endpoint (a server without it
        # has no such route in its OpenAPI document), the inbox section SPEC
        # §12's inbox; a server without one skips that section.
        paths = srv.get("/v1/openapi.json").json().get("paths", {})
        has_analytics = "/v1/campaigns/{id}/analytics" in paths
        has_inbox = srv.get("/v1/inbox/summary").status_code == 200
        env = dict(os.environ, LEADTERRA_URL=srv.base_url, LEADTERRA_KEY=srv.key,
                   DASHBOARD_ANALYTICS="1" if has_analytics else "0",
                   DASHBOARD_INBOX="1" if has_inbox and dovecot else "0",
                   SMTP_PORT=str(peer.port), SMTP_USER=USER, SMTP_PASSWORD=PASSWORD,
                   TRACKED_MAIL_FILE=tracked.path, CHROMIUM=CHROMIUM)
        if desk:
            env.update(IMAP_PORT=str(dovecot.port), IMAP_USER=imap_user, IMAP_PASSWORD=imap_password,
                       INBOX_REQUESTS_FILE=desk.requests_path, INBOX_MAIL_FILE=desk.mail_path)
        proc = subprocess.run(["node", os.path.join(NODE_DIR, "dashboard", "run.mjs")],
                              capture_output=True, text=True, timeout=SCRIPT_TIMEOUT,
                              cwd=NODE_DIR, env=env)
        lines = proc.stdout.splitlines()
        result_lines = [l for l in lines if l.startswith("RESULT ")]
        results = json.loads(result_lines[-1][len("RESULT "):]) if result_lines else {}
        output = "exit %s\n--- stdout\n%s\n--- stderr\n%s\n--- server stderr (tail)\n%s" % (
            proc.returncode, proc.stdout[-12000:], proc.stderr[-4000:], srv.stderr_text()[-3000:])
        if desk and desk.error:
            output += "\n--- inbox desk error\n%s" % desk.error
        yield {"rc": proc.returncode, "has_analytics": has_analytics, "has_inbox": has_inbox,
               "dovecot": bool(dovecot), "results": results, "output": output,
               "delivered": sum(len(m["to"]) for m in peer.snapshot())}
    finally:
        tracked.stop()
        if desk:
            desk.stop()
        rc = srv.stop()
        peer.stop()
        if dovecot:
            dovecot.stop()
    assert rc == 0, "server exit status %r" % rc


def section(run, name):
    r = run["results"].get(name)
    assert r is not None, "section %s did not run\n%s" % (name, run["output"])
    if r["status"] == "skip" and r.get("detail") == "not selected":
        pytest.skip("section %s is not in DASHBOARD_SECTIONS" % name)
    assert r["status"] == "ok", "section %s: %s\n\n%s" % (name, r.get("detail"), run["output"])
    return r


def test_sign_in_redirects_back_and_keeps_no_key(run):
    section(run, "signin")


def test_cookie_write_without_csrf_header_is_refused(run):
    section(run, "csrf")


def test_editor_builds_two_steps_with_live_preview_and_field_errors(run):
    section(run, "editor")


def test_csv_import_of_1000_rows_reports_the_malformed_row(run):
    section(run, "import")


def test_big_import_cancelled_after_a_whole_batch(run):
    section(run, "import-cancel")


def test_mailbox_added_and_verified_against_the_smtp_peer(run):
    section(run, "mailbox")


def test_start_and_watch_999_delivered_without_reload(run):
    section(run, "deliver")
    assert run["delivered"] >= 999, run["delivered"]


def test_overview_home_shows_totals_and_mailbox_health(run):
    section(run, "overview")


def test_activity_chart_and_step_table_from_analytics(run):
    if not run["has_analytics"]:
        pytest.skip("this server has no GET /v1/campaigns/{id}/analytics yet")
    section(run, "analytics")


def test_lead_data_and_campaign_name_render_as_text(run):
    section(run, "xss")


def test_pause(run):
    section(run, "pause")


def test_ab_variants_edited_previewed_and_winner_chosen(run):
    section(run, "variants")


def test_tracking_toggled_in_the_editor_and_counted_on_the_campaign_page(run):
    section(run, "tracking")


def test_inbox_reply_labelled_by_keyboard_and_answered_then_leads_pages(run):
    if not run["dovecot"]:
        pytest.fail("dovecot is not installed (Debian package dovecot-imapd)", pytrace=False)
    if not run["has_inbox"]:
        pytest.skip("this server has no GET /v1/inbox yet")
    section(run, "inbox")


def test_filters_survive_reload_and_back(run):
    section(run, "urls")


def test_settings_pages(run):
    section(run, "settings")


def test_narrow_screen(run):
    section(run, "mobile")


def test_keyboard_only_sign_in_create_and_start(run):
    section(run, "keyboard")


def test_no_serious_accessibility_violations(run):
    section(run, "axe")


def test_sign_out_invalidates_the_cookie(run):
    section(run, "signout")

