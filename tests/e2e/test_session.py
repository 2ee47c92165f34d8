"""Dashboard sessions (SPEC §14): cookie sign-in, CSRF check, sign-out, and the
dashboard's files served with their security headers."""

import re
import sqlite3

import pytest
import requests

from conftest import assert_error

CSRF = {"X-Requested-With": "leadterra"}


def sign_in(server, key=None):
    s = requests.Session()
    r = s.post(server.url("/v1/session"), json={"apiKey": key or server.key}, timeout=10)
    assert r.status_code == 200, r.text
    return s, r


def test_sign_in_sets_a_strict_httponly_cookie_and_describes_the_workspace(server):
    s, r = sign_in(server)
    cookie = r.headers["Set-Cookie"]
    assert re.match(r"lt_session=[0-9A-Za-z]{43}; Path=/; HttpOnly; SameSite=Strict$", cookie), cookie
    assert r.headers.get("Cache-Control") == "no-store"
    data = r.json()["data"]
    assert data["workspaceId"] == server.workspace_id
    assert data["workspaceName"] == "Default"
    assert data["keyId"].startswith("key_")
    assert data["expiresAt"].endswith("Z")
    me = s.get(server.url("/v1/session"), timeout=10)
    assert me.status_code == 200 and me.json()["data"]["workspaceId"] == server.workspace_id
    assert s.get(server.url("/v1/campaigns"), timeout=10).status_code == 200


def test_only_a_hash_of_the_token_is_stored(server):
    if not server.database.startswith("sqlite:"):
        pytest.skip("reads the SQLite file")
    s, _ = sign_in(server)
    token = s.cookies["lt_session"]
    with sqlite3.connect(server.db_path) as db:
        rows = db.execute("SELECT token_hash FROM sessions").fetchall()
    assert rows and all(token not in h for (h,) in rows)
    with open(server.db_path, "rb") as f:
        assert token.encode() not in f.read()


def test_cookie_writes_need_the_csrf_header(server):
    s, _ = sign_in(server)
    r = s.post(server.url("/v1/campaigns"), json={"name": "No header"}, timeout=10)
    assert_error(r, 403, "csrf_check_failed", check_param=False)
    assert server.list_all("/v1/campaigns") == [] or all(
        c["name"] != "No header" for c in server.list_all("/v1/campaigns"))
    r = s.post(server.url("/v1/campaigns"), json={"name": "With header"}, headers=CSRF, timeout=10)
    assert r.status_code == 201, r.text
    camp = r.json()["data"]["id"]
    assert_error(s.delete(server.url("/v1/campaigns/" + camp), timeout=10), 403,
                 "csrf_check_failed", check_param=False)
    assert s.delete(server.url("/v1/campaigns/" + camp), headers=CSRF, timeout=10).status_code in (200, 204)
    # A Bearer key needs no such header, as before.
    assert server.post("/v1/campaigns", {"name": "Bearer"}).status_code == 201


def test_bad_keys_are_refused_with_the_param(server):
    r = requests.post(server.url("/v1/session"), json={"apiKey": "sk_live_" + "x" * 32}, timeout=10)
    assert_error(r, 401, "authentication_failed", param="apiKey")
    assert "Set-Cookie" not in r.headers
    assert_error(requests.post(server.url("/v1/session"), json={}, timeout=10), 400,
                 "invalid_request", param="apiKey")
    assert_error(requests.post(server.url("/v1/session"), json={"apiKey": 5}, timeout=10), 400,
                 "invalid_request", param="apiKey")
    assert_error(requests.post(server.url("/v1/session"), json={"apiKey": server.key, "x": 1},
                               timeout=10), 400, "invalid_request", param="x")
    forged = requests.get(server.url("/v1/campaigns"), cookies={"lt_session": "A" * 43}, timeout=10)
    assert_error(forged, 401, "authentication_failed", check_param=False)


def test_sign_out_ends_the_session_and_the_old_cookie_is_refused(server):
    s, _ = sign_in(server)
    token = s.cookies["lt_session"]
    assert_error(s.delete(server.url("/v1/session"), timeout=10), 403, "csrf_check_failed",
                 check_param=False)
    r = s.delete(server.url("/v1/session"), headers=CSRF, timeout=10)
    assert r.status_code == 200 and r.json() == {"data": {"signedOut": True}}
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    replay = requests.get(server.url("/v1/campaigns"), cookies={"lt_session": token}, timeout=10)
    assert_error(replay, 401, "authentication_failed", check_param=False)


def test_a_session_dies_with_its_key(server):
    created = server.post("/v1/api-keys", {"name": "dashboard"})
    assert created.status_code == 201, created.text
    key = created.json()["data"]
    s, _ = sign_in(server, key["secret"])
    assert s.get(server.url("/v1/campaigns"), timeout=10).status_code == 200
    assert server.delete("/v1/api-keys/" + key["id"]).status_code == 200
    assert_error(s.get(server.url("/v1/campaigns"), timeout=10), 401, "authentication_failed",
                 check_param=False)


def test_sessions_are_scoped_to_their_workspace(server):
    other_ws, other_key = server.new_workspace("Other sessions")
    mine = server.create_campaign("Mine")["id"]
    s, r = sign_in(server, other_key)
    assert r.json()["data"]["workspaceId"] == other_ws
    assert_error(s.get(server.url("/v1/campaigns/" + mine), timeout=10), 404, "not_found",
                 check_param=False)


def test_secure_cookie_behind_https(make_server):
    srv = make_server("--public-url", "https://leads.example.test")
    _, r = sign_in(srv)
    assert r.headers["Set-Cookie"].endswith("; Secure")


# --------------------------------------------------------------------------
# The dashboard's files
# --------------------------------------------------------------------------

CSP_RE = re.compile(r"default-src 'self'; script-src 'self'; style-src 'self'")


def test_pages_answer_index_html_with_a_strict_csp(server):
    for path in ("/", "/campaigns", "/campaigns/camp_01hx4mrqpbcn7wh2gfk9yz6e3s/edit",
                 "/settings/api-keys?x=1"):
        r = requests.get(server.url(path), timeout=10)
        assert r.status_code == 200, (path, r.status_code)
        assert r.headers["Content-Type"].startswith("text/html"), path
        assert CSP_RE.match(r.headers["Content-Security-Policy"]), r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Cache-Control"] == "no-cache"
        assert "<script" in r.text and "<script>" not in r.text  # no inline script
    # The API keeps its JSON errors.
    assert_error(requests.get(server.url("/v1/nope"), timeout=10), 404, "not_found",
                 check_param=False)
    assert requests.post(server.url("/campaigns"), timeout=10).status_code == 404


def test_assets_are_immutable_and_precompressed(server):
    html = requests.get(server.url("/"), timeout=10).text
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets), html
    for asset in assets:
        plain = requests.get(server.url(asset), headers={"Accept-Encoding": "identity"}, timeout=10)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
        assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert CSP_RE.match(plain.headers["Content-Security-Policy"])
        for coding in ("gzip", "br"):
            r = requests.get(server.url(asset), headers={"Accept-Encoding": coding}, timeout=10,
                             stream=True)
            assert r.headers.get("Content-Encoding") == coding, (asset, r.headers)
            assert r.headers["Vary"] == "Accept-Encoding"
            assert int(r.headers["Content-Length"]) < len(plain.content)
            r.close()
    for bad in ("/assets/nope.js", "/assets/..%2f..%2fetc%2fpasswd", "/assets/.hidden"):
        assert requests.get(server.url(bad), timeout=10).status_code == 404, bad
