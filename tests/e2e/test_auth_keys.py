"""Authentication, API keys (HTTP and CLI), workspaces (CLI), isolation."""

import pytest

from conftest import (KEY_ID_RE, SECRET_RE, TS_RE, WS_ID_RE, assert_error, step)


def assert_auth_failed(r):
    assert_error(r, 401, "authentication_failed", check_param=False)
    assert r.headers.get("WWW-Authenticate", "").lower().startswith("bearer"), dict(r.headers)


# --------------------------------------------------------------------------
# Bootstrap output
# --------------------------------------------------------------------------

def test_bootstrap_printed_workspace_and_key(server):
    assert WS_ID_RE.match(server.workspace_id)
    assert SECRET_RE.match(server.key)
    assert server.stdout_lines[0].startswith("Leadterra listening on http://127.0.0.1:")
    r = server.get("/v1/campaigns")
    assert r.status_code == 200, r.text


def test_bootstrap_not_repeated_on_existing_database(make_server, tmp_path):
    first = make_server(subdir="a")
    assert first.stop() == 0
    again = make_server(subdir="b", db_path=first.db_path, expect_bootstrap=False)
    # Only the listening line: no new workspace, no key shown again.
    assert not any("Created workspace" in l or "sk_live_" in l for l in again.stdout_lines)
    again.key = first.key
    assert again.get("/v1/campaigns").status_code == 200


# --------------------------------------------------------------------------
# 401 authentication_failed
# --------------------------------------------------------------------------

@pytest.mark.parametrize("header", [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Token {key}",
    "{key}",
    "Bearer sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "Bearer sk_live_",
    "Bearer {key}x",
    "Bearer {key} extra",
    "Bearer sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
])
def test_bad_authorization_401(server, header):
    headers = {}
    if header is not None:
        headers["Authorization"] = header.replace("{key}", server.key)
    for method, path in [("GET", "/v1/campaigns"), ("POST", "/v1/campaigns"),
                         ("GET", "/v1/api-keys")]:
        kw = {"key": None, "headers": headers}
        if method == "POST":
            kw["json_body"] = {"name": "x"}
        r = server.request(method, path, **kw)
        assert_auth_failed(r)


def test_unauthenticated_request_does_not_create(server):
    before = len(server.get("/v1/campaigns", params={"limit": 1000}).json()["data"])
    r = server.post("/v1/campaigns", {"name": "sneaky"}, key=None)
    assert_auth_failed(r)
    after = len(server.get("/v1/campaigns", params={"limit": 1000}).json()["data"])
    assert after == before


def test_auth_on_every_campaign_route(server):
    cid = server.create_campaign("auth", [step()])["id"]
    for method, path in [("GET", "/v1/campaigns/" + cid), ("PATCH", "/v1/campaigns/" + cid),
                         ("DELETE", "/v1/campaigns/" + cid), ("POST", "/v1/campaigns/%s/start" % cid),
                         ("POST", "/v1/campaigns/%s/pause" % cid), ("DELETE", "/v1/api-keys/key_x")]:
        kw = {"key": "sk_live_bogusbogusbogusbogusbogusbogus"}
        if method == "PATCH":
            kw["json_body"] = {"name": "y"}
        assert_auth_failed(server.request(method, path, **kw))
    # nothing changed
    c = server.get("/v1/campaigns/" + cid).json()["data"]
    assert c["name"] == "auth" and c["status"] == "draft"


# --------------------------------------------------------------------------
# API keys over HTTP
# --------------------------------------------------------------------------

def test_create_api_key(server):
    r = server.post("/v1/api-keys", {"name": "ci"})
    assert r.status_code == 201, r.text
    k = r.json()["data"]
    assert set(k.keys()) >= {"id", "name", "prefix", "createdAt", "revokedAt", "secret"}
    assert KEY_ID_RE.match(k["id"]), k
    assert k["name"] == "ci"
    assert SECRET_RE.match(k["secret"]), k
    assert isinstance(k["prefix"], str) and k["prefix"]
    assert k["secret"].startswith(k["prefix"]), k
    assert len(k["prefix"]) < len(k["secret"])
    assert TS_RE.match(k["createdAt"]), k
    assert k["revokedAt"] is None
    # The new key works.
    r = server.get("/v1/campaigns", key=k["secret"])
    assert r.status_code == 200, r.text


def test_create_api_key_without_name(server):
    r = server.post("/v1/api-keys", {})
    assert r.status_code == 201, r.text
    assert SECRET_RE.match(r.json()["data"]["secret"])


def test_api_key_secrets_unique(server):
    secrets = {server.post("/v1/api-keys", {"name": "u%d" % i}).json()["data"]["secret"]
               for i in range(5)}
    assert len(secrets) == 5


