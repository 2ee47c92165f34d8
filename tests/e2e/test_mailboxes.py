"""Mailboxes API: create/list/get/patch/delete, validation, verify, secrets at rest."""

import os
import re
import stat
import subprocess
import uuid

import pytest

from conftest import PG_URL, TS_RE, assert_error, pg_schema_for
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from smtp_peer import PASSWORD, USER, SmtpPeer, _Handler, free_port

MBX_ID_RE = re.compile(r"^mbx_[0-9a-hjkmnp-tv-z]{26}$")
MAILBOX_KEYS = {"id", "email", "fromName", "smtp", "imap", "dailyLimit", "status", "lastError",
                "verifiedAt", "createdAt", "updatedAt"}
SERVER_KEYS = {"host", "port", "username", "security", "hasPassword"}


def _answering_authenticator(server, session, envelope, mechanism, auth_data):
    # smtp_peer's authenticator returns AuthResult(success=False) with aiosmtpd's
    # default handled=True, so a failed AUTH gets no reply at all and the
    # client hangs until its timeout. handled=False makes aiosmtpd answer 535.
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)


class AnsweringPeer(SmtpPeer):
    """SmtpPeer whose failed AUTH is answered with 535 instead of silence."""

    def __init__(self):
        super().__init__()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     authenticator=_answering_authenticator,
                                     auth_require_tls=False, decode_data=False)


@pytest.fixture(scope="module")
def peer():
    p = AnsweringPeer().start()
    yield p
    p.stop()


def body(**over):
    """A valid create body (no live server behind it)."""
    b = {"email": "sales@sender.test", "fromName": "Sam Sender",
         "smtp": {"host": "smtp.sender.test", "port": 587, "username": "sales@sender.test",
                  "password": "pw-unused-1", "security": "starttls"},
         "dailyLimit": 40}
    b.update(over)
    return b


def create(server, b, key="default", **kw):
    r = server.post("/v1/mailboxes", b, key=key, **kw)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()["data"]


def check_mailbox(m):
    assert set(m.keys()) >= MAILBOX_KEYS, m
    assert MBX_ID_RE.match(m["id"]), m["id"]
    assert set(m["smtp"].keys()) >= SERVER_KEYS, m["smtp"]
    assert "password" not in m["smtp"], m
    assert isinstance(m["smtp"]["port"], int) and 1 <= m["smtp"]["port"] <= 65535, m
    assert m["smtp"]["security"] in ("starttls", "tls", "none"), m
    assert isinstance(m["smtp"]["hasPassword"], bool), m
    if m["imap"] is not None:
        assert set(m["imap"].keys()) >= SERVER_KEYS | {"pollIntervalSeconds"}, m["imap"]
        assert "password" not in m["imap"], m
        assert isinstance(m["imap"]["pollIntervalSeconds"], int), m
    assert isinstance(m["dailyLimit"], int) and m["dailyLimit"] >= 1, m
    assert m["status"] in ("active", "paused"), m
    assert m["lastError"] is None or isinstance(m["lastError"], str), m
    assert m["verifiedAt"] is None or TS_RE.match(m["verifiedAt"]), m
    assert TS_RE.match(m["createdAt"]) and TS_RE.match(m["updatedAt"]), m
    assert m["updatedAt"] >= m["createdAt"], m


def assert_no_secret(resp, *secrets):
    for s in secrets:
        assert s not in resp.text, "secret %r leaked in %s %s: %s" % (
            s, resp.request.method, resp.request.url, resp.text)


# --------------------------------------------------------------------------
# Create, defaults, shape
# --------------------------------------------------------------------------

