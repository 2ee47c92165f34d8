"""Service-level behaviour: health, OpenAPI, request ids, routing errors."""

import json
import re

import pytest

from conftest import assert_error, step


def test_healthz(server):
    r = server.get("/healthz", key=None)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"status": "ok"}
    assert r.headers.get("X-Request-Id")


def test_openapi_served_without_auth(server):
    r = server.get("/v1/openapi.json", key=None)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert str(doc["openapi"]).startswith("3.1"), doc.get("openapi")
    assert isinstance(doc.get("info"), dict) and doc["info"].get("title")
    paths = doc["paths"]
    assert "/v1/campaigns" in paths
    assert {"get", "post"} <= set(paths["/v1/campaigns"].keys())
    assert "/v1/api-keys" in paths
    assert {"get", "post"} <= set(paths["/v1/api-keys"].keys())

    def find(pattern):
        rx = re.compile(pattern)
        hits = [p for p in paths if rx.match(p)]
        assert hits, (pattern, sorted(paths))
        return paths[hits[0]]

    item = find(r"^/v1/campaigns/\{[A-Za-z_]+\}$")
    assert {"get", "patch", "delete"} <= set(item.keys())
    assert "post" in find(r"^/v1/campaigns/\{[A-Za-z_]+\}/start$")
    assert "post" in find(r"^/v1/campaigns/\{[A-Za-z_]+\}/pause$")
    assert "delete" in find(r"^/v1/api-keys/\{[A-Za-z_]+\}$")


def test_request_id_generated_unique(server):
    ids = set()
    for path, key in [("/healthz", None), ("/v1/campaigns", "default"), ("/v1/campaigns", None),
                      ("/v1/nope", "default")]:
        r = server.get(path, key=key)
        rid = r.headers.get("X-Request-Id")
        assert rid, (path, dict(r.headers))
        ids.add(rid)
    assert len(ids) == 4


def test_request_id_echoed(server):
    r = server.get("/v1/campaigns", headers={"X-Request-Id": "e2e-test-0001"})
    assert r.status_code == 200
    assert r.headers["X-Request-Id"] == "e2e-test-0001"
    # Echoed on errors too.
    r = server.get("/v1/campaigns", key=None, headers={"X-Request-Id": "e2e-test-0002"})
    assert r.status_code == 401
    assert r.headers["X-Request-Id"] == "e2e-test-0002"


def test_invalid_request_id_not_echoed(server):
    bad = "bad id with spaces\tand tab"
    r = server.get("/healthz", key=None, headers={"X-Request-Id": bad})
    assert r.status_code == 200
    rid = r.headers.get("X-Request-Id")
    assert rid and rid != bad


@pytest.mark.parametrize("path", ["/v1", "/v1/nope", "/v1/campaigns/x/y/z",
                                  "/v1/campaignsx"])
def test_unknown_path_404(server, path):
    r = server.get(path)
    assert_error(r, 404, "not_found", check_param=False)


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/v1/campaigns", {"GET", "POST"}),
    ("DELETE", "/v1/campaigns", {"GET", "POST"}),
    ("PUT", "/v1/campaigns/{id}", {"GET", "PATCH", "DELETE"}),
    ("POST", "/v1/campaigns/{id}", {"GET", "PATCH", "DELETE"}),
    ("GET", "/v1/campaigns/{id}/start", {"POST"}),
    ("DELETE", "/v1/campaigns/{id}/pause", {"POST"}),
    ("PATCH", "/v1/api-keys", {"GET", "POST"}),
    ("GET", "/v1/api-keys/{key}", {"DELETE"}),
    ("POST", "/healthz", {"GET"}),
])
def test_wrong_method_405(server, method, path, allowed):
    camp = server.create_campaign("m405")
    path = path.replace("{id}", camp["id"]).replace("{key}", "key_01m84zh0g22206c0z2qp7xq4gm")
    r = server.request(method, path)
    assert_error(r, 405, "method_not_allowed", check_param=False)
    allow = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow, r.headers.get("Allow")
    assert method not in allow


def test_error_bodies_never_leak_internals(server):
    # SQL-ish input in every place the user controls must not surface SQL text.
    probes = [
        server.get("/v1/campaigns/camp_'%20OR%201=1--"),
        server.get("/v1/campaigns", params={"cursor": "' OR 1=1 --"}),
        server.get("/v1/campaigns", params={"status": "draft' --"}),
        server.patch("/v1/campaigns/camp_01m84zh0g22206c0z2qp7xq4gm", {"name": "x"}),
    ]
    for r in probes:
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
        text = r.text.lower()
        for bad in ("sqlite", "select ", "syntax error", "exception", "traceback", "std::"):
            assert bad not in text, r.text
    name = "Robert'); DROP TABLE campaigns;--"
    c = server.create_campaign(name)
    assert server.get("/v1/campaigns/" + c["id"]).json()["data"]["name"] == name


def test_head_or_options_do_not_crash(server):
    for method in ("OPTIONS", "HEAD", "TRACE"):
        r = server.request(method, "/v1/campaigns")
        assert r.status_code < 500, (method, r.status_code, r.text)
    assert server.get("/healthz", key=None).status_code == 200