@pytest.mark.parametrize("body,param", [
    ({"name": 5}, "name"),
    ({"name": ["a"]}, "name"),
    ({"nmae": "typo"}, "nmae"),
])
def test_create_api_key_bad_body(server, body, param):
    assert_error(server.post("/v1/api-keys", body), 400, "invalid_request", param)


def test_create_api_key_non_object_body(server):
    r = server.request("POST", "/v1/api-keys", data=b"[]", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_request", check_param=False)
    r = server.request("POST", "/v1/api-keys", data=b"{", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_request", check_param=False)
    r = server.request("POST", "/v1/api-keys", data=b"{}", headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type", check_param=False)


def test_list_api_keys_hides_secret(server):
    created = server.post("/v1/api-keys", {"name": "listed"}).json()["data"]
    r = server.get("/v1/api-keys")
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["data"], list)
    assert "nextCursor" in body
    assert created["secret"] not in r.text
    for k in body["data"]:
        assert "secret" not in k, k
        assert KEY_ID_RE.match(k["id"])
        assert TS_RE.match(k["createdAt"])
    mine = [k for k in body["data"] if k["id"] == created["id"]]
    assert len(mine) == 1
    assert mine[0]["name"] == "listed"
    assert mine[0]["prefix"] == created["prefix"]
    assert mine[0]["revokedAt"] is None
    # Ascending creation order.
    stamps = [k["createdAt"] for k in body["data"]]
    assert stamps == sorted(stamps)


def test_revoke_api_key(server):
    k = server.post("/v1/api-keys", {"name": "doomed"}).json()["data"]
    assert server.get("/v1/campaigns", key=k["secret"]).status_code == 200
    r = server.delete("/v1/api-keys/" + k["id"])
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["id"] == k["id"]
    assert TS_RE.match(d["revokedAt"] or ""), d
    assert "secret" not in d
    assert_auth_failed(server.get("/v1/campaigns", key=k["secret"]))
    assert_auth_failed(server.post("/v1/campaigns", {"name": "x"}, key=k["secret"]))
    listed = [x for x in server.get("/v1/api-keys").json()["data"] if x["id"] == k["id"]]
    assert listed and listed[0]["revokedAt"] == d["revokedAt"]
    # The bootstrap key is unaffected.
    assert server.get("/v1/campaigns").status_code == 200


def test_revoke_unknown_key_404(server):
    assert_error(server.delete("/v1/api-keys/key_01m84zh0g22206c0z2qp7xq4gm"), 404, "not_found",
                 check_param=False)
    assert_error(server.delete("/v1/api-keys/not-a-key"), 404, "not_found", check_param=False)


def test_revoke_key_of_other_workspace_404(server, other_ws):
    _, other_secret = other_ws
    mine = server.post("/v1/api-keys", {"name": "mine"}).json()["data"]
    r = server.delete("/v1/api-keys/" + mine["id"], key=other_secret)
    assert_error(r, 404, "not_found", check_param=False)
    assert server.get("/v1/campaigns", key=mine["secret"]).status_code == 200
    # Other workspace's list does not show my keys.
    ids = [k["id"] for k in server.get("/v1/api-keys", key=other_secret).json()["data"]]
    assert mine["id"] not in ids
    assert len(ids) == 1


# --------------------------------------------------------------------------
# Workspaces and keys via the CLI, against the running server's database
# --------------------------------------------------------------------------

def test_cli_workspace_create_list(server):
    ws, secret = server.new_workspace("Acme")
    r = server.get("/v1/campaigns", key=secret)
    assert r.status_code == 200
    assert r.json() == {"data": [], "nextCursor": None}
    res = server.cli("workspace", "list")
    assert res.returncode == 0, res
    assert ws in res.stdout
    assert server.workspace_id in res.stdout
    assert secret not in res.stdout


def test_cli_key_create_list_revoke(server):
    ws, first = server.new_workspace("KeyCo")
    res = server.cli("key", "create", "--workspace", ws, "--name", "robot")
    assert res.returncode == 0, res
    assert len(res.lines) == 2, res
    key_id, secret = res.lines[0].strip(), res.lines[1].strip()
    assert KEY_ID_RE.match(key_id), res
    assert SECRET_RE.match(secret), res
    assert server.get("/v1/campaigns", key=secret).status_code == 200

    res = server.cli("key", "list", "--workspace", ws)
    assert res.returncode == 0, res
    assert key_id in res.stdout
    assert secret not in res.stdout

    # The HTTP list agrees with the CLI.
    ids = [k["id"] for k in server.get("/v1/api-keys", key=first).json()["data"]]
    assert key_id in ids and len(ids) == 2

    res = server.cli("key", "revoke", "--workspace", ws, key_id)
    assert res.returncode == 0, res
    assert_auth_failed(server.get("/v1/campaigns", key=secret))
    assert server.get("/v1/campaigns", key=first).status_code == 200


def test_cli_errors_exit_nonzero(server):
    bad = [
        ("key", "create", "--workspace", "ws_01m84zh0g22206c0z2qp7xq4gm"),
        ("key", "revoke", "--workspace", server.workspace_id, "key_01m84zh0g22206c0z2qp7xq4gm"),
        ("workspace", "delete", "ws_01m84zh0g22206c0z2qp7xq4gm"),
        ("workspace", "create"),
        ("workspace", "bogus"),
    ]
    for args in bad:
        res = server.cli(*args)
        assert res.returncode != 0, (args, res)
        assert res.stderr.strip(), (args, res)


def test_cli_key_revoke_wrong_workspace_refused(server):
    ws_a, _ = server.new_workspace("A")
    ws_b, _ = server.new_workspace("B")
    res = server.cli("key", "create", "--workspace", ws_a)
    key_id, secret = res.lines[0].strip(), res.lines[1].strip()
    res = server.cli("key", "revoke", "--workspace", ws_b, key_id)
    assert res.returncode != 0, res
    assert server.get("/v1/campaigns", key=secret).status_code == 200


def test_deleted_workspace_404(server):
    ws, secret = server.new_workspace("Gone")
    cid = server.create_campaign("orphan", [step()], key=secret)["id"]
    res = server.cli("workspace", "delete", ws)
    assert res.returncode == 0, res
    for method, path in [("GET", "/v1/campaigns"), ("GET", "/v1/campaigns/" + cid),
                         ("POST", "/v1/campaigns/%s/start" % cid), ("GET", "/v1/api-keys")]:
        r = server.request(method, path, key=secret)
        assert_error(r, 404, "workspace_not_found", check_param=False)
    r = server.post("/v1/campaigns", {"name": "x"}, key=secret)
    assert_error(r, 404, "workspace_not_found", check_param=False)
    res = server.cli("workspace", "list")
    assert res.returncode == 0, res
    for line in res.stdout.splitlines():
        if ws in line:  # may still be listed, but marked deleted
            assert "deleted" in line, line
    # Other workspaces untouched.
    assert server.get("/v1/campaigns").status_code == 200


# --------------------------------------------------------------------------
# Cross-workspace isolation
# --------------------------------------------------------------------------

def test_cross_workspace_campaigns_404(server, other_ws):
    _, other = other_ws
    c = server.create_campaign("private", [step()])
    cid = c["id"]
    path = "/v1/campaigns/" + cid
    assert_error(server.get(path, key=other), 404, "not_found", check_param=False)
    assert_error(server.patch(path, {"name": "hijacked"}, key=other), 404, "not_found",
                 check_param=False)
    assert_error(server.patch(path, {"sequenceSteps": []}, key=other), 404, "not_found",
                 check_param=False)
    assert_error(server.post(path + "/start", key=other), 404, "not_found", check_param=False)
    assert_error(server.post(path + "/pause", key=other), 404, "not_found", check_param=False)
    assert_error(server.delete(path, key=other), 404, "not_found", check_param=False)
    # Same answer as a truly unknown id: existence is not leaked.
    unknown = server.get("/v1/campaigns/camp_01m84zh0g22206c0z2qp7xq4gm", key=other)
    assert_error(unknown, 404, "not_found", check_param=False)
    # Owner still sees it unchanged.
    now = server.get(path).json()["data"]
    assert now == c
    # Not listed for the other workspace.
    ids = [x["id"] for x in server.get("/v1/campaigns", key=other,
                                       params={"limit": 1000}).json()["data"]]
    assert cid not in ids


def test_cross_workspace_running_campaign(server, other_ws):
    _, other = other_ws
    cid = server.create_campaign("running", [step()])["id"]
    assert server.post("/v1/campaigns/%s/start" % cid).status_code == 200
    # Must be 404 (not 409 invalid_state, which would leak existence).
    assert_error(server.delete("/v1/campaigns/" + cid, key=other), 404, "not_found",
                 check_param=False)
    assert_error(server.post("/v1/campaigns/%s/pause" % cid, key=other), 404, "not_found",
                 check_param=False)
    assert server.get("/v1/campaigns/" + cid).json()["data"]["status"] == "running"
    # Cursor minted for one workspace does not reveal another's data.
    for i in range(3):
        server.create_campaign("page%d" % i)
    page = server.get("/v1/campaigns", params={"limit": 1}).json()
    assert page["nextCursor"]
    r = server.get("/v1/campaigns", key=other, params={"cursor": page["nextCursor"]})
    if r.status_code == 200:
        assert r.json()["data"] == []
    else:
        assert_error(r, 400, "invalid_request", "cursor")