def test_create_shape_and_password_never_returned(server):
    pw = "Create-Secret-%s" % uuid.uuid4().hex
    b = body(smtp={"host": "smtp.sender.test", "port": 2525, "username": "u1",
                   "password": pw, "security": "starttls"},
             imap={"host": "imap.sender.test", "port": 993, "username": "u1", "password": pw + "-imap",
                   "security": "tls", "pollIntervalSeconds": 120})
    r = server.post("/v1/mailboxes", b)
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert set(r.json().keys()) == {"data"}
    assert_no_secret(r, pw)
    m = r.json()["data"]
    check_mailbox(m)
    assert m["email"] == "sales@sender.test"
    assert m["fromName"] == "Sam Sender"
    assert m["smtp"] == {**m["smtp"], "host": "smtp.sender.test", "port": 2525, "username": "u1",
                         "security": "starttls", "hasPassword": True}
    assert m["imap"]["host"] == "imap.sender.test" and m["imap"]["port"] == 993
    assert m["imap"]["security"] == "tls" and m["imap"]["hasPassword"] is True
    assert m["imap"]["pollIntervalSeconds"] == 120
    assert m["dailyLimit"] == 40
    assert m["status"] == "active"
    assert m["lastError"] is None and m["verifiedAt"] is None

    for resp in (server.get("/v1/mailboxes/" + m["id"]),
                 server.get("/v1/mailboxes", params={"limit": 1000}),
                 server.patch("/v1/mailboxes/" + m["id"], {"fromName": "Sam S."})):
        assert resp.status_code == 200, resp.text
        assert_no_secret(resp, pw)


def test_create_without_imap_has_null_imap(server):
    m = create(server, body())
    check_mailbox(m)
    assert m["imap"] is None
    assert m["smtp"]["hasPassword"] is True


def test_create_imap_default_poll_interval(server):
    m = create(server, body(imap={"host": "imap.sender.test", "password": "x"}))
    check_mailbox(m)
    assert m["imap"]["pollIntervalSeconds"] == 60, m
    assert m["imap"]["hasPassword"] is True


@pytest.mark.parametrize("security,port", [("starttls", 587), ("tls", 465), ("none", 25),
                                           (None, 587)])
def test_default_port_by_security(server, security, port):
    smtp = {"host": "smtp.sender.test", "username": "u", "password": "p"}
    if security is not None:
        smtp["security"] = security
    m = create(server, {"email": "d@sender.test", "smtp": smtp})
    assert m["smtp"]["port"] == port, m
    assert m["smtp"]["security"] == (security or "starttls"), m
    assert m["dailyLimit"] == 50, m
    assert m["status"] == "active", m
    assert m["imap"] is None, m


def test_create_without_password_has_password_false(server):
    m = create(server, {"email": "nopw@sender.test",
                        "smtp": {"host": "127.0.0.1", "port": 25, "security": "none"}})
    assert m["smtp"]["hasPassword"] is False, m


def test_create_paused(server):
    m = create(server, body(status="paused"))
    assert m["status"] == "paused", m


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

def _without(d, key):
    d = dict(d)
    d.pop(key)
    return d


def _smtp(**over):
    s = {"host": "smtp.sender.test", "port": 587, "username": "u", "password": "p",
         "security": "starttls"}
    for k, v in over.items():
        if v is _DROP:
            s.pop(k)
        else:
            s[k] = v
    return s


_DROP = object()

INVALID = [
    ("email missing", _without(body(), "email"), "email"),
    ("email malformed", body(email="not-an-email"), "email"),
    ("email wrong type", body(email=42), "email"),
    ("smtp missing", _without(body(), "smtp"), "smtp"),
    ("smtp not object", body(smtp="smtp.sender.test"), "smtp"),
    ("smtp.host missing", body(smtp=_smtp(host=_DROP)), "smtp.host"),
    ("smtp.host empty", body(smtp=_smtp(host="")), "smtp.host"),
    ("smtp.port 0", body(smtp=_smtp(port=0)), "smtp.port"),
    ("smtp.port 70000", body(smtp=_smtp(port=70000)), "smtp.port"),
    ("smtp.port string", body(smtp=_smtp(port="x")), "smtp.port"),
    ("smtp.security ssl", body(smtp=_smtp(security="ssl")), "smtp.security"),
    ("smtp unknown field", body(smtp=_smtp(bogus=1)), "smtp.bogus"),
    ("dailyLimit 0", body(dailyLimit=0), "dailyLimit"),
    ("dailyLimit string", body(dailyLimit="5"), "dailyLimit"),
    ("imap poll 0", body(imap={"host": "imap.sender.test", "pollIntervalSeconds": 0}),
     "imap.pollIntervalSeconds"),
    ("imap port 0", body(imap={"host": "imap.sender.test", "port": 0}), "imap.port"),
    ("imap.host missing", body(imap={"port": 993}), "imap.host"),
    ("unknown field", body(bogus=True), "bogus"),
    ("fromName newline", body(fromName="Sam\nBcc: victim@x.test"), "fromName"),
    ("fromName CR", body(fromName="Sam\rSender"), "fromName"),
    ("status bad", body(status="deleted"), "status"),
]


@pytest.mark.parametrize("name,b,param", INVALID, ids=[c[0] for c in INVALID])
def test_create_validation(server, name, b, param):
    before = server.get("/v1/mailboxes", params={"limit": 1000}).json()["data"]
    r = server.post("/v1/mailboxes", b)
    assert_error(r, 400, "invalid_request", param)
    after = server.get("/v1/mailboxes", params={"limit": 1000}).json()["data"]
    assert len(after) == len(before), "a rejected create still stored a mailbox"


def test_create_body_not_object(server):
    r = server.post("/v1/mailboxes", ["x"])
    assert_error(r, 400, "invalid_request", check_param=False)
    r = server.request("POST", "/v1/mailboxes", data=b"{not json",
                       headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_request", check_param=False)


# --------------------------------------------------------------------------
# List / get
# --------------------------------------------------------------------------

def test_list_pagination_in_own_workspace(server):
    ws, secret = server.new_workspace("Mbx list %s" % uuid.uuid4().hex[:6])
    ids = [create(server, body(email="m%d@sender.test" % i), key=secret)["id"] for i in range(5)]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = server.get("/v1/mailboxes", params=params, key=secret)
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page.keys()) == {"data", "nextCursor"}, page
        assert len(page["data"]) <= 2, page
        for m in page["data"]:
            check_mailbox(m)
        seen += [m["id"] for m in page["data"]]
        cursor = page["nextCursor"]
        pages += 1
        assert pages <= 10, "pagination does not terminate"
        if cursor is None:
            break
    assert pages == 3, pages
    assert len(seen) == len(set(seen)) == 5, seen
    assert set(seen) == set(ids)

    r = server.get("/v1/mailboxes", params={"limit": 0}, key=secret)
    assert_error(r, 400, "invalid_request", "limit")
    r = server.get("/v1/mailboxes", params={"limit": 1001}, key=secret)
    assert_error(r, 400, "invalid_request", "limit")


def test_get_unknown_is_404(server):
    r = server.get("/v1/mailboxes/mbx_01hx4mrqpbcn7wh2gfk9yz6e3s")
    assert_error(r, 404, "not_found", check_param=False)


def test_get_returns_created(server):
    m = create(server, body(fromName="Getter"))
    r = server.get("/v1/mailboxes/" + m["id"])
    assert r.status_code == 200, r.text
    assert r.json()["data"] == m


# --------------------------------------------------------------------------
# Patch
# --------------------------------------------------------------------------

def test_patch_fields(server):
    m = create(server, body(imap={"host": "imap.sender.test", "password": "x"}))
    mid = m["id"]

    r = server.patch("/v1/mailboxes/" + mid, {"fromName": "New Name", "dailyLimit": 7})
    assert r.status_code == 200, r.text
    p = r.json()["data"]
    check_mailbox(p)
    assert p["fromName"] == "New Name" and p["dailyLimit"] == 7
    assert p["updatedAt"] >= m["updatedAt"]

    r = server.patch("/v1/mailboxes/" + mid, {"status": "paused"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "paused"

    # Partial smtp object merges: host, username, security and password are kept.
    r = server.patch("/v1/mailboxes/" + mid, {"smtp": {"port": 2525}})
    assert r.status_code == 200, r.text
    s = r.json()["data"]["smtp"]
    assert s["port"] == 2525
    assert s["host"] == m["smtp"]["host"] and s["username"] == m["smtp"]["username"], s
    assert s["security"] == m["smtp"]["security"] and s["hasPassword"] is True, s

    # "imap": null removes IMAP.
    r = server.patch("/v1/mailboxes/" + mid, {"imap": None})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["imap"] is None

    got = server.get("/v1/mailboxes/" + mid).json()["data"]
    assert got["fromName"] == "New Name" and got["dailyLimit"] == 7
    assert got["status"] == "paused" and got["smtp"]["port"] == 2525 and got["imap"] is None
    assert got["smtp"]["host"] == m["smtp"]["host"]


def test_patch_validation(server):
    m = create(server, body())
    mid = m["id"]
    cases = [
        ({"email": "other@sender.test"}, "email"),
        ({"smtp": {"port": 0}}, "smtp.port"),
        ({"smtp": {"security": "ssl"}}, "smtp.security"),
        ({"dailyLimit": 0}, "dailyLimit"),
        ({"fromName": "a\nb"}, "fromName"),
        ({"bogus": 1}, "bogus"),
        ({"imap": {"host": "imap.sender.test", "pollIntervalSeconds": 0}},
         "imap.pollIntervalSeconds"),
        ({"status": "gone"}, "status"),
    ]
    for b, param in cases:
        r = server.patch("/v1/mailboxes/" + mid, b)
        assert_error(r, 400, "invalid_request", param)
    # Nothing changed.
    assert server.get("/v1/mailboxes/" + mid).json()["data"] == m


def test_patch_unknown_is_404(server):
    r = server.patch("/v1/mailboxes/mbx_01hx4mrqpbcn7wh2gfk9yz6e3s", {"fromName": "x"})
    assert_error(r, 404, "not_found", check_param=False)


# --------------------------------------------------------------------------
# Delete, tenancy
# --------------------------------------------------------------------------

def test_delete_then_404(server):
    m = create(server, body())
    mid = m["id"]
    r = server.delete("/v1/mailboxes/" + mid)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["id"] == mid
    assert_error(server.get("/v1/mailboxes/" + mid), 404, "not_found", check_param=False)
    assert_error(server.patch("/v1/mailboxes/" + mid, {"fromName": "x"}), 404, "not_found",
                 check_param=False)
    assert_error(server.delete("/v1/mailboxes/" + mid), 404, "not_found", check_param=False)
    assert_error(server.post("/v1/mailboxes/%s/verify" % mid), 404, "not_found",
                 check_param=False)
    listed = server.get("/v1/mailboxes", params={"limit": 1000}).json()["data"]
    assert mid not in [x["id"] for x in listed]


def test_cross_workspace_is_404(server, other_ws):
    _, secret = other_ws
    m = create(server, body(fromName="Mine"))
    mid = m["id"]
    assert_error(server.get("/v1/mailboxes/" + mid, key=secret), 404, "not_found",
                 check_param=False)
    assert_error(server.patch("/v1/mailboxes/" + mid, {"fromName": "Theirs"}, key=secret), 404,
                 "not_found", check_param=False)
    assert_error(server.post("/v1/mailboxes/%s/verify" % mid, key=secret), 404, "not_found",
                 check_param=False)
    assert_error(server.delete("/v1/mailboxes/" + mid, key=secret), 404, "not_found",
                 check_param=False)
    listed = server.get("/v1/mailboxes", params={"limit": 1000}, key=secret).json()["data"]
    assert mid not in [x["id"] for x in listed]
    # Untouched for its owner.
    assert server.get("/v1/mailboxes/" + mid).json()["data"] == m


def test_requires_auth(server):
    r = server.get("/v1/mailboxes", key=None)
    assert_error(r, 401, "authentication_failed", check_param=False)
    r = server.post("/v1/mailboxes", body(), key=None)
    assert_error(r, 401, "authentication_failed", check_param=False)


# --------------------------------------------------------------------------
# Verify (real SMTP)
# --------------------------------------------------------------------------

def test_verify_against_peer_then_wrong_password(server, peer):
    m = create(server, peer.mailbox_body())
    mid = m["id"]
    assert m["smtp"]["username"] == USER

    r = server.post("/v1/mailboxes/%s/verify" % mid)
    assert r.status_code == 200, r.text
    assert_no_secret(r, PASSWORD)
    d = r.json()["data"]
    assert d["ok"] is True, d
    assert d["smtp"]["ok"] is True and d["smtp"]["code"] == 250, d
    assert d["imap"] is None, d
    check_mailbox(d["mailbox"])
    assert d["mailbox"]["id"] == mid
    assert TS_RE.match(d["mailbox"]["verifiedAt"] or ""), d
    assert d["mailbox"]["lastError"] is None, d
    got = server.get("/v1/mailboxes/" + mid).json()["data"]
    assert got["verifiedAt"] == d["mailbox"]["verifiedAt"] and got["lastError"] is None, got

    # Wrong password: authentication really happens.
    r = server.patch("/v1/mailboxes/" + mid, {"smtp": {"password": "definitely-wrong"}})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["smtp"]["hasPassword"] is True
    r = server.post("/v1/mailboxes/%s/verify" % mid)
    assert r.status_code == 200, r.text
    assert_no_secret(r, "definitely-wrong")
    d = r.json()["data"]
    assert d["ok"] is False, d
    assert d["smtp"]["ok"] is False, d
    assert 500 <= d["smtp"]["code"] <= 599, d
    assert isinstance(d["mailbox"]["lastError"], str) and d["mailbox"]["lastError"], d
    got = server.get("/v1/mailboxes/" + mid).json()["data"]
    assert got["lastError"] == d["mailbox"]["lastError"], got

    # Fixing the password clears lastError on the next verify.
    r = server.patch("/v1/mailboxes/" + mid, {"smtp": {"password": PASSWORD}})
    assert r.status_code == 200, r.text
    d = server.post("/v1/mailboxes/%s/verify" % mid).json()["data"]
    assert d["ok"] is True and d["mailbox"]["lastError"] is None, d


def test_verify_closed_port(server):
    port = free_port()  # nothing listens there
    m = create(server, {"email": "closed@sender.test", "fromName": "Closed",
                        "smtp": {"host": "127.0.0.1", "port": port, "username": "u",
                                 "password": "p", "security": "none"}})
    r = server.post("/v1/mailboxes/%s/verify" % m["id"])
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["ok"] is False, d
    assert d["smtp"]["ok"] is False and d["smtp"]["code"] == 0, d
    assert isinstance(d["smtp"]["message"], str) and d["smtp"]["message"], d
    assert d["mailbox"]["verifiedAt"] is None, d
    assert isinstance(d["mailbox"]["lastError"], str) and d["mailbox"]["lastError"], d


# --------------------------------------------------------------------------
# Secrets at rest
# --------------------------------------------------------------------------

def _db_bytes(db_path):
    if PG_URL:
        return subprocess.run(["pg_dump", "--schema=" + pg_schema_for(db_path), PG_URL],
                              check=True, capture_output=True).stdout
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = db_path + suffix
        if os.path.exists(p):
            with open(p, "rb") as f:
                out += f.read()
    return out


def test_passwords_encrypted_at_rest(make_server, peer):
    srv = make_server("--rate-limit", "0")
    smtp_pw = "AtRest-SMTP-%s" % uuid.uuid4().hex
    imap_pw = "AtRest-IMAP-%s" % uuid.uuid4().hex
    b = {"email": "rest@sender.test", "fromName": "Rest",
         "smtp": {"host": "127.0.0.1", "port": 2525, "username": "u", "password": smtp_pw,
                  "security": "none"},
         "imap": {"host": "127.0.0.1", "username": "u", "password": imap_pw}}
    r = srv.post("/v1/mailboxes", b, headers={"Idempotency-Key": "rest-" + uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    assert_no_secret(r, smtp_pw, imap_pw)
    mid = r.json()["data"]["id"]
    # A password change is sealed too.
    new_pw = "AtRest-NEW-%s" % uuid.uuid4().hex
    r = srv.patch("/v1/mailboxes/" + mid, {"smtp": {"password": new_pw}})
    assert r.status_code == 200, r.text

    raw = _db_bytes(srv.db_path)
    assert len(raw) > 0
    assert b"rest@sender.test" in raw, "sanity: mailbox row not found in the database files"
    for pw in (smtp_pw, imap_pw, new_pw):
        assert pw.encode() not in raw, "password %r stored in clear in %s" % (pw, srv.db_path)
    for pw in (smtp_pw, imap_pw, new_pw):
        assert pw not in srv.stderr_text(), "password %r written to the log" % pw

    key_path = srv.db_path + ".key"
    if not PG_URL:  # PostgreSQL nodes take the key from LEADTERRA_MASTER_KEY
        assert os.path.isfile(key_path), "no key file beside the database"
        mode = stat.S_IMODE(os.stat(key_path).st_mode)
        assert mode == 0o600, "key file mode is %o, want 600" % mode

    # The key persists: after a restart the sealed password still opens
    # (verify authenticates against the real peer).
    mbx = srv.post("/v1/mailboxes", peer.mailbox_body(email_address="restart@sender.test"))
    assert mbx.status_code == 201, mbx.text
    mbx_id = mbx.json()["data"]["id"]
    key = srv.key
    assert srv.stop() == 0
    srv2 = make_server("--rate-limit", "0", db_path=srv.db_path, expect_bootstrap=False)
    srv2.key = key
    r = srv2.post("/v1/mailboxes/%s/verify" % mbx_id)
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["ok"] is True and d["smtp"]["code"] == 250, d
    if not PG_URL:
        assert mode == stat.S_IMODE(os.stat(key_path).st_mode)
